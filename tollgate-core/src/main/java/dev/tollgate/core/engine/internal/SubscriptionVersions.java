package dev.tollgate.core.engine.internal;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.catalog.AddonVersion;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.PlanVersion;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.Subscription;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Which plan and add-on versions a {@link SubscriptionRequest} pins (grandfathering): the version asked for; else the
 * one the customer has while it stays on that plan or keeps that add-on; else the latest of the current catalog. A
 * version no longer current (a plan withdrawn from the catalog, an older version) can be kept or asked for by number;
 * the latest is only what the current catalog offers.
 */
final class SubscriptionVersions {
    private SubscriptionVersions() {}

    /**
     * @param current the customer's subscription unless it has ended, or {@code null}
     * @throws TollgateException {@code PLAN_NOT_FOUND} (the latest of a plan the catalog no longer offers), {@code
     *     PLAN_VERSION_NOT_FOUND}
     */
    static PlanVersion plan(Catalog cat, SubscriptionRequest request, @Nullable Subscription current) {
        SubscriptionRequest.VersionChoice choice = request.planVersion();
        String key = request.plan();
        if (choice == null && current != null && current.plan().key().equals(key)) {
            choice = SubscriptionRequest.VersionChoice.of(current.plan().version());
        }
        if (choice == null || choice.number() == null) {
            PlanVersion latest = cat.plans().get(key);
            if (latest == null) {
                throw TollgateException.notFound("PLAN_NOT_FOUND", "plan '" + key + "' is no longer offered", "plan");
            }
            return latest;
        }
        int n = choice.number();
        return cat.planVersion(key, n)
                .orElseThrow(() -> TollgateException.notFound(
                        "PLAN_VERSION_NOT_FOUND", "plan '" + key + "' has no version " + n, "planVersion"));
    }

    /**
     * @param current the customer's subscription unless it has ended, or {@code null}
     * @throws TollgateException {@code ADDON_NOT_FOUND} (the latest of an add-on the catalog no longer offers), {@code
     *     ADDON_VERSION_NOT_FOUND}
     */
    static List<AddonRef> addons(Catalog cat, SubscriptionRequest request, @Nullable Subscription current) {
        List<AddonRef> out = new ArrayList<>();
        for (int i = 0; i < request.addons().size(); i++) {
            SubscriptionRequest.AddonQuantity a = request.addons().get(i);
            SubscriptionRequest.VersionChoice choice = a.version();
            if (choice == null && current != null) {
                for (AddonRef had : current.addons()) {
                    if (had.key().equals(a.key())) {
                        choice = SubscriptionRequest.VersionChoice.of(had.version());
                    }
                }
            }
            AddonVersion addon;
            if (choice == null || choice.number() == null) {
                addon = cat.addons().get(a.key());
                if (addon == null) {
                    throw TollgateException.notFound(
                            "ADDON_NOT_FOUND",
                            "add-on '" + a.key() + "' is no longer offered",
                            "addons[" + i + "].key");
                }
            } else {
                int n = choice.number();
                String field = "addons[" + i + "].version";
                addon = cat.addonVersion(a.key(), n)
                        .orElseThrow(() -> TollgateException.notFound(
                                "ADDON_VERSION_NOT_FOUND", "add-on '" + a.key() + "' has no version " + n, field));
            }
            out.add(new AddonRef(addon.key(), addon.version(), a.quantity()));
        }
        return out;
    }

    /**
     * The plan a trial tries: the subscribed plan's pinned version; another plan's version the customer is already
     * trying; else that plan's latest.
     *
     * @param plan the version the request pins
     * @param current the customer's subscription unless it has ended, or {@code null}
     * @throws TollgateException {@code PLAN_NOT_FOUND} ({@code trial.plan})
     */
    static PlanVersion trialPlan(
            Catalog cat, SubscriptionRequest.TrialRequest trial, PlanVersion plan, @Nullable Subscription current) {
        String key = trial.plan() == null ? plan.key() : trial.plan();
        if (key.equals(plan.key())) {
            return plan;
        }
        if (current != null
                && current.trial() != null
                && current.trial().plan().key().equals(key)) {
            PlanVersion trying =
                    cat.planVersion(key, current.trial().plan().version()).orElse(null);
            if (trying != null) {
                return trying;
            }
        }
        PlanVersion latest = cat.plans().get(key);
        if (latest == null) {
            throw TollgateException.notFound("PLAN_NOT_FOUND", "no plan '" + key + "'", "trial.plan");
        }
        return latest;
    }
}
