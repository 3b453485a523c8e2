package dev.tollgate.client;

import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A client of one Tollgate server: checks, consumes, usage reports and sessions, answered by the server, from local
 * state or from fallback values, each answer saying which ({@link Source}).
 *
 * <pre>{@code
 * try (Tollgate tollgate = Tollgate.builder()
 *         .baseUrl("http://localhost:8080")
 *         .apiKey(System.getenv("TOLLGATE_API_KEY"))
 *         .spoolDirectory(Path.of("/var/lib/app/tollgate-spool"))
 *         .build()) {
 *     Decision d = tollgate.consume(ConsumeRequest.of("acme", "ai-queries", 1, requestId));
 *     if (!d.allowed()) {
 *         // d.reason(): LIMIT_EXCEEDED, BUDGET_EXCEEDED, NOT_ENTITLED, ...
 *     }
 * }
 * }</pre>
 *
 * <p><b>Thread-safety:</b> an instance is safe for use by any number of threads; share one per server in a process.
 * <b>Nullness:</b> no method returns {@code null} or accepts {@code null} unless its parameter says so.
 * <b>Blocking:</b> {@link #check}, {@link #consume}, {@link #openSession}, {@link #closeSession} and {@link
 * #entitlements} block the calling thread for at most the configured timeout per server call they make (none when
 * answered locally); {@link #report} never blocks. After {@link #close()} every method throws {@link
 * TollgateClientException} with code {@code CLOSED}.
 */
public interface Tollgate extends AutoCloseable {

    /** A new builder; {@code baseUrl} and {@code apiKey} are required. */
    static TollgateBuilder builder() {
        return new TollgateBuilder();
    }

    /**
     * Whether the customer may use the feature (this many units), without consuming. Boolean and config features are
     * answered from the cached entitlements ({@link Source#CACHE}) when the request names no scope or session; the
     * others by the server ({@link Source#SERVER}), or while it is unreachable from the cache (possibly stale figures)
     * or the fallback ({@link Source#FALLBACK}). A boolean check answered from the cache allocates nothing: its decision
     * is one of two shared immutable instances (as is a refusal kept for a feature the entitlements do not list).
     *
     * @return the decision; a refusal is an answer, not an exception
     * @throws TollgateClientException if the server refused the request itself ({@code 4xx} with a code)
     */
    Decision check(CheckRequest request);

    /**
     * {@link #check(CheckRequest)} of {@code feature} for {@code customerId}; a boolean check answered from the cache
     * allocates nothing here either.
     */
    default Decision check(String customerId, String feature) {
        return check(CheckRequest.of(customerId, feature));
    }

    /**
     * Checks and records {@code quantity} units at once. A whole-number consume without dimensions or session, of a
     * hard-limited feature without a price, is admitted against a lease this client holds on the server
     * ({@link Source#CACHE}, exact: never beyond what the server holds) once the first consume of that customer and
     * feature has been decided by the server; any other consume is decided by the server ({@link Source#SERVER}).
     * While the server is unreachable and no lease has room, the fallback decides ({@link Source#FALLBACK}) and an
     * admitted consume is reported as usage (spooled if need be).
     *
     * <p>The same idempotency key again answers the first answer: this client's for a lease admission, the server's
     * for a key sent to it (a repeat goes to the server again, never to a lease), among the last 100 000 keys.
     *
     * @throws TollgateClientException if the server refused the request itself ({@code 4xx} with a code)
     */
    Decision consume(ConsumeRequest request);

    /**
     * Reports usage that already happened. The event is queued and sent in a batch ({@code POST /v1/events}) within
     * the configured linger; if the server cannot be reached it is written to the spool (when a spool directory is
     * set) and delivered exactly once later. Never blocks.
     *
     * <p>The event is sent as it is: without a timestamp, the server places it when it receives it (a report kept in
     * the spool is placed when it was reported). So the same event again, with its idempotency key, through this
     * client or straight to the server, answers {@link EventOutcome.Status#DUPLICATE}; give events their own timestamp
     * ({@link UsageEvent#at}) to make a repeat of a spooled one a duplicate too.
     *
     * @return completes with the event's outcome; completes exceptionally with {@link TollgateUnavailableException}
     *     when the server is unreachable and no spool is set, or {@link TollgateClientException} {@code SPOOL_FULL}
     */
    CompletableFuture<EventOutcome> report(UsageEvent event);

    /**
     * Opens a session on the server (always remote). A refusal is an answer ({@link Session#opened()} false).
     *
     * @throws TollgateUnavailableException if the server could not be reached
     * @throws TollgateClientException if the server refused the request itself
     */
    Session openSession(SessionRequest request);

    /**
     * Closes a session on the server: {@code used}, if given, is its total; the rest of the hold is released. Closing
     * again answers the first close.
     *
     * @param used the session's total, or {@code null} for what was consumed in it
     * @throws TollgateUnavailableException if the server could not be reached
     * @throws TollgateClientException if the server refused the request ({@code SESSION_NOT_FOUND}, ...)
     */
    Session closeSession(String sessionId, @Nullable BigDecimal used);

    /**
     * The customer's effective entitlements from the cache (read from the server on first use), for display: the
     * figures may be as old as the cache entry (see {@code docs/sdk.md}).
     *
     * @throws TollgateUnavailableException if nothing is cached and the server could not be reached
     * @throws TollgateClientException if the server refused ({@code CUSTOMER_NOT_FOUND}, ...)
     */
    List<Entitlement> entitlements(String customerId);

    /**
     * Blocks until every report queued before the call was delivered or spooled, then delivers the spool if the
     * server can be reached. Waits at most the timeout per server call.
     */
    void flush();

    /**
     * Returns every lease (closing its session with what was admitted against it), delivers queued reports (or spools
     * them) and stops the client's threads. Blocks for at most a few timeouts. Idempotent.
     */
    @Override
    void close();
}
