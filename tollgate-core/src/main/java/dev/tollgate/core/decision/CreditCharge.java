package dev.tollgate.core.decision;

import java.math.BigDecimal;

/**
 * The credit side of a decision on a priced feature.
 *
 * @param currency the rate card's currency
 * @param credits what the quantity costs (charged when recorded, would be charged for a check or a refusal)
 * @param balance the available balance: after the charge for a recorded consumption, before it otherwise
 */
public record CreditCharge(String currency, BigDecimal credits, BigDecimal balance) {}
