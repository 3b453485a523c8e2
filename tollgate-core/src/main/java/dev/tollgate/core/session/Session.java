package dev.tollgate.core.session;

import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A session as opened: a hold of {@code amount} credits of a currency, or units of a metered feature, on the balance
 * or the feature's limit and on every budget on the path from its scope to the root.
 *
 * @param id unique per customer
 * @param scope the scope whose budgets it holds on, or {@code null}
 * @param currency the currency held, or {@code null} for a feature session
 * @param feature the feature held, or {@code null} for a currency session
 * @param amount what is held, {@code > 0}
 * @param openedAt when it was opened
 * @param expiresAt when the hold is released by itself unless extended
 * @param maxUntil the latest {@code expiresAt} a heartbeat can reach
 * @param quote for a quoted feature session, the price it fixed when it opened (consumption in it is charged that
 *     price, and it holds the credits of what it holds too); {@code null} for every other session, whose consumption
 *     is charged the price current when it is recorded
 */
public record Session(
        String id,
        @Nullable String scope,
        @Nullable String currency,
        @Nullable String feature,
        BigDecimal amount,
        Instant openedAt,
        Instant expiresAt,
        Instant maxUntil,
        @Nullable Quote quote) {

    /** A session that fixes no price. */
    public Session(
            String id,
            @Nullable String scope,
            @Nullable String currency,
            @Nullable String feature,
            BigDecimal amount,
            Instant openedAt,
            Instant expiresAt,
            Instant maxUntil) {
        this(id, scope, currency, feature, amount, openedAt, expiresAt, maxUntil, null);
    }

    /** @throws IllegalArgumentException if it holds both or neither of a currency and a feature, quotes a currency
     *     session, or holds nothing */
    public Session {
        if ((currency == null) == (feature == null)) {
            throw new IllegalArgumentException("a session holds either a currency or a feature");
        }
        if (quote != null && feature == null) {
            throw new IllegalArgumentException("only a feature session fixes a price");
        }
        if (amount.signum() <= 0) {
            throw new IllegalArgumentException("amount must be > 0");
        }
    }

    /** The currency whose credits it holds: its own (a currency session), its quote's, or {@code null} for none. */
    public @Nullable String heldCurrency() {
        return currency != null ? currency : quote == null ? null : quote.currency();
    }

    /**
     * The credits it holds while {@code remaining} of its amount is still held: {@code remaining} itself for a currency
     * session, {@code remaining × unitPrice} for a priced quote, {@code 0} otherwise.
     */
    public BigDecimal heldCredits(BigDecimal remaining) {
        if (currency != null) {
            return remaining;
        }
        return quote == null ? BigDecimal.ZERO : quote.credits(remaining);
    }
}
