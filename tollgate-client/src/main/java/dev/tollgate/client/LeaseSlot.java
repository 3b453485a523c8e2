package dev.tollgate.client;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The leases of one customer, feature and scope: the one admitting ({@link #current}), at most one opened ahead of
 * need ({@code standby}) and at most one being opened; the recent rate, what the server said last, and whether to go
 * to the server for a while (after a refused lease).
 *
 * <p>Room: what the server said is left, in units: the feature's limit less used and held, and for a priced feature
 * also the credits available at its unit price ({@code balance / unitPrice}, rounded down), whichever is smaller.
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
            @Nullable Instant resetsAt,
            @Nullable BigDecimal balance) {
        static Figures of(Decision d) {
            return new Figures(d.limit(), d.unlimited(), d.used(), d.held(), d.resetsAt(), d.balance());
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
    /** The feature's price as the entitlements read last show it, or {@code null} for none. */
    volatile Entitlement.@Nullable Price knownPrice;
    /** Credits per unit of {@link #knownPrice}, or {@code null} if free. */
    volatile @Nullable BigDecimal unitPrice;
    /** When {@link #knownPrice} last changed ({@link System#nanoTime}): a lease opened before may carry the old one. */
    volatile long priceSeenNanos;

    long rateTotal;
    long rateNanos;
    volatile long lastUseNanos;

    LeaseSlot(
            String customerId,
            String feature,
            @Nullable String scope,
            Figures figures,
            Entitlement.@Nullable Price price,
            long nowNanos) {
        this.customerId = customerId;
        this.feature = feature;
        this.scope = scope;
        this.figures = figures;
        this.knownPrice = price;
        this.unitPrice = price == null ? null : price.unitPrice();
        this.priceSeenNanos = nowNanos;
        this.rateNanos = nowNanos;
        this.lastUseNanos = nowNanos;
    }

    /** The feature's price as entitlements read at {@code nowNanos} show it; notes when it changed. */
    void priceRead(Entitlement.@Nullable Price price, long nowNanos) {
        if (!Objects.equals(price, knownPrice)) {
            knownPrice = price;
            unitPrice = price == null ? null : price.unitPrice();
            priceSeenNanos = nowNanos;
        }
    }

    /**
     * Whether {@code lease} was opened before the feature's price last changed and carries another price than the
     * current one: a lease whose open crossed a price change, which must admit nothing.
     */
    boolean stale(Lease lease) {
        return lease.openedNanos - priceSeenNanos < 0 && !lease.price.current(knownPrice);
    }

    /** The server's latest figures; resets the local count since the previous ones. */
    void figures(Decision d) {
        figures = Figures.of(d);
        localSince.set(0);
        room = room(d, unitPrice);
    }

    /**
     * The room a decision reports, in units: the feature's {@code remaining}, and for a priced one at most its
     * {@code balance} over {@code unitPrice}, rounded down; -1 for no bound known.
     */
    static long room(Decision d, @Nullable BigDecimal unitPrice) {
        BigDecimal remaining = d.remaining();
        long units = d.unlimited() || remaining == null ? -1 : clampToLong(remaining);
        BigDecimal balance = d.balance();
        if (d.currency() == null || balance == null || unitPrice == null || unitPrice.signum() <= 0) {
            return units;
        }
        long credits = balance.signum() <= 0 ? 0 : clampToLong(balance.divide(unitPrice, 0, RoundingMode.FLOOR));
        return units < 0 ? credits : Math.min(units, credits);
    }

    /**
     * A lease admission's answer: exact {@code allowed}, and {@code credits} at the lease's price (what the server
     * charges); the figures as the server said last plus this process's admissions since.
     *
     * @param units the units admitted
     * @param price the price of the lease they were admitted against
     */
    Decision admitted(long units, LeasePrice price) {
        Figures f = figures;
        long since = localSince.get();
        BigDecimal used = f.used().add(BigDecimal.valueOf(since));
        BigDecimal remaining = f.limit() == null
                ? null
                : f.limit().subtract(used).subtract(f.held()).max(BigDecimal.ZERO);
        BigDecimal balance = f.balance();
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
                price.currency(),
                price.priced() ? price.credits(units) : null,
                price.priced() && balance != null ? balance.subtract(price.credits(since)) : null,
                true,
                Source.CACHE);
    }

    static long clampToLong(BigDecimal v) {
        BigDecimal floor = v.setScale(0, RoundingMode.FLOOR);
        return floor.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : floor.longValue();
    }
}
