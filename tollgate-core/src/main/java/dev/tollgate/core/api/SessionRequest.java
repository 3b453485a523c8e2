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
 */
public record SessionRequest(
        @Nullable String scope,
        @Nullable String currency,
        @Nullable String feature,
        BigDecimal amount,
        Duration ttl,
        @Nullable Duration maxLifetime,
        String idempotencyKey) {}
