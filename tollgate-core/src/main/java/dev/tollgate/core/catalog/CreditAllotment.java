package dev.tollgate.core.catalog;

import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;

/**
 * Credits a plan or add-on grants every period.
 *
 * @param currency the currency key
 * @param amount credits per period (per unit of add-on quantity)
 * @param every how often the grant is issued
 * @param promotional {@code true} for promotional credits, {@code false} for paid
 * @param expiresAtPeriodEnd {@code true} if the grant expires when its period ends
 * @param priority burn priority, lower first
 */
public record CreditAllotment(
        String currency,
        BigDecimal amount,
        ResetPeriod every,
        boolean promotional,
        boolean expiresAtPeriodEnd,
        int priority) {}
