package dev.tollgate.core.engine;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Sets a customer's subscription.
 *
 * @param plan the plan key; its current version is pinned
 * @param addons add-ons with quantities
 * @param trial a trial, or {@code null}
 * @param startAt the start (and period anchor); {@code null} keeps the running subscription's anchor, or now
 * @param idempotencyKey the caller's key, or {@code null}
 */
public record SubscriptionRequest(
        String plan,
        List<AddonQuantity> addons,
        @Nullable TrialRequest trial,
        @Nullable Instant startAt,
        @Nullable String idempotencyKey) {

    public SubscriptionRequest {
        addons = List.copyOf(addons);
    }

    /**
     * @param key the add-on key
     * @param quantity how many, at least 1
     */
    public record AddonQuantity(String key, int quantity) {}

    /**
     * @param plan the plan to try, or {@code null} for the subscribed plan itself
     * @param days the trial length, or {@code null} for the tried plan's own
     */
    public record TrialRequest(
            @Nullable String plan, @Nullable Integer days) {}
}
