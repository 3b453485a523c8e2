package dev.tollgate.client;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A check: may this customer use this feature (this many units)? The body of {@code POST /v1/check}. Immutable.
 *
 * @param customerId the customer, not blank
 * @param feature the feature's key, not blank
 * @param quantity the units asked about, or {@code null} for "is any room left"
 * @param scope the scope (team, agent, ...) whose budgets also apply, or {@code null} for the customer
 * @param sessionId a session the request belongs to, or {@code null}
 * @param dimensions event dimensions ({@code model}, ...), never {@code null}
 */
public record CheckRequest(
        String customerId,
        String feature,
        @Nullable BigDecimal quantity,
        @Nullable String scope,
        @Nullable String sessionId,
        Map<String, String> dimensions) {

    /** @throws IllegalArgumentException naming the first invalid argument */
    public CheckRequest {
        Args.id(customerId, "customerId");
        Args.id(feature, "feature");
        Args.quantity(quantity, "quantity");
        dimensions = Map.copyOf(Objects.requireNonNull(dimensions, "dimensions"));
    }

    /** A check of {@code feature} for {@code customerId}, without quantity, scope, session or dimensions. */
    public static CheckRequest of(String customerId, String feature) {
        return new CheckRequest(customerId, feature, null, null, null, Map.of());
    }

    /** This check asking about {@code units}. */
    public CheckRequest withQuantity(BigDecimal units) {
        return new CheckRequest(customerId, feature, units, scope, sessionId, dimensions);
    }

    /** This check at {@code scopeId}. */
    public CheckRequest withScope(String scopeId) {
        return new CheckRequest(customerId, feature, quantity, scopeId, sessionId, dimensions);
    }
}
