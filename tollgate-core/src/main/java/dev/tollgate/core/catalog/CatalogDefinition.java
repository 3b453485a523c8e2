package dev.tollgate.core.catalog;

import java.util.List;
import java.util.Map;

/**
 * A validated catalog document, before versions are assigned. Plans are already flattened through their parents;
 * their {@code version} and the add-ons' are 0 until {@link Catalog#publish} numbers them.
 *
 * @param currencies by key, in document order
 * @param features by key, in document order
 * @param rateCards in document order
 * @param plans by key, in document order
 * @param addons by key, in document order
 */
public record CatalogDefinition(
        Map<String, Currency> currencies,
        Map<String, Feature> features,
        List<RateCard> rateCards,
        Map<String, PlanVersion> plans,
        Map<String, AddonVersion> addons) {}
