package dev.tollgate.core.catalog;

import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.util.Map;

/**
 * A list price, kept for billing exports and for cancellation at period end, and what usage beyond a limit costs.
 *
 * @param amount money per period
 * @param currency ISO money code ({@code USD})
 * @param every the billing period
 * @param overage metered feature key to what its overage costs, in {@code currency}; empty when the plan prices none
 */
public record Price(BigDecimal amount, String currency, ResetPeriod every, Map<String, OveragePrice> overage) {

    public Price {
        overage = Map.copyOf(overage);
    }

    /** A price without overage prices. */
    public Price(BigDecimal amount, String currency, ResetPeriod every) {
        this(amount, currency, every, Map.of());
    }
}
