package dev.tollgate.server.feed;

import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Body;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a request for the change feed asks: the customers it follows ({@code ?customers=a,b}, or every customer) and
 * where it resumes ({@code ?since=}, else the {@code Last-Event-ID} header), read the same way by a server alone and by
 * the node of a cluster that merges every node's feed.
 *
 * @param interest the customers named, or {@code null} for every customer
 * @param since the cursor to resume from as the client sent it, or {@code null} on a first connection
 * @param sinceField where {@code since} came from ({@code since} or {@code Last-Event-ID}), for a refusal's field
 */
public record FeedQuery(
        @Nullable Interest interest, @Nullable String since, String sinceField) {
    /** The most customers one stream may name; without a list it follows every customer. */
    public static final int MAX_CUSTOMERS = 1000;

    /**
     * Reads the query of a request.
     *
     * @throws ApiException {@code 400 INVALID_ID} for a customer id that is no id, {@code 400 INVALID_FIELD} when
     *     {@code customers} names none or more than {@value #MAX_CUSTOMERS}
     */
    public static FeedQuery of(ApiRequest ctx) {
        String raw = ctx.queryParam("since");
        String field = "since";
        if (raw == null) {
            raw = ctx.header("Last-Event-ID");
            field = "Last-Event-ID";
        }
        return new FeedQuery(
                interest(ctx.queryParam("customers")), raw == null || raw.isBlank() ? null : raw.strip(), field);
    }

    /**
     * The cursor of one server's feed to resume from.
     *
     * @return the cursor, or {@code null} on a first connection
     * @throws ApiException {@code 400 INVALID_FIELD} if {@code since} is not a whole number
     */
    public @Nullable Long sinceCursor() {
        if (since == null) {
            return null;
        }
        try {
            return Long.parseLong(since);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(
                    "INVALID_FIELD", sinceField + " must be a cursor (a whole number)", sinceField);
        }
    }

    private static @Nullable Interest interest(@Nullable String customers) {
        if (customers == null) {
            return null;
        }
        Set<String> ids = new LinkedHashSet<>();
        for (String id : customers.split(",", -1)) {
            String trimmed = id.strip();
            if (!trimmed.isEmpty()) {
                Body.checkId(trimmed, "customers");
                ids.add(trimmed);
            }
        }
        if (ids.isEmpty() || ids.size() > MAX_CUSTOMERS) {
            throw ApiException.badRequest(
                    "INVALID_FIELD",
                    "customers must name from 1 to " + MAX_CUSTOMERS + " customer ids, separated by commas",
                    "customers");
        }
        return new Interest(ids);
    }
}
