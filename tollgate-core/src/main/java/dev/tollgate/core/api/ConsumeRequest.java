package dev.tollgate.core.api;

import java.math.BigDecimal;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Check-and-record as one step.
 *
 * @param customerId the customer
 * @param feature the metered feature key
 * @param quantity units to consume, {@code > 0}
 * @param idempotencyKey the caller's key; repeating it returns the first answer
 * @param scope the scope consuming, or {@code null}
 * @param dimensions attribution dimensions
 * @param sessionId the session whose hold it draws on, or {@code null}
 */
public record ConsumeRequest(
        String customerId,
        String feature,
        BigDecimal quantity,
        String idempotencyKey,
        @Nullable String scope,
        Map<String, String> dimensions,
        @Nullable String sessionId) {
    public ConsumeRequest {
        dimensions = Map.copyOf(dimensions);
        if (quantity.signum() <= 0) {
            throw new IllegalArgumentException("quantity must be > 0, was " + quantity);
        }
    }

    /** A consumption outside any session. */
    public ConsumeRequest(
            String customerId,
            String feature,
            BigDecimal quantity,
            String idempotencyKey,
            @Nullable String scope,
            Map<String, String> dimensions) {
        this(customerId, feature, quantity, idempotencyKey, scope, dimensions, null);
    }
}
