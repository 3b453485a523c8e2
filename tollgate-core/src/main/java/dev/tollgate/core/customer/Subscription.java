package dev.tollgate.core.customer;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A customer's subscription: a pinned plan version, add-ons, an optional trial and an optional cancellation.
 *
 * <p>The plan and add-ons count in {@code [startAt, cancelAt)}; the trial in {@code [startAt, trial.endsAt)} and
 * never past {@code cancelAt}. {@code startAt} is also the anchor of the reset windows.
 *
 * @param plan the plan version bought
 * @param addons add-ons with quantities
 * @param startAt when the subscription started (the period anchor)
 * @param trial the trial, or {@code null}
 * @param cancelAt when the subscription ends, or {@code null} if it runs on
 */
public record Subscription(
        PlanRef plan,
        List<AddonRef> addons,
        Instant startAt,
        @Nullable Trial trial,
        @Nullable Instant cancelAt) {

    public Subscription {
        addons = List.copyOf(addons);
    }

    /** Tells whether the plan and add-ons count at {@code t}. */
    public boolean activeAt(Instant t) {
        return !t.isBefore(startAt) && (cancelAt == null || t.isBefore(cancelAt));
    }

    /** Tells whether the trial counts at {@code t}. */
    public boolean trialActiveAt(Instant t) {
        return trial != null && activeAt(t) && t.isBefore(trial.endsAt());
    }

    /** The lifecycle status at {@code t}: {@code scheduled}, {@code trialing}, {@code active} or {@code cancelled}. */
    public String statusAt(Instant t) {
        if (t.isBefore(startAt)) {
            return "scheduled";
        }
        if (cancelAt != null && !t.isBefore(cancelAt)) {
            return "cancelled";
        }
        return trialActiveAt(t) ? "trialing" : "active";
    }

    /** A copy that ends at {@code at}. */
    public Subscription cancelledAt(Instant at) {
        return new Subscription(plan, addons, startAt, trial, at);
    }
}
