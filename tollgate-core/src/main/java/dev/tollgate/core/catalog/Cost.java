package dev.tollgate.core.catalog;

import dev.tollgate.core.Decimals;
import java.math.BigDecimal;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a metered feature costs the vendor to serve, in money: {@code money = quantity × amount / per}, where the
 * amount may depend on one event dimension (the model behind a token, for example). Costs price nothing for the
 * customer; the margin report sets them against revenue.
 *
 * <p>Immutable and thread-safe.
 *
 * @param feature the metered feature key
 * @param currency the money currency ({@code USD}); one catalog has one cost currency
 * @param per the number of units {@code amount} is quoted for (1000 for "per thousand tokens"), {@code > 0}
 * @param amount the money per {@code per} units for dimension values not listed in {@code byDimension}, or {@code null}
 *     if such usage has no known cost
 * @param byDimension dimension name to (value to amount); at most one dimension
 */
public record Cost(
        String feature,
        String currency,
        BigDecimal per,
        @Nullable BigDecimal amount,
        Map<String, Map<String, BigDecimal>> byDimension) {

    public Cost {
        byDimension = Map.copyOf(byDimension);
        if (per.signum() <= 0) {
            throw new IllegalArgumentException("per must be > 0, was " + per);
        }
    }

    /**
     * The money a quantity of the feature cost.
     *
     * @param quantity units used, {@code >= 0}
     * @param dimensions the usage's dimensions
     * @return {@code quantity × amount / per} (exact, or rounded half-even to {@link Decimals#MAX_SCALE} places when
     *     the division does not terminate), normalised; {@code null} if the usage's dimension value is not listed and
     *     there is no default {@code amount}: its cost is unknown, not zero
     */
    public @Nullable BigDecimal of(BigDecimal quantity, Map<String, String> dimensions) {
        BigDecimal rate = amount;
        for (Map.Entry<String, Map<String, BigDecimal>> d : byDimension.entrySet()) {
            String value = dimensions.get(d.getKey());
            BigDecimal listed = value == null ? null : d.getValue().get(value);
            if (listed != null) {
                rate = listed;
            }
        }
        return rate == null ? null : Decimals.divide(quantity.multiply(rate), per);
    }
}
