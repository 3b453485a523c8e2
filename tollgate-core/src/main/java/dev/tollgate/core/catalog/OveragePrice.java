package dev.tollgate.core.catalog;

import dev.tollgate.core.Decimals;
import java.math.BigDecimal;

/**
 * What a plan charges, in its price's money currency, for usage of a metered feature beyond the limit (a soft limit's
 * overage, or usage reported past a hard one): {@code money = overage × amount / per}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param amount money per {@code per} units of overage, {@code >= 0}
 * @param per the number of units {@code amount} is quoted for, {@code > 0}
 */
public record OveragePrice(BigDecimal amount, BigDecimal per) {

    public OveragePrice {
        if (amount.signum() < 0 || per.signum() <= 0) {
            throw new IllegalArgumentException("amount must be >= 0 and per > 0, were " + amount + " and " + per);
        }
    }

    /** The money an overage of {@code quantity} units is charged, exact or rounded as {@link Decimals#divide}. */
    public BigDecimal of(BigDecimal quantity) {
        return Decimals.divide(quantity.multiply(amount), per);
    }
}
