package dev.tollgate.server.http;

import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What the {@link HttpFront} serves: a check of each request's head, before its body is read, then the answer to each
 * whole request. The API ({@code api/HttpApi}) is the one implementation; the front knows nothing of routes, keys or
 * the engine.
 *
 * <p>Thread-safe: called from every I/O thread at once.
 */
public interface Service {
    /**
     * A check of request heads for one new connection; it may remember what it accepted (the last key), since it is
     * confined to that connection.
     */
    HeadCheck headCheck();

    /**
     * Answers one request. {@code done} is called exactly once, on the calling thread (routes answered from memory,
     * refusals) or on a worker or journal thread (writes). The request has passed its connection's head check.
     *
     * @param method the HTTP method
     * @param path the request's path without the query string, still percent-encoded
     * @param request the request; the service sets its path parameters once it has matched a route
     * @param done receives the answer
     */
    void dispatch(String method, String path, Request request, Consumer<Response> done);

    /** A request as the front hands it over: what a handler reads, and where the matched route's parameters go. */
    interface Request extends ApiRequest {
        /** Sets the path parameters of the matched route, raw (still percent-encoded), before a handler reads them. */
        void pathParams(Map<String, String> raw);

        /** The request's target as received: its path and query, still percent-encoded (to forward it). */
        String uri();
    }

    /** One connection's check of request heads. Confined to the connection's I/O thread. */
    @FunctionalInterface
    interface HeadCheck {
        /**
         * Checks a request from its head alone.
         *
         * @param path the request's path without the query string
         * @param authorization the {@code Authorization} header, or {@code null}
         * @return the answer refusing the request (the connection closes after it, and its body is never read), or
         *     {@code null} when the request may go on to {@link #dispatch}
         */
        @Nullable
        Response refuse(String path, @Nullable String authorization);
    }
}
