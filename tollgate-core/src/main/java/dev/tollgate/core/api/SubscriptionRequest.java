package dev.tollgate.core.api;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Sets a customer's subscription.
 *
 * <p>Versions (grandfathering): a customer already on the plan stays on the version it has unless {@code planVersion}
 * moves it, whatever else the request changes (add-ons, a trial); a new subscription, or a change to another plan,
 * takes the plan's latest version unless {@code planVersion} names another. Add-ons follow the same rule, each with
 * its own {@link AddonQuantity#version()}.
 *
 * @param plan the plan key
 * @param planVersion the plan version to pin, or {@code null} for the rule above
 * @param addons add-ons with quantities
 * @param trial a trial, or {@code null}
 * @param startAt the start (and period anchor); {@code null} keeps the running subscription's anchor, or now
 * @param idempotencyKey the caller's key, or {@code null}
 */
public record SubscriptionRequest(
        String plan,
        @Nullable VersionChoice planVersion,
        List<AddonQuantity> addons,
        @Nullable TrialRequest trial,
        @Nullable Instant startAt,
        @Nullable String idempotencyKey) {

    public SubscriptionRequest {
        addons = List.copyOf(addons);
    }

    /** A request that leaves the versions to the rule above. */
    public SubscriptionRequest(
            String plan,
            List<AddonQuantity> addons,
            @Nullable TrialRequest trial,
            @Nullable Instant startAt,
            @Nullable String idempotencyKey) {
        this(plan, null, addons, trial, startAt, idempotencyKey);
    }

    /**
     * A version asked for explicitly: a number, or the latest published.
     *
     * @param number the version, at least 1, or {@code null} for the latest
     */
    public record VersionChoice(@Nullable Integer number) {
        /** The latest published version. */
        public static final VersionChoice LATEST = new VersionChoice(null);

        public VersionChoice {
            if (number != null && number < 1) {
                throw new IllegalArgumentException("a version is at least 1, was " + number);
            }
        }

        /** Version {@code number}. */
        public static VersionChoice of(int number) {
            return new VersionChoice(number);
        }
    }

    /**
     * An add-on to subscribe to, and how many.
     *
     * @param key the add-on key
     * @param quantity how many, at least 1
     * @param version the add-on version to pin, or {@code null}: the one the customer has, else the latest
     */
    public record AddonQuantity(
            String key, int quantity, @Nullable VersionChoice version) {
        /** An add-on whose version follows the rule above. */
        public AddonQuantity(String key, int quantity) {
            this(key, quantity, null);
        }
    }

    /**
     * A trial to start with the subscription.
     *
     * @param plan the plan to try, or {@code null} for the subscribed plan itself
     * @param days the trial length, or {@code null} for the tried plan's own
     */
    public record TrialRequest(
            @Nullable String plan, @Nullable Integer days) {}
}
