package dev.tollgate.server.http;

import dev.tollgate.core.json.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A handler's answer, before the API ({@code api/HttpApi}) turns it into bytes: status, body, and whether it replays
 * an idempotency key. The body is a JSON tree (maps, lists, values), JSON already {@link Written} (the request path's
 * answers), a {@link Csv} export, {@link Text} (the metrics), a {@link Stream} or a static {@link Asset} (the
 * console's files).
 *
 * @param status the HTTP status
 * @param body the body
 * @param replay whether the answer replays an earlier request with the same idempotency key
 */
public record Reply(int status, Object body, boolean replay) {
    /** A {@code 200} answer that replays nothing. */
    public static Reply ok(Object body) {
        return new Reply(200, body, false);
    }

    /** A {@code 200} CSV export of {@code rows}, one column each of {@code columns}, as {@code fileName}. */
    public static Reply csv(String fileName, List<String> columns, List<Map<String, Object>> rows) {
        return ok(new Csv(fileName, csvText(columns, rows)));
    }

    /**
     * A JSON answer written without a tree ({@code core/json/JsonWriter}).
     *
     * @param json the body, UTF-8, never modified once given
     */
    @SuppressWarnings("ArrayRecordComponent") // an answer is sent, never compared
    public record Written(byte[] json) {}

    /** A CSV answer instead of JSON. */
    public record Csv(String fileName, String text) {}

    /** A plain-text answer (the Prometheus exposition format). */
    public record Text(String text) {}

    /** A streamed answer (Server-Sent Events) that {@code handler} writes once the head is sent. */
    public record Stream(StreamHandler handler) {}

    /**
     * A chunked answer of {@code contentType} with {@code headers}, whose body {@code handler} writes once the head is
     * sent.
     */
    public record Chunked(String contentType, Map<String, String> headers, StreamHandler handler) {}

    /**
     * A file sent as it is: its bytes, their {@code Content-Type}, and further headers (caching, encoding, security
     * policy).
     *
     * @param contentType the {@code Content-Type}
     * @param bytes the body, never modified once given
     * @param headers further headers, by name
     */
    @SuppressWarnings("ArrayRecordComponent") // a file is sent, never compared
    public record Asset(String contentType, byte[] bytes, Map<String, String> headers) {
        public Asset {
            headers = Map.copyOf(headers);
        }
    }

    /**
     * RFC 4180 text of rows: a header of {@code columns}, then one line per row; an absent value or an empty object is an
     * empty cell, an object is its JSON, a decimal is plain.
     */
    private static String csvText(List<String> columns, List<Map<String, Object>> rows) {
        StringBuilder csv = new StringBuilder(String.join(",", columns)).append("\r\n");
        for (Map<String, Object> row : rows) {
            List<String> cells = new ArrayList<>();
            for (String column : columns) {
                Object v = row.get(column);
                String text = v == null || (v instanceof Map<?, ?> m && m.isEmpty())
                        ? ""
                        : v instanceof Map<?, ?>
                                ? Json.write(v)
                                : v instanceof BigDecimal d ? d.toPlainString() : v.toString();
                cells.add(text.matches(".*[,\"\r\n].*") ? '"' + text.replace("\"", "\"\"") + '"' : text);
            }
            csv.append(String.join(",", cells)).append("\r\n");
        }
        return csv.toString();
    }
}
