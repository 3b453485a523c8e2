package dev.tollgate.core.api;

import java.math.BigDecimal;

/**
 * What a refund gave back.
 *
 * @param consumptionKey the refunded consumption's idempotency key
 * @param currency the currency
 * @param refunded credits returned to their grants (or taken off the overdraft)
 * @param forfeited credits not returned because their grants have expired or been voided, or the overdraft they
 *     came from was already paid back
 */
public record RefundView(String consumptionKey, String currency, BigDecimal refunded, BigDecimal forfeited) {}
