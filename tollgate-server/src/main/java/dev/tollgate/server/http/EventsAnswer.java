package dev.tollgate.server.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code POST /v1/events}: how many events were accepted (or spooled, by a sidecar), duplicates and
 * rejected, then each event's result in the batch's order. One place for it, whether one server answered the batch or
 * a cluster split it among owners and merged their answers.
 */
public final class EventsAnswer {
    private EventsAnswer() {}

    /**
     * The answer for these results.
     *
     * @param results each event's result, a map with its {@code status}, in the batch's order; a result that is not
     *     such a map counts as rejected
     * @return {@code accepted}, {@code duplicates}, {@code rejected}, {@code results}
     */
    public static Map<String, Object> of(List<?> results) {
        int accepted = 0;
        int duplicates = 0;
        int rejected = 0;
        for (Object r : results) {
            String status = r instanceof Map<?, ?> m ? String.valueOf(m.get("status")) : "rejected";
            switch (status) {
                case "accepted", "spooled" -> accepted++;
                case "duplicate" -> duplicates++;
                default -> rejected++;
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", accepted);
        body.put("duplicates", duplicates);
        body.put("rejected", rejected);
        body.put("results", new ArrayList<>(results));
        return body;
    }
}
