package dev.tollgate.core.session;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * The price a quoted feature session fixed when it was opened: what every unit consumed in it is charged, whatever the
 * catalog says later, and what its hold of credits is counted in ({@code unitPrice} for each unit it still holds).
 *
 * @param currency the currency the feature was priced in when the session opened, or {@code null} if it had no price
 *     (consumption in the session is then free)
 * @param unitPrice credits per unit, exact ({@code rate / per} of a flat rate card), {@code >= 0}; {@code 0} without a
 *     currency
 */
public record Quote(@Nullable String currency, BigDecimal unitPrice) {
    /** The quote of a feature that had no price: nothing is charged in the session and no credits are held. */
    public static final Quote FREE = new Quote(null, BigDecimal.ZERO);

    /** @throws IllegalArgumentException if {@code unitPrice} is negative, or not 0 without a currency */
    public Quote {
        if (unitPrice.signum() < 0) {
            throw new IllegalArgumentException("unitPrice must be >= 0: " + unitPrice);
        }
        if (currency == null && unitPrice.signum() != 0) {
            throw new IllegalArgumentException("a quote without a currency is free");
        }
    }

    /** Tells whether units consumed under this quote cost credits (of {@link #currency}). */
    public boolean priced() {
        return currency != null;
    }

    /** The credits of {@code quantity} units under this quote: {@code quantity × unitPrice}, exact. */
    public BigDecimal credits(BigDecimal quantity) {
        return quantity.multiply(unitPrice);
    }
}
