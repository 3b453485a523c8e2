package dev.tollgate.core.api;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Grants one customer an entitlement directly.
 *
 * @param feature the feature key
 * @param entitlement the entitlement, as in a catalog document ({@code {"limit": 500}}), in the JSON tree model
 * @param startsAt when it starts, or {@code null} for now
 * @param expiresAt when it ends, or {@code null} for never
 * @param idempotencyKey the caller's key, or {@code null}
 */
public record PromotionRequest(
        String feature,
        @Nullable Object entitlement,
        @Nullable Instant startsAt,
        @Nullable Instant expiresAt,
        @Nullable String idempotencyKey) {}
