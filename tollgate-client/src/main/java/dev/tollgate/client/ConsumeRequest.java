package dev.tollgate.client;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A consume: check and record {@code quantity} units at once. The body of {@code POST /v1/consume}. Immutable.
 *
 * @param customerId the customer, not blank
 * @param feature the metered feature's key, not blank
 * @param quantity the units, above 0
 * @param idempotencyKey the request's key: the same key again answers the first answer and records nothing more
 * @param scope the scope whose budgets also apply, or {@code null} for the customer
 * @param sessionId a session the consume draws on, or {@code null}
 * @param dimensions event dimensions ({@code model}, ...), never {@code null}
 */
public record ConsumeRequest(
        String customerId,
        String feature,
        BigDecimal quantity,
        String idempotencyKey,
        @Nullable String scope,
        @Nullable String sessionId,
        Map<String, String> dimensions) {

    /** @throws IllegalArgumentException naming the first invalid argument */
    public ConsumeRequest {
        Args.id(customerId, "customerId");
        Args.id(feature, "feature");
        Args.positive(quantity, "quantity");
        Args.key(idempotencyKey, "idempotencyKey");
        dimensions = Map.copyOf(Objects.requireNonNull(dimensions, "dimensions"));
    }

    /** A consume of {@code quantity} units of {@code feature}, without scope, session or dimensions. */
    public static ConsumeRequest of(String customerId, String feature, long quantity, String idempotencyKey) {
        return new ConsumeRequest(
                customerId, feature, BigDecimal.valueOf(quantity), idempotencyKey, null, null, Map.of());
    }

    /** This consume at {@code scopeId}. */
    public ConsumeRequest withScope(String scopeId) {
        return new ConsumeRequest(customerId, feature, quantity, idempotencyKey, scopeId, sessionId, dimensions);
    }

    /** This consume with {@code values} as its dimensions. */
    public ConsumeRequest withDimensions(Map<String, String> values) {
        return new ConsumeRequest(customerId, feature, quantity, idempotencyKey, scope, sessionId, values);
    }
}
