package dev.tollgate.core.budget;

import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A budget on a scope: a cap on a currency's credits or on a metered feature's quantity per period, optionally only
 * for requests with given dimension values ({@code model = gpt-5}).
 *
 * @param key unique within its scope
 * @param currency the currency it caps, or {@code null} if it caps a feature
 * @param feature the feature it caps, or {@code null} if it caps a currency
 * @param limit the cap per period, {@code >= 0}
 * @param period the period; windows are calendar-aligned in the customer's zone
 * @param hard {@code true}: a consumption past the cap is refused; {@code false}: admitted and counted
 * @param alerts fractions of the limit at which alerts fire (kept; delivery comes with alerts)
 * @param dimensions only requests carrying all of these dimension values count
 */
public record Budget(
        String key,
        @Nullable String currency,
        @Nullable String feature,
        BigDecimal limit,
        ResetPeriod period,
        boolean hard,
        List<BigDecimal> alerts,
        Map<String, String> dimensions) {

    public Budget {
        if ((currency == null) == (feature == null)) {
            throw new IllegalArgumentException("a budget caps either a currency or a feature");
        }
        if (limit.signum() < 0) {
            throw new IllegalArgumentException("limit must be >= 0");
        }
        alerts = List.copyOf(alerts);
        dimensions = Map.copyOf(dimensions);
    }
}
