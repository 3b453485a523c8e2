package dev.tollgate.core.api;

import java.math.BigDecimal;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A question: may this customer consume this much of this feature, right now?
 *
 * @param customerId the customer
 * @param feature the feature key
 * @param quantity units asked for, {@code >= 0}; {@code null} asks whether any room is left
 * @param scope the scope asking, or {@code null} for the customer itself
 * @param dimensions attribution dimensions (model, workflow, ...)
 * @param sessionId the session asking (its hold is counted as room, its scope is the default), or {@code null}
 */
public record CheckRequest(
        String customerId,
        String feature,
        @Nullable BigDecimal quantity,
        @Nullable String scope,
        Map<String, String> dimensions,
        @Nullable String sessionId) {
    public CheckRequest {
        dimensions = Map.copyOf(dimensions);
        if (quantity != null && quantity.signum() < 0) {
            throw new IllegalArgumentException("quantity must be >= 0, was " + quantity);
        }
    }

    /** A question outside any session. */
    public CheckRequest(
            String customerId,
            String feature,
            @Nullable BigDecimal quantity,
            @Nullable String scope,
            Map<String, String> dimensions) {
        this(customerId, feature, quantity, scope, dimensions, null);
    }
}
