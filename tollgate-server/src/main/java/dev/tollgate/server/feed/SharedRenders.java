package dev.tollgate.server.feed;

import dev.tollgate.core.json.Json;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * The customers' states as the change feed's events carry them, rendered once per change and shared by the
 * subscribers that write that change.
 *
 * <p>Why: every subscriber that follows a customer writes each of its changes, and rendering a state (the customer's
 * effective entitlements, as JSON) is the costly part of an event. Without sharing, four subscribers of a fleet render
 * every change four times, on the I/O threads that also answer {@code /v1/check}.
 *
 * <p>How: a change is named by its cursor, unique across customers. The last {@value #SLOTS} renders are kept in a
 * ring indexed by cursor; a subscriber writing the change of cursor {@code c} reuses the render found in {@code c}'s
 * slot when it is of the same customer and cursor and younger than {@link #FRESH}, and renders (and keeps) it
 * otherwise. A render made after the change includes it, so it is right for every subscriber writing that change; the
 * age limit keeps what depends on the time (a period that has reset since) as current as rendering at each write did,
 * within {@link #FRESH}.
 *
 * <p>On a node of a cluster a state is rendered only while the node holds its customer, before and after the render
 * (at the same fencing epoch, which the event carries): a customer given up meanwhile is neither written nor kept, since
 * its new owner sends it.
 *
 * <p>Memory: at most {@value #SLOTS} renders. Thread-safe: slots are replaced atomically; two threads may both render
 * a change, and either render is right.
 */
public final class SharedRenders {
    /** How long a render is reused. */
    public static final Duration FRESH = Duration.ofMillis(100);

    private static final int SLOTS = 1024;

    private record Rendered(long cursor, String customerId, long epoch, long atNanos, String event) {}

    private final Function<String, Map<String, Object>> render;
    private final ToLongFunction<String> epochOf;
    private final LongSupplier nanoTime;
    private final AtomicReferenceArray<Rendered> ring = new AtomicReferenceArray<>(SLOTS);

    /**
     * @param render the state of a customer as a JSON tree (also for a customer that does not exist)
     * @param nanoTime a monotonic clock in nanoseconds ({@link System#nanoTime} in production)
     */
    public SharedRenders(Function<String, Map<String, Object>> render, LongSupplier nanoTime) {
        this(render, customerId -> 0, nanoTime);
    }

    /**
     * @param render the state of a customer as a JSON tree (also for a customer that does not exist)
     * @param epochOf the epoch at which this node holds a customer ({@link ChangeFeed#epoch}: 0 on a server alone,
     *     {@link Residency#NOT_HELD} for a customer a node does not hold)
     * @param nanoTime a monotonic clock in nanoseconds ({@link System#nanoTime} in production)
     */
    public SharedRenders(
            Function<String, Map<String, Object>> render, ToLongFunction<String> epochOf, LongSupplier nanoTime) {
        this.render = render;
        this.epochOf = epochOf;
        this.nanoTime = nanoTime;
    }

    /**
     * The Server-Sent Event of the change {@code cursor} of {@code customerId}: {@code id}, {@code event: state} and one
     * {@code data:} line holding the customer id, the cursor (as a string), on a node of a cluster the {@code epoch}, and
     * the state's members.
     *
     * @return the event, or {@code null} when this node of a cluster does not hold the customer (now, or since before
     *     the state was read)
     */
    public @Nullable String event(String customerId, long cursor) {
        long epoch = epochOf.applyAsLong(customerId);
        if (epoch == Residency.NOT_HELD) {
            return null;
        }
        int slot = (int) (cursor & (SLOTS - 1));
        long now = nanoTime.getAsLong();
        Rendered kept = ring.get(slot);
        if (kept != null
                && kept.cursor() == cursor
                && kept.epoch() == epoch
                && kept.customerId().equals(customerId)
                && now - kept.atNanos() < FRESH.toNanos()) {
            return kept.event();
        }
        String state = members(Json.write(render.apply(customerId)));
        if (epochOf.applyAsLong(customerId) != epoch) {
            return null; // given up while it was read: memory may not show it as it is
        }
        String event = "id: " + cursor + "\nevent: state\ndata: {\"customerId\":" + Json.write(customerId)
                + ",\"cursor\":\"" + cursor + '"' + (epoch > 0 ? ",\"epoch\":" + epoch : "") + state + "}\n\n";
        ring.set(slot, new Rendered(cursor, customerId, epoch, now, event));
        return event;
    }

    /** The members of a JSON object's text, with a leading comma, or nothing for an empty object. */
    private static String members(String object) {
        String inner = object.substring(1, object.length() - 1);
        return inner.isEmpty() ? "" : "," + inner;
    }
}
