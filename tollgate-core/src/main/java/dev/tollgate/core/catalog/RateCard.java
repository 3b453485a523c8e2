package dev.tollgate.core.catalog;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Prices a metered feature in credits: {@code credits = quantity / per × rate}, where the rate may depend on one
 * event dimension, and tiers lower the rate past a usage volume within the period.
 *
 * @param feature the metered feature key
 * @param currency the currency key
 * @param per the number of units the rate is quoted for (1000 for "per thousand tokens")
 * @param rate the default rate, or {@code null} if values missing from {@code byDimension} are unpriced
 * @param byDimension dimension name to (value to rate); at most one dimension
 * @param tiers volume tiers in ascending order; empty for a flat rate
 * @param volume {@code false} (graduated, the default): each unit costs the rate of the tier it falls in;
 *     {@code true} (volume): a consumption's units all cost the rate of the tier the period's usage reaches with it
 */
public record RateCard(
        String feature,
        String currency,
        BigDecimal per,
        @Nullable BigDecimal rate,
        Map<String, Map<String, BigDecimal>> byDimension,
        List<Tier> tiers,
        boolean volume) {

    /**
     * A volume tier: units of the period's usage up to {@code upTo} (exclusive of the previous tier) cost
     * {@code rate}.
     *
     * @param upTo the upper bound of the tier in units, or {@code null} for the last, open tier
     * @param rate the rate per {@code per} units inside the tier
     */
    public record Tier(@Nullable BigDecimal upTo, BigDecimal rate) {}
}
