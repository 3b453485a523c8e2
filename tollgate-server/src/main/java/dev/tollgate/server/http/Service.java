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

    /** A request's headers by name (case-insensitive): a header's first value, or {@code null}. */
    @FunctionalInterface
    interface Headers {
        @Nullable
        String get(String name);
    }

    /**
     * One connection's check of request heads. Confined to the connection's I/O thread.
     *
     * <p>Order: a connection's requests are checked and dispatched one after the other on its I/O thread (Netty's
     * pipeline hands a request's head, body and the whole request on before it reads the next head), so {@link
     * #accepted()} read when a whole request is dispatched is what its own head was accepted as.
     */
    @FunctionalInterface
    interface HeadCheck {
        /**
         * Checks a request from its head alone.
         *
         * @param method the HTTP method
         * @param path the request's path without the query string
         * @param headers the request's headers
         * @return the answer refusing the request (the connection closes after it, and its body is never read), or
         *     {@code null} when the request may go on to {@link #dispatch}
         */
        @Nullable
        Response refuse(String method, String path, Headers headers);

        /**
         * What the last request whose head passed was accepted as (the caller its credential names), handed to
         * {@link #dispatch} with the whole request ({@link Request#caller()}); {@code null} if it needed none.
         */
        default @Nullable Object accepted() {
            return null;
        }
    }
}
