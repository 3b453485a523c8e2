package dev.tollgate.client;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The leases of one customer, feature and scope: the one admitting ({@link #current}), at most one opened ahead of
 * need ({@code standby}) and at most one being opened; the recent rate, what the server said last, and whether to go
 * to the server for a while (after a refused lease).
 *
 * <p>Concurrency: {@link #current} is read without a lock on the admit path; every change of the leases happens under
 * this object's monitor.
 */
final class LeaseSlot {
    /** What the server said last about the feature, for the figures of local answers (display only). */
    record Figures(
            @Nullable BigDecimal limit,
            boolean unlimited,
            BigDecimal used,
            BigDecimal held,
            @Nullable Instant resetsAt) {
        static Figures of(Decision d) {
            return new Figures(d.limit(), d.unlimited(), d.used(), d.held(), d.resetsAt());
        }
    }

    final String customerId;
    final String feature;
    final @Nullable String scope;
    volatile @Nullable Lease current;

    @Nullable
    Lease standby;

    @Nullable
    CompletableFuture<@Nullable Lease> opening;

    volatile long remoteUntilNanos;
    volatile Figures figures;
    /** Units admitted locally since {@link #figures} were read. */
    final AtomicLong localSince = new AtomicLong();
    /** Units admitted locally in all, for the rate. */
    final AtomicLong admittedTotal = new AtomicLong();
    /** The server's room (limit minus used and held) as last known, less what this slot has held since; -1 unknown. */
    volatile long room = -1;
    /** Units per second, smoothed; -1 before the first measure. */
    volatile double rate = -1;

    long rateTotal;
    long rateNanos;
    volatile long lastUseNanos;

    LeaseSlot(String customerId, String feature, @Nullable String scope, Figures figures, long nowNanos) {
        this.customerId = customerId;
        this.feature = feature;
        this.scope = scope;
        this.figures = figures;
        this.rateNanos = nowNanos;
        this.lastUseNanos = nowNanos;
    }

    /** The server's latest figures; resets the local count since the previous ones. */
    void figures(Decision d) {
        figures = Figures.of(d);
        localSince.set(0);
        BigDecimal remaining = d.remaining();
        room = d.unlimited() || remaining == null ? -1 : clampToLong(remaining);
    }

    /** A lease admission's answer: exact {@code allowed}; figures as the server said last plus local admissions. */
    Decision admitted() {
        Figures f = figures;
        BigDecimal used = f.used().add(BigDecimal.valueOf(localSince.get()));
        BigDecimal remaining = f.limit() == null
                ? null
                : f.limit().subtract(used).subtract(f.held()).max(BigDecimal.ZERO);
        return new Decision(
                true,
                null,
                null,
                f.limit(),
                used,
                f.held(),
                remaining,
                f.unlimited(),
                false,
                null,
                f.resetsAt(),
                null,
                null,
                null,
                null,
                true,
                Source.CACHE);
    }

    static long clampToLong(BigDecimal v) {
        BigDecimal floor = v.setScale(0, java.math.RoundingMode.FLOOR);
        return floor.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : floor.longValue();
    }
}
