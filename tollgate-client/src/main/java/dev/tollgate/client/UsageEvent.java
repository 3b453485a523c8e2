package dev.tollgate.client;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Usage that already happened, reported with {@link Tollgate#report}: one event of {@code POST /v1/events}. Immutable.
 *
 * @param idempotencyKey the event's key: delivered more than once, it is recorded once
 * @param customerId the customer, not blank
 * @param feature the metered feature's key, not blank
 * @param quantity the units used, above 0
 * @param scope the scope it counts at, or {@code null} for the customer
 * @param sessionId the session it was used in, or {@code null}
 * @param dimensions attribution ({@code model}, {@code workflow}, ...), never {@code null}
 * @param timestamp when it happened, or {@code null}: when the server receives it, or for a report that waited in the
 *     spool, when it was reported. The SDK sends the event as it is, so that the same event again (through the SDK or
 *     straight to the server) is the same request and answers {@code duplicate}
 */
public record UsageEvent(
        String idempotencyKey,
        String customerId,
        String feature,
        BigDecimal quantity,
        @Nullable String scope,
        @Nullable String sessionId,
        Map<String, String> dimensions,
        @Nullable Instant timestamp) {

    /** @throws IllegalArgumentException naming the first invalid argument */
    public UsageEvent {
        Args.key(idempotencyKey, "idempotencyKey");
        Args.id(customerId, "customerId");
        Args.id(feature, "feature");
        Args.positive(quantity, "quantity");
        dimensions = Map.copyOf(Objects.requireNonNull(dimensions, "dimensions"));
    }

    /** An event of {@code quantity} units of {@code feature}, without scope, session, dimensions or timestamp. */
    public static UsageEvent of(String idempotencyKey, String customerId, String feature, long quantity) {
        return new UsageEvent(
                idempotencyKey, customerId, feature, BigDecimal.valueOf(quantity), null, null, Map.of(), null);
    }

    /** This event with {@code values} as its dimensions. */
    public UsageEvent withDimensions(Map<String, String> values) {
        return new UsageEvent(idempotencyKey, customerId, feature, quantity, scope, sessionId, values, timestamp);
    }

    /** This event stamped {@code at}. */
    public UsageEvent at(Instant at) {
        return new UsageEvent(idempotencyKey, customerId, feature, quantity, scope, sessionId, dimensions, at);
    }
}
