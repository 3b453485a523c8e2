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
 */
public record Session(
        String id,
        @Nullable String scope,
        @Nullable String currency,
        @Nullable String feature,
        BigDecimal amount,
        Instant openedAt,
        Instant expiresAt,
        Instant maxUntil) {

    public Session {
        if ((currency == null) == (feature == null)) {
            throw new IllegalArgumentException("a session holds either a currency or a feature");
        }
        if (amount.signum() <= 0) {
            throw new IllegalArgumentException("amount must be > 0");
        }
    }
}
