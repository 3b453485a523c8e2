package dev.tollgate.core.catalog;

import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;

/**
 * A list price, kept for billing exports and for cancellation at period end.
 *
 * @param amount money per period
 * @param currency ISO money code ({@code USD})
 * @param every the billing period
 */
public record Price(BigDecimal amount, String currency, ResetPeriod every) {}
