package dev.tollgate.core.credit;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A grant of credits as created; what remains of it is kept in the customer's credit account (inside the engine).
 *
 * @param id unique per customer ({@code g-…} for API grants, deterministic ids for allotments and recharges)
 * @param currency the currency key
 * @param amount credits granted, {@code > 0}
 * @param promotional {@code true} for promotional credits, {@code false} for paid
 * @param costBasis money paid per credit; 0 for promotional
 * @param priority burn priority, lower burns first
 * @param effectiveAt from when it counts
 * @param expiresAt when its remainder stops counting, or {@code null} for never; after {@code effectiveAt}
 * @param source {@code api}, {@code allotment}, {@code recharge}
 * @param reference what produced it (the plan or add-on allotment, the consumption that triggered a recharge), or
 *     {@code null}
 */
public record Grant(
        String id,
        String currency,
        BigDecimal amount,
        boolean promotional,
        BigDecimal costBasis,
        int priority,
        Instant effectiveAt,
        @Nullable Instant expiresAt,
        String source,
        @Nullable String reference) {

    public Grant {
        Objects.requireNonNull(id, "id");
        if (amount.signum() <= 0) {
            throw new IllegalArgumentException("amount must be > 0, was " + amount);
        }
        if (costBasis.signum() < 0) {
            throw new IllegalArgumentException("costBasis must be >= 0, was " + costBasis);
        }
        if (expiresAt != null && !expiresAt.isAfter(effectiveAt)) {
            throw new IllegalArgumentException("expiresAt must be after effectiveAt");
        }
    }

    /** Tells whether the grant counts at {@code t}: effective, and not yet expired (windows are half-open). */
    public boolean liveAt(Instant t) {
        return !t.isBefore(effectiveAt) && (expiresAt == null || t.isBefore(expiresAt));
    }
}
