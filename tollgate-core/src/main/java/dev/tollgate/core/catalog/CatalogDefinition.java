package dev.tollgate.core.catalog;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A validated catalog document, before versions are assigned. Plans are already flattened through their parents;
 * their {@code version} and the add-ons' are 0 until {@link Catalog#publish} numbers them.
 *
 * @param currencies by key, in document order
 * @param features by key, in document order
 * @param rateCards in document order
 * @param plans by key, in document order
 * @param addons by key, in document order
 * @param costs by feature key, in document order; all in one money currency ({@link #moneyCurrency})
 */
public record CatalogDefinition(
        Map<String, Currency> currencies,
        Map<String, Feature> features,
        List<RateCard> rateCards,
        Map<String, PlanVersion> plans,
        Map<String, AddonVersion> addons,
        Map<String, Cost> costs) {

    /** A definition without costs. */
    public CatalogDefinition(
            Map<String, Currency> currencies,
            Map<String, Feature> features,
            List<RateCard> rateCards,
            Map<String, PlanVersion> plans,
            Map<String, AddonVersion> addons) {
        this(currencies, features, rateCards, plans, addons, Map.of());
    }

    /**
     * The money currency of this catalog's costs and overage prices: the validation holds them to one. The margin
     * report states the revenue from credits' cost basis in it too.
     *
     * @return the currency of the costs, else of the plans that price overage, or {@code null} if there is neither
     */
    public @Nullable String moneyCurrency() {
        if (!costs.isEmpty()) {
            return costs.values().iterator().next().currency();
        }
        for (PlanVersion p : plans.values()) {
            if (p.price() != null && !p.price().overage().isEmpty()) {
                return p.price().currency();
            }
        }
        return null;
    }
}
