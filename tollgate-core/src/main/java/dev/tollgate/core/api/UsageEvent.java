package dev.tollgate.core.api;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Usage that already happened.
 *
 * @param idempotencyKey the caller's key
 * @param customerId the customer
 * @param feature the metered feature key
 * @param quantity units used, {@code > 0}
 * @param scope the scope that used them, or {@code null}
 * @param dimensions attribution dimensions
 * @param timestamp when it happened, or {@code null} for now
 * @param sessionId the session it happened in (it draws on the session's hold), or {@code null}
 */
public record UsageEvent(
        String idempotencyKey,
        String customerId,
        String feature,
        BigDecimal quantity,
        @Nullable String scope,
        Map<String, String> dimensions,
        @Nullable Instant timestamp,
        @Nullable String sessionId) {
    public UsageEvent {
        dimensions = Map.copyOf(dimensions);
        if (quantity.signum() <= 0) {
            throw new IllegalArgumentException("quantity must be > 0, was " + quantity);
        }
    }

    /** An event outside any session. */
    public UsageEvent(
            String idempotencyKey,
            String customerId,
            String feature,
            BigDecimal quantity,
            @Nullable String scope,
            Map<String, String> dimensions,
            @Nullable Instant timestamp) {
        this(idempotencyKey, customerId, feature, quantity, scope, dimensions, timestamp, null);
    }
}
