package dev.tollgate.core.customer;

import dev.tollgate.core.catalog.Entitlement;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An entitlement granted directly to one customer, counting in {@code [startsAt, expiresAt)}.
 *
 * @param id the promotion id, unique within the customer
 * @param feature the feature key
 * @param entitlement what it grants; its type matches the feature's
 * @param startsAt when it starts counting
 * @param expiresAt when it stops counting, or {@code null} if never
 */
public record Promotion(
        String id,
        String feature,
        Entitlement entitlement,
        Instant startsAt,
        @Nullable Instant expiresAt) {

    /** Tells whether the promotion counts at {@code t}. */
    public boolean activeAt(Instant t) {
        return !t.isBefore(startsAt) && (expiresAt == null || t.isBefore(expiresAt));
    }
}
