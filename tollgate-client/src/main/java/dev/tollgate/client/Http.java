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
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.authorization = "Bearer " + apiKey;
        this.timeout = timeout;
        this.onAnswer = onAnswer;
        this.breakNanos = Math.min(timeout.toNanos(), 1_000_000_000L);
    }

    /** Lets the next call through even if the server did not answer a moment ago. */
    void probe() {
        broken = false;
    }

    /** The server's address, without a trailing slash. */
    URI base() {
        return base;
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
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(Wire.write(body)))
                .build();
        return attempt(request, System.nanoTime() + timeout.toNanos(), MOVE_RETRY_MILLIS);
    }

    private CompletableFuture<Reply> attempt(HttpRequest request, long deadlineNanos, long waitMillis) {
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, failure) -> {
                    if (failure != null) {
                        brokenUntilNanos = System.nanoTime() + breakNanos;
                        broken = true;
                        throw new CompletionException(unreachable(failure));
                    }
                    return response;
                })
                .thenCompose(response -> {
                    long left = deadlineNanos - System.nanoTime();
                    if (movedAway(response) && left > TimeUnit.MILLISECONDS.toNanos(waitMillis)) {
                        Executor later = CompletableFuture.delayedExecutor(waitMillis, TimeUnit.MILLISECONDS);
                        return CompletableFuture.supplyAsync(() -> null, later)
                                .thenCompose(v -> attempt(request, deadlineNanos, waitMillis * 2));
                    }
                    return CompletableFuture.completedFuture(reply(response));
                });
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
