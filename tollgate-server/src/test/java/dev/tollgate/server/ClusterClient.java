package dev.tollgate.server;

import dev.tollgate.core.json.Json;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * A client of a {@link Cluster} that behaves as the contract asks of clients: any node answers any request; an answer
 * {@code 503} ({@code NOT_OWNER}: nothing was applied; {@code OWNER_UNREACHABLE}: the outcome is unknown) or {@code
 * 504}, or a request that fails on the wire, leaves the outcome open, and the same request is sent again, with the
 * same idempotency key, until a definite answer (any other status) or until the {@link Policy}'s attempts run out.
 *
 * <p>Retries: a 503 or 504 is sent again to the same node after its {@code Retry-After} or the back-off, whichever is
 * longer, but never longer than the policy's longest delay; a node that cannot be reached (refused, reset, timed out)
 * is left for the next node of the caller's list.
 *
 * <p>Counts every attempt, and every retry by its cause, for the closing figures. Thread-safe; blocking.
 */
final class ClusterClient {
    /**
     * How hard to try.
     *
     * @param attempts at most this many sends of one request
     * @param firstDelay the first back-off; it doubles with each retry
     * @param longestDelay no back-off, nor {@code Retry-After}, waits longer than this
     */
    record Policy(int attempts, Duration firstDelay, Duration longestDelay) {}

    /** The load's clients: up to about a minute of retries with a back-off from 20 ms to 1 s. */
    static final Policy LOAD = new Policy(60, Duration.ofMillis(20), Duration.ofSeconds(1));

    /**
     * A probe of a take-over: every 25 ms for up to about a minute, shorter than any {@code Retry-After}, so that the
     * moment the new owner answers is seen within 25 ms.
     */
    static final Policy PROBE = new Policy(2400, Duration.ofMillis(25), Duration.ofMillis(25));

    /**
     * What came of a request.
     *
     * @param reply its definite answer; null when the attempts ran out first
     * @param node the node that gave it, or the last one tried
     * @param attempts how many times it was sent
     */
    record Result(ApiClient.@Nullable Reply reply, String node, int attempts) {
        boolean definite() {
            return reply != null;
        }
    }

    private final Cluster cluster;
    private final LongAdder attempts = new LongAdder();
    private final Map<String, LongAdder> retries = new ConcurrentHashMap<>();

    ClusterClient(Cluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Sends {@code method path} with {@code body} (none if null) to {@code nodes.get(0)}, moving along {@code nodes}
     * (round) when one cannot be reached, until a definite answer or the policy's last attempt.
     *
     * @param nodes the node ids to try, first the preferred one; not empty
     */
    Result send(List<String> nodes, String method, String path, @Nullable Map<String, Object> body, Policy policy) {
        int at = 0;
        long delayMillis = policy.firstDelay().toMillis();
        String json = body == null ? null : Json.write(body);
        for (int attempt = 1; ; attempt++) {
            String node = nodes.get(at % nodes.size());
            attempts.increment();
            String cause;
            long waitMillis = delayMillis;
            try {
                ApiClient.Reply reply = cluster.node(node).send(method, path, json, "application/json", ApiClient.KEY);
                if (reply.status() != 503 && reply.status() != 504) {
                    return new Result(reply, node, attempt);
                }
                boolean told = reply.headers().containsKey("retry-after");
                cause = reply.status() + " " + errorCode(reply) + (told ? "" : " without Retry-After");
                waitMillis = Math.max(waitMillis, retryAfterMillis(reply));
            } catch (UncheckedIOException e) {
                cause = "unreachable (" + e.getCause().getClass().getSimpleName() + ")";
                at++;
            }
            if (attempt >= policy.attempts()) {
                return new Result(null, node, attempt);
            }
            retries.computeIfAbsent(cause, c -> new LongAdder()).increment();
            sleep(Math.min(waitMillis, policy.longestDelay().toMillis()));
            delayMillis = Math.min(delayMillis * 2, policy.longestDelay().toMillis());
        }
    }

    /** Every send so far, first attempts and retries. */
    long attempts() {
        return attempts.sum();
    }

    /**
     * The retries so far by cause: {@code 503 NOT_OWNER}, {@code 504 ...}, {@code unreachable (ConnectException)};
     * a 503 or 504 that came without {@code Retry-After} says so ({@code 503 NOT_OWNER without Retry-After}).
     */
    Map<String, Long> retries() {
        Map<String, Long> counts = new TreeMap<>();
        retries.forEach((cause, n) -> counts.put(cause, n.sum()));
        return counts;
    }

    private static String errorCode(ApiClient.Reply reply) {
        if (reply.json() instanceof Map<?, ?> body && body.get("error") instanceof Map<?, ?> error) {
            return String.valueOf(error.get("code"));
        }
        return "(no error code)";
    }

    /** The {@code Retry-After} of an answer in milliseconds (it is given in whole seconds), 0 without one. */
    private static long retryAfterMillis(ApiClient.Reply reply) {
        List<String> values = reply.headers().getOrDefault("retry-after", List.of());
        if (values.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(values.get(0).trim()) * 1000;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }
}
