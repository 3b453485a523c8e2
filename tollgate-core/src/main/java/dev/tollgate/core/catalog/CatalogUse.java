package dev.tollgate.core.catalog;

import java.util.Set;

/**
 * What one customer uses of the catalog, by key: gathered by the engine from the customer's state and checked by
 * {@link CatalogInUse} against a catalog about to be published. Immutable.
 *
 * @param plans plan keys of a subscription that has not ended, at any pinned version, and of a running trial
 * @param addons add-on keys bought by such a subscription
 * @param features features those pinned plan and add-on versions grant, and those of unexpired promotions and of
 *     budgets
 * @param currencies currencies those pinned versions allot, and those of a non-zero balance or overdraft, a
 *     remaining grant, an auto-recharge setting or a budget
 */
public record CatalogUse(Set<String> plans, Set<String> addons, Set<String> features, Set<String> currencies) {

    public CatalogUse {
        plans = Set.copyOf(plans);
        addons = Set.copyOf(addons);
        features = Set.copyOf(features);
        currencies = Set.copyOf(currencies);
    }
}
