package dev.tollgate.client;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Opening a session: a hold of {@code amount} units of a feature, or credits of a currency, for one agent run or job.
 * The body of {@code POST /v1/sessions}. Immutable.
 *
 * @param customerId the customer, not blank
 * @param scope the scope it runs at, or {@code null} for the customer
 * @param feature the metered feature held, or {@code null} when {@code currency} is given
 * @param currency the currency held, or {@code null} when {@code feature} is given
 * @param amount what is held, above 0
 * @param ttl how long it lives without a heartbeat, at least one second
 * @param idempotencyKey the request's key
 */
public record SessionRequest(
        String customerId,
        @Nullable String scope,
        @Nullable String feature,
        @Nullable String currency,
        BigDecimal amount,
        Duration ttl,
        String idempotencyKey) {

    /** @throws IllegalArgumentException naming the first invalid argument */
    public SessionRequest {
        Args.id(customerId, "customerId");
        if ((feature == null) == (currency == null)) {
            throw new IllegalArgumentException("give exactly one of feature and currency");
        }
        Args.positive(amount, "amount");
        if (Objects.requireNonNull(ttl, "ttl").toSeconds() < 1) {
            throw new IllegalArgumentException("ttl must be at least one second: " + ttl);
        }
        Args.key(idempotencyKey, "idempotencyKey");
    }

    /** A session holding {@code amount} units of {@code feature} for {@code customerId} at the customer's root. */
    public static SessionRequest ofFeature(
            String customerId, String feature, BigDecimal amount, Duration ttl, String idempotencyKey) {
        return new SessionRequest(customerId, null, feature, null, amount, ttl, idempotencyKey);
    }
}
