package dev.tollgate.core.api;

import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of a customer.
 *
 * @param id the customer id
 * @param name display name, or {@code null}
 * @param metadata free-form metadata
 * @param timeZone the zone of its windows, or {@code null} for UTC
 * @param createdAt when it was created
 * @param subscription the subscription, or {@code null}
 * @param status the subscription status now ({@code none} without one)
 * @param promotions every promotion, active or not
 */
public record CustomerView(
        String id,
        @Nullable String name,
        Map<String, Object> metadata,
        @Nullable String timeZone,
        Instant createdAt,
        @Nullable Subscription subscription,
        String status,
        List<Promotion> promotions) {}
