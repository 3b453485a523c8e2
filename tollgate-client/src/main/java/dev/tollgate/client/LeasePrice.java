package dev.tollgate.client;

import java.math.BigDecimal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The price a lease admits at: what its session fixed when it opened ({@code "quote"} in the answer of {@code POST
 * /v1/sessions}), and what the server charges for every unit used in it, whatever the catalog says later. Immutable.
 *
 * @param currency the currency, or {@code null} for a feature without a price (free)
 * @param unitPrice credits per unit, exact; {@code 0} when free
 */
record LeasePrice(@Nullable String currency, BigDecimal unitPrice) {
    /** A feature without a price. */
    static final LeasePrice FREE = new LeasePrice(null, BigDecimal.ZERO);

    LeasePrice {
        Objects.requireNonNull(unitPrice, "unitPrice");
    }

    boolean priced() {
        return currency != null;
    }

    /** The credits of {@code units} units, exact and without trailing zeros (as the server writes them). */
    BigDecimal credits(long units) {
        BigDecimal c = BigDecimal.valueOf(units).multiply(unitPrice);
        if (c.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal stripped = c.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    /**
     * Whether this is the price an entitlement shows now: the same currency and unit price, or no price for a free
     * lease. A price without a unit price (tiers, rates by dimension) is never a lease's.
     */
    boolean current(Entitlement.@Nullable Price now) {
        if (now == null) {
            return currency == null;
        }
        BigDecimal unit = now.unitPrice();
        return now.currency().equals(currency) && unit != null && unit.compareTo(unitPrice) == 0;
    }
}
