package dev.tollgate.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One lease: a session on the server that holds {@code amount} units of a feature for this client (and, for a priced
 * feature, their credits at the price the session fixed: {@link #price}), and the count of units admitted against it.
 *
 * <p>Concurrency: {@link #tryAdmit} is one compare-and-set on a counter that never goes beyond {@code amount}, so any
 * number of threads together admit at most what the server holds. {@link #seal} turns the counter negative
 * ({@code -(admitted + 1)}) in one step: after it nothing more is admitted, and what it returns is final, the
 * {@code used} of the session's close. Events are counted in before their admission ({@link #eventQueued}), so once
 * sealed, {@link #drained()} completes when the last admitted unit's event has been sent or given up.
 *
 * <p>Deadline: admissions stop at {@code admitUntilNanos} (the local clock when the open was sent, plus the lease's
 * maximum age), well before the server's deadline, which counts from when the server received the open.
 */
final class Lease {
    final String sessionId;
    final long amount;
    final long openedNanos;
    final long admitUntilNanos;
    /** The price the session fixed: what each unit admitted here is charged by the server. */
    final LeasePrice price;

    private final AtomicLong admitted = new AtomicLong();
    private final AtomicInteger unsent = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile long lastAdmitNanos;

    Lease(String sessionId, long amount, long openedNanos, long admitUntilNanos, LeasePrice price) {
        this.sessionId = sessionId;
        this.amount = amount;
        this.openedNanos = openedNanos;
        this.admitUntilNanos = admitUntilNanos;
        this.price = price;
        this.lastAdmitNanos = openedNanos;
    }

    /** Admits {@code units} if they fit in what is left and the lease is neither sealed nor past its age. */
    boolean tryAdmit(long units, long nowNanos) {
        if (nowNanos - admitUntilNanos >= 0) {
            return false;
        }
        while (true) {
            long a = admitted.get();
            if (a < 0 || a + units > amount) {
                return false;
            }
            if (admitted.compareAndSet(a, a + units)) {
                lastAdmitNanos = nowNanos;
                return true;
            }
        }
    }

    /** Units left to admit (0 once sealed). */
    long remaining() {
        long a = admitted.get();
        return a < 0 ? 0 : amount - a;
    }

    /** Units admitted so far. */
    long admitted() {
        long a = admitted.get();
        return a < 0 ? -a - 1 : a;
    }

    boolean sealed() {
        return admitted.get() < 0;
    }

    /** Whether nothing can be admitted any more: sealed, spent or past its age. */
    boolean spent(long nowNanos) {
        return remaining() == 0 || nowNanos - admitUntilNanos >= 0;
    }

    long lastAdmitNanos() {
        return lastAdmitNanos;
    }

    /** Stops admissions; returns the units admitted, final from now on. Idempotent. */
    long seal() {
        while (true) {
            long a = admitted.get();
            if (a < 0) {
                return -a - 1;
            }
            if (admitted.compareAndSet(a, -a - 1)) {
                if (unsent.get() == 0) {
                    drained.complete(null);
                }
                return a;
            }
        }
    }

    /** An admission's event is about to be queued (call before {@link #tryAdmit}). */
    void eventQueued() {
        unsent.incrementAndGet();
    }

    /** An event's fate is settled (sent, or given up), or its admission failed. */
    void eventDone() {
        if (unsent.decrementAndGet() == 0 && sealed()) {
            drained.complete(null);
        }
    }

    /** Completes once sealed and every admitted unit's event has been sent or given up. */
    CompletableFuture<Void> drained() {
        return drained;
    }
}
