package dev.tollgate.core.credit.internal;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.catalog.RateCard;
import java.math.BigDecimal;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Prices a metered quantity in credits with a {@link RateCard}.
 *
 * <p>The rate: the card's rate for the request's value of its dimension, if the card lists it; otherwise its volume
 * tiers, graduated over the period's usage (units past a tier's {@code upTo} cost the next tier's rate, units past the
 * last tier's {@code upTo} the last tier's rate), or, with {@code tierMode: volume}, all at the rate of the tier the
 * period's usage reaches with this consumption; otherwise its
 * default rate; otherwise the quantity is <em>unpriced</em>. {@code credits = Σ units × rate / per}, exact, with the
 * division rounded half-even to {@value #SCALE} decimal places when {@code per} does not divide evenly.
 */
public final class Pricing {
    /** Decimal places kept when dividing by {@code per}. */
    public static final int SCALE = Decimals.MAX_SCALE;

    private Pricing() {}

    /**
     * Prices a quantity of a feature by its rate card.
     *
     * @param card the feature's rate card
     * @param quantity units consumed, {@code >= 0}
     * @param dimensions the request's dimensions
     * @param usedBefore the feature's usage in the current period before this quantity (for tiers)
     * @return the credits, or {@code null} if the quantity cannot be priced (refuse it: {@code UNPRICED})
     */
    public static @Nullable BigDecimal price(
            RateCard card, BigDecimal quantity, Map<String, String> dimensions, BigDecimal usedBefore) {
        for (Map.Entry<String, Map<String, BigDecimal>> d : card.byDimension().entrySet()) {
            String value = dimensions.get(d.getKey());
            BigDecimal rate = value == null ? null : d.getValue().get(value);
            if (rate != null) {
                return credits(quantity.multiply(rate), card.per());
            }
        }
        if (!card.tiers().isEmpty()) {
            BigDecimal units = card.volume()
                    ? quantity.multiply(volumeRate(card, usedBefore.add(quantity)))
                    : tiered(card, quantity, usedBefore);
            return credits(units, card.per());
        }
        if (card.rate() != null) {
            return credits(quantity.multiply(card.rate()), card.per());
        }
        return null;
    }

    /**
     * The price of one unit, when a card prices every consumption alike: no tiers, no rates by dimension, a default
     * rate, and {@code rate / per} an exact decimal. Then {@link #price} of any quantity {@code q}, with any dimensions
     * and any usage before, is {@code q × unitPrice} exactly (no rounding), which is what a quote relies on.
     *
     * @return credits per unit, normalised, or {@code null} when the price of a consumption depends on more than its
     *     quantity, or a unit's price has no exact decimal form
     */
    public static @Nullable BigDecimal unitPrice(RateCard card) {
        BigDecimal rate = card.rate();
        if (rate == null || !card.tiers().isEmpty() || !card.byDimension().isEmpty()) {
            return null;
        }
        try {
            return Decimals.normalize(rate.divide(card.per()));
        } catch (ArithmeticException nonTerminating) {
            return null;
        }
    }

    private static BigDecimal tiered(RateCard card, BigDecimal quantity, BigDecimal usedBefore) {
        BigDecimal from = usedBefore;
        BigDecimal to = usedBefore.add(quantity);
        BigDecimal tierStart = BigDecimal.ZERO;
        BigDecimal units = BigDecimal.ZERO;
        for (int i = 0; i < card.tiers().size(); i++) {
            RateCard.Tier tier = card.tiers().get(i);
            // units past the last tier's upTo stay at the last tier's rate: never free
            BigDecimal tierEnd = i == card.tiers().size() - 1 ? null : tier.upTo();
            BigDecimal lo = from.max(tierStart);
            BigDecimal hi = tierEnd == null ? to : to.min(tierEnd);
            if (hi.compareTo(lo) > 0) {
                units = units.add(hi.subtract(lo).multiply(tier.rate()));
            }
            if (tierEnd == null) {
                break;
            }
            tierStart = tierEnd;
        }
        return units;
    }

    /** The rate of the tier a period usage of {@code total} falls in (the last tier's past its {@code upTo}). */
    private static BigDecimal volumeRate(RateCard card, BigDecimal total) {
        for (RateCard.Tier tier : card.tiers()) {
            if (tier.upTo() == null || total.compareTo(tier.upTo()) <= 0) {
                return tier.rate();
            }
        }
        return card.tiers().get(card.tiers().size() - 1).rate();
    }

    private static BigDecimal credits(BigDecimal unitsTimesRate, BigDecimal per) {
        return Decimals.divide(unitsTimesRate, per);
    }
}
