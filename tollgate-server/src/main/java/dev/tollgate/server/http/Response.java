package dev.tollgate.server.http;

import dev.tollgate.core.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An answer ready to send: status, content type, body and extra headers.
 *
 * <p>Errors: every refusal is a JSON body {@code {"error": {"code", "message", "field"}}} with a stable code
 * ({@code docs/reference/errors.md}): {@link #errorBody}.
 *
 * @param status the HTTP status
 * @param contentType the {@code Content-Type}
 * @param body the body's bytes
 * @param headers further headers, by name
 * @param stream what writes a streamed body, or {@code null} for an answer whose body is {@code body}
 */
@SuppressWarnings("ArrayRecordComponent") // a response is sent, never compared
public record Response(
        int status,
        String contentType,
        byte[] body,
        Map<String, String> headers,
        @Nullable StreamHandler stream) {
    private static final String JSON_TYPE = "application/json";

    /** An answer whose body is {@code body}. */
    public Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        this(status, contentType, body, headers, null);
    }

    /**
     * A {@code 200} Server-Sent Events answer: the front sends the head, then hands the connection to {@code handler},
     * which writes the body as it comes until either side closes.
     */
    public static Response stream(StreamHandler handler) {
        return new Response(
                200, "text/event-stream; charset=utf-8", new byte[0], Map.of("Cache-Control", "no-cache"), handler);
    }

    /**
     * A {@code 200} answer of {@code contentType} whose body {@code handler} writes in chunks once the head is sent (an
     * export too large to hold in memory); the connection closes after it.
     */
    public static Response chunked(String contentType, Map<String, String> headers, StreamHandler handler) {
        return new Response(200, contentType, new byte[0], headers, handler);
    }

    /** A JSON answer of {@code body}, a tree of {@link Json}'s model. */
    public static Response json(int status, Object body) {
        return json(status, body, Map.of());
    }

    /** A JSON answer of {@code body}, with further headers. */
    public static Response json(int status, Object body, Map<String, String> headers) {
        return writtenJson(status, Json.writeBytes(body), headers);
    }

    /** A JSON answer whose body is written already, with further headers. */
    public static Response writtenJson(int status, byte[] json, Map<String, String> headers) {
        return new Response(status, JSON_TYPE, json, headers);
    }

    /**
     * A {@code 503} for a request that was applied nowhere (the store unavailable, the customer moving, its owner
     * unreachable), with {@code Retry-After: 1}.
     */
    public static Response retryLater(String code, String message) {
        return json(503, errorBody(code, message, null), Map.of("Retry-After", "1"));
    }

    /** An error answer without a field. */
    public static Response error(int status, String code, String message) {
        return json(status, errorBody(code, message, null));
    }

    /**
     * The body of an error: {@code {"error": {"code", "message", "field"}}}, {@code field} absent when {@code null}. A
     * new, mutable tree, so that an answer may add to it.
     */
    public static Map<String, Object> errorBody(String code, String message, @Nullable String field) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", code);
        e.put("message", message);
        if (field != null) {
            e.put("field", field);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", e);
        return m;
    }
}
