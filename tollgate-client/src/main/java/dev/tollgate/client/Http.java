package dev.tollgate.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * JSON calls to the server over the JDK's {@link HttpClient}, each bounded by the client's timeout (connect and
 * answer), with the secret key.
 *
 * <p>Failure modes: no answer (refused, reset, timeout) and any {@code 5xx} throw {@link TollgateUnavailableException}
 * (with the server's code when it gave one: {@code STORE_UNAVAILABLE}, {@code COMMIT_IN_DOUBT}); every other answer,
 * {@code 4xx} included, is returned, since a refused check is a {@code 404} that carries its decision.
 *
 * <p>Moves in a cluster: a {@code 503} that says nothing was applied because the customer is moving between servers
 * ({@code NOT_OWNER}, {@code OWNER_UNREACHABLE}) is sent again after {@value #MOVE_RETRY_MILLIS} ms, then twice that,
 * while the call's timeout allows; a move takes well under a second, a fail-over the lease time (then the call fails
 * as unavailable, and the caller falls back).
 *
 * <p>Routing in a cluster ({@link Routes}): a call for one customer goes straight to the node that owns it once an
 * answer has named that node, else to the base URL; a node that cannot be connected to (nothing was sent) is avoided
 * for a while and the call goes to the next one (the base URL, then any live node of {@code GET /v1/cluster}), so a
 * client configured with one node's address keeps working when that node dies.
 *
 * <p>Breaker: after a call got no answer, calls fail at once ({@link NotSent}, nothing sent) for up to the timeout
 * (at most 1 s), so that an outage costs one timeout a second instead of one per call; the first answer, or {@link
 * #probe()}, closes it again.
 *
 * <p>Thread-safe: the HTTP client is.
 */
final class Http {
    /** A call not even sent: the server did not answer a moment ago. */
    static final class NotSent extends TollgateUnavailableException {
        private static final long serialVersionUID = 1L;

        NotSent() {
            super("UNREACHABLE", 0, "the server did not answer a moment ago; not sent");
        }
    }

    /** An answer below 500: its status and its parsed JSON body ({@code MissingNode} when empty). */
    record Reply(int status, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The server's refusal of the request itself, as an exception. */
        TollgateClientException error() {
            JsonNode e = body.path("error");
            return new TollgateClientException(
                    e.path("code").asString("HTTP_" + status),
                    status,
                    e.path("field").isString() ? e.path("field").asString() : null,
                    e.path("message").asString(body.toString()));
        }
    }

    /** The first wait before a call refused during a move is sent again. */
    static final long MOVE_RETRY_MILLIS = 100;

    private final HttpClient client;
    private final URI base;
    private final Routes routes;
    private final String authorization;
    private final Duration timeout;
    private final Runnable onAnswer;
    private final long breakNanos;
    private volatile long brokenUntilNanos;
    private volatile boolean broken;

    /**
     * @param onAnswer called after every answer the server gave (any status below 500): the server is reachable
     */
    Http(URI base, String apiKey, Duration timeout, Runnable onAnswer) {
        this(base, apiKey, timeout, onAnswer, true);
    }

    /**
     * @param onAnswer called after every answer the server gave (any status below 500): the server is reachable
     * @param direct whether a call for a customer goes straight to its owner once known ({@link Routes})
     */
    Http(URI base, String apiKey, Duration timeout, Runnable onAnswer, boolean direct) {
        this.client =
                HttpClient.newBuilder().connectTimeout(connectTimeout(timeout)).build();
        this.base = URI.create(Routes.stripSlash(base.toString()));
        this.routes = new Routes(this.base, direct);
        this.authorization = "Bearer " + apiKey;
        this.timeout = timeout;
        this.onAnswer = onAnswer;
        this.breakNanos = Math.min(timeout.toNanos(), 1_000_000_000L);
    }

    /**
     * How long a connection may take to open: a third of the call's timeout, at most 1 s, so that a node whose host
     * drops packets (no refusal) leaves time within the call's deadline to try another node.
     */
    static Duration connectTimeout(Duration callTimeout) {
        long millis = Math.max(1, Math.min(callTimeout.toMillis() / 3, 1000));
        return Duration.ofMillis(millis);
    }

    /** Lets the next call through even if the server did not answer a moment ago. */
    void probe() {
        broken = false;
    }

    /** The server's address as configured, without a trailing slash. */
    URI base() {
        return base;
    }

    /** Where calls go in a cluster. */
    Routes routes() {
        return routes;
    }

    /**
     * Reads the live nodes of the cluster ({@code GET /v1/cluster}) for {@link Routes}; a server alone answers {@code
     * 404} and nothing changes.
     *
     * @return completes once read (never exceptionally); {@code false} if the server answered that it is no cluster
     */
    CompletableFuture<Boolean> readMembers() {
        return sendAsync("GET", "/v1/cluster", null).handle((reply, failure) -> {
            if (failure != null) {
                return true; // not known: asked again soon
            }
            if (!reply.ok()) {
                return false;
            }
            routes.members(Routes.liveMembers(reply.body()));
            return true;
        });
    }

    /** The JDK client, for the change feed's long-lived request. */
    HttpClient client() {
        return client;
    }

    /** The longest wait for one call. */
    Duration timeout() {
        return timeout;
    }

    /** {@code Authorization} header value. */
    String authorization() {
        return authorization;
    }

    /**
     * Sends {@code body} (or nothing) and waits for the answer.
     *
     * @throws TollgateUnavailableException no answer within the timeout, or a {@code 5xx}
     */
    Reply send(String method, String path, @Nullable Object body) {
        try {
            return sendAsync(method, path, body).get();
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TollgateUnavailableException("UNREACHABLE", 0, "interrupted while waiting for the server");
        }
    }

    /** {@link #send} without waiting; the future fails with {@link TollgateUnavailableException} as it would throw. */
    CompletableFuture<Reply> sendAsync(String method, String path, @Nullable Object body) {
        if (broken && System.nanoTime() - brokenUntilNanos < 0) {
            return CompletableFuture.failedFuture(new NotSent());
        }
        Call call = new Call(
                method,
                path,
                body == null ? null : Wire.write(body),
                Routes.customerOf(path, body),
                System.nanoTime() + timeout.toNanos());
        return attempt(call, routes.target(call.customerId()), MOVE_RETRY_MILLIS);
    }

    /** One call, sent to one node or more until one answers. */
    @SuppressWarnings("ArrayRecordComponent") // a call is sent, never compared
    private record Call(
            String method,
            String path,
            byte @Nullable [] body,
            @Nullable String customerId,
            long deadlineNanos) {
        HttpRequest to(URI node, Duration timeout, String authorization) {
            return HttpRequest.newBuilder(URI.create(node + path))
                    .timeout(timeout)
                    .header("Authorization", authorization)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
        }
    }

    private CompletableFuture<Reply> attempt(Call call, URI node, long waitMillis) {
        return client.sendAsync(call.to(node, timeout, authorization), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, failure) -> failure == null
                        ? answered(call, node, response, waitMillis)
                        : failed(call, node, failure, waitMillis))
                .thenCompose(f -> f);
    }

    /** No answer from {@code node}: the next node if nothing was sent and one is left, else unavailable. */
    private CompletableFuture<Reply> failed(Call call, URI node, Throwable failure, long waitMillis) {
        if (notConnected(failure)) {
            routes.unreachable(node);
            URI next = System.nanoTime() - call.deadlineNanos() < 0 ? routes.after(node) : null;
            if (next != null) {
                return attempt(call, next, waitMillis);
            }
        }
        brokenUntilNanos = System.nanoTime() + breakNanos;
        broken = true;
        return CompletableFuture.failedFuture(unreachable(failure));
    }

    /** An answer: sent again later if it was a move's {@code 503} and time is left, else the reply. */
    private CompletableFuture<Reply> answered(Call call, URI node, HttpResponse<byte[]> response, long waitMillis) {
        routes.answered(
                node,
                call.customerId(),
                response.headers().firstValue(Routes.OWNER_HEADER).orElse(null));
        long left = call.deadlineNanos() - System.nanoTime();
        if (movedAway(response) && left > TimeUnit.MILLISECONDS.toNanos(waitMillis)) {
            Executor later = CompletableFuture.delayedExecutor(waitMillis, TimeUnit.MILLISECONDS);
            return CompletableFuture.supplyAsync(() -> null, later)
                    .thenCompose(v -> attempt(call, routes.target(call.customerId()), waitMillis * 2));
        }
        try {
            return CompletableFuture.completedFuture(reply(response));
        } catch (CompletionException e) {
            return CompletableFuture.failedFuture(e.getCause() != null ? e.getCause() : e);
        }
    }

    /** Whether a call failed before anything was sent: the node could not be connected to. */
    private static boolean notConnected(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.http.HttpConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** A {@code 503} of a cluster's move: nothing was applied, the same request may be sent again at once. */
    private static boolean movedAway(HttpResponse<byte[]> response) {
        if (response.statusCode() != 503) {
            return false;
        }
        String code = Wire.read(response.body()).path("error").path("code").asString("");
        return code.equals("NOT_OWNER") || code.equals("OWNER_UNREACHABLE");
    }

    private Reply reply(HttpResponse<byte[]> response) {
        broken = false;
        JsonNode json = Wire.read(response.body());
        if (response.statusCode() >= 500) {
            JsonNode e = json.path("error");
            throw new CompletionException(new TollgateUnavailableException(
                    e.path("code").asString("HTTP_" + response.statusCode()),
                    response.statusCode(),
                    e.path("message").asString("the server answered " + response.statusCode())));
        }
        onAnswer.run();
        return new Reply(response.statusCode(), json);
    }

    private static TollgateUnavailableException unreachable(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof TollgateUnavailableException u) {
            return u;
        }
        TollgateUnavailableException u =
                new TollgateUnavailableException("UNREACHABLE", 0, "no answer from the server: " + cause);
        u.initCause(cause);
        return u;
    }

    /** The exception a failed future carried, as thrown from a blocking call. */
    static RuntimeException rethrow(@Nullable Throwable cause) {
        Throwable c = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof RuntimeException r) {
            return r;
        }
        if (c instanceof IOException) {
            return unreachable(c);
        }
        return new IllegalStateException(c);
    }
}
