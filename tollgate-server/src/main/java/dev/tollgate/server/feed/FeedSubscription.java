package dev.tollgate.server.feed;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One subscriber's queue of customers to send: each customer once, at the cursor of its latest change, lowest cursor
 * first.
 *
 * <p>Why coalesced: a subscriber wants each customer's current state, not every intermediate one; a customer that
 * changes a thousand times while the client is slow is sent once. So the queue never holds more entries than there are
 * customers of interest, whatever the write rate and however slow the client.
 *
 * <p>Why lowest cursor first: a client resumes from the last cursor it saw and is sent every customer changed after
 * it. If a later cursor could be sent before an earlier one, a connection lost in between would skip the earlier one
 * on resume. So events go out in cursor order, and a customer offered again moves to its new, higher cursor.
 *
 * <p>Thread-safe: the journal's follow-up thread offers, the transport's thread polls.
 */
public final class FeedSubscription {
    /** A queued customer and the cursor of its latest change. */
    public record Change(long cursor, String customerId) implements Comparable<Change> {
        @Override
        public int compareTo(Change o) {
            int c = Long.compare(cursor, o.cursor);
            return c != 0 ? c : customerId.compareTo(o.customerId);
        }
    }

    private final ChangeFeed feed;
    private final @Nullable Interest interest;
    private final Runnable wake;
    private final TreeSet<Change> order = new TreeSet<>();
    private final Map<String, Change> queued = new HashMap<>();
    private boolean closed;

    FeedSubscription(ChangeFeed feed, @Nullable Interest interest, Runnable wake) {
        this.feed = feed;
        this.interest = interest;
        this.wake = wake;
    }

    /** Whether this subscriber follows {@code customerId}. */
    boolean follows(String customerId) {
        return interest == null || interest.customers().contains(customerId);
    }

    /**
     * Queues {@code customerId} at {@code cursor} unless it is queued at a higher one, then wakes the transport.
     * Ignored once closed.
     */
    void offer(String customerId, long cursor) {
        synchronized (this) {
            if (closed) {
                return;
            }
            Change prior = queued.get(customerId);
            if (prior != null) {
                if (prior.cursor() >= cursor) {
                    return;
                }
                order.remove(prior);
            }
            Change c = new Change(cursor, customerId);
            queued.put(customerId, c);
            order.add(c);
        }
        wake.run();
    }

    /** The queued change with the lowest cursor, removed; {@code null} if none. Non-blocking. */
    public synchronized @Nullable Change poll() {
        Change c = order.pollFirst();
        if (c != null) {
            queued.remove(c.customerId());
        }
        return c;
    }

    /** Customers queued now. */
    public synchronized int queued() {
        return queued.size();
    }

    /** Stops this subscription: nothing more is queued, what was is dropped. Idempotent. */
    public void close() {
        synchronized (this) {
            closed = true;
            order.clear();
            queued.clear();
        }
        feed.remove(this);
    }
}
