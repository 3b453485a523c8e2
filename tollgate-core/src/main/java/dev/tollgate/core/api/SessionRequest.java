package dev.tollgate.core.api;

import dev.tollgate.core.engine.Engine;
import java.math.BigDecimal;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A session asked for.
 *
 * @param scope the scope whose budgets it holds on, or {@code null}
 * @param currency the currency to hold, or {@code null} for a feature session
 * @param feature the metered feature to hold, or {@code null} for a currency session
 * @param amount what to hold, {@code > 0}
 * @param ttl how long until the hold is released by itself, unless a heartbeat extends it
 * @param maxLifetime the most a heartbeat can extend it to, from now, or {@code null} for
 *     {@link Engine#MAX_SESSION_LIFETIME}
 * @param idempotencyKey the caller's key
 * @param pricing how what is consumed in it is priced: when it is recorded ({@link Pricing#AT_USE}), or at the
 *     price of when it opened ({@link Pricing#QUOTED}, a feature session only, whose hold then includes the credits)
 */
public record SessionRequest(
        @Nullable String scope,
        @Nullable String currency,
        @Nullable String feature,
        BigDecimal amount,
        Duration ttl,
        @Nullable Duration maxLifetime,
        String idempotencyKey,
        Pricing pricing) {

    /** How consumption in a session is priced. */
    public enum Pricing {
        /** At the feature's price when each consumption is recorded: the catalog's at that time. */
        AT_USE,
        /**
         * At the feature's price when the session opened, which it keeps ({@link dev.tollgate.core.session.Quote}); the
         * session then holds the credits of its amount as well as its units. Only for a feature whose price is the same
         * for every consumption (no tiers, no prices by dimension), or that has none.
         */
        QUOTED
    }

    /** A session priced {@link Pricing#AT_USE}. */
    public SessionRequest(
            @Nullable String scope,
            @Nullable String currency,
            @Nullable String feature,
            BigDecimal amount,
            Duration ttl,
            @Nullable Duration maxLifetime,
            String idempotencyKey) {
        this(scope, currency, feature, amount, ttl, maxLifetime, idempotencyKey, Pricing.AT_USE);
    }
}
