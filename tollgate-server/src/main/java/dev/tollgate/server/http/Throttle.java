package dev.tollgate.server.http;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one event in {@value #WARN_EVERY_SECONDS} s lets a warning through; it tells how many events were quiet
 * since. For the warnings that come in floods: exhausted resources (connections refused, failed accepts, memory),
 * requests between nodes refused for want of their proof.
 *
 * <p>Thread-safe.
 */
public final class Throttle {
    /** The least time between two warnings of one kind. */
    public static final long WARN_EVERY_SECONDS = 10;

    private final AtomicLong lastNanos =
            new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(WARN_EVERY_SECONDS));
    private final AtomicLong events = new AtomicLong();

    /** Counts an event; returns the events since the last line (this one included) if one is due now, else 0. */
    public long due() {
        events.incrementAndGet();
        long now = System.nanoTime();
        long last = lastNanos.get();
        if (now - last < TimeUnit.SECONDS.toNanos(WARN_EVERY_SECONDS) || !lastNanos.compareAndSet(last, now)) {
            return 0;
        }
        return events.getAndSet(0);
    }
}
