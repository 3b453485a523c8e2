package dev.tollgate.server.http;

import org.jspecify.annotations.Nullable;

/**
 * One HTTP request as a route's handler sees it: headers, path and query parameters, and the whole body.
 *
 * <p>Not thread-safe; a request is handled by one thread at a time.
 */
public interface ApiRequest {
    /** A header's first value (case-insensitive name), or {@code null}. */
    @Nullable
    String header(String name);

    /**
     * A parameter of the route's path template, percent-decoded.
     *
     * @throws IllegalArgumentException if the template has no such parameter
     */
    String pathParam(String name);

    /** A query parameter's first value, percent-decoded, or {@code null}. */
    @Nullable
    String queryParam(String name);

    /** The body; empty, never {@code null}, if there is none. */
    byte[] bodyAsBytes();

    /**
     * Who sent the request, as its connection's head check accepted it ({@link Service.HeadCheck#accepted()}); {@code
     * null} for a request that needed no credential. What it is, is the service's business ({@code auth/Caller}).
     */
    default @Nullable Object caller() {
        return null;
    }

    /** The {@code Content-Type} header, or {@code null}. */
    default @Nullable String contentType() {
        return header("Content-Type");
    }
}
