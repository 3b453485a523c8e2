package dev.tollgate.core;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Exact decimal helpers. Every quantity and credit amount in Tollgate is a {@link BigDecimal} normalised by {@link
 * #normalize}, so that {@code equals} agrees with {@code compareTo} and values print without trailing zeros.
 *
 * <p>Thread-safe: stateless.
 */
public final class Decimals {
    /** The largest scale (digits after the point) a quantity or amount may carry. */
    public static final int MAX_SCALE = 12;

    /** The largest absolute value accepted for a quantity or amount. */
    public static final BigDecimal MAX_VALUE = new BigDecimal("1e18");

    private Decimals() {}

    /**
     * Strips trailing zeros and maps every zero to {@link BigDecimal#ZERO}.
     *
     * @param value a non-null decimal
     * @return the canonical form of {@code value}
     */
    public static BigDecimal normalize(BigDecimal value) {
        if (value.signum() == 0) {
            return BigDecimal.ZERO;
        }
        if (value.scale() == 0) {
            // an integer of scale 0 is canonical already; stripping and rescaling it cost two allocations
            return value;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    /**
     * Tells whether {@code value} fits Tollgate's range: at most {@link #MAX_SCALE} decimals and an absolute value
     * below {@link #MAX_VALUE}.
     */
    public static boolean inRange(BigDecimal value) {
        return normalize(value).scale() <= MAX_SCALE && value.abs().compareTo(MAX_VALUE) < 0;
    }

    /**
     * {@code dividend / divisor}, exact when the quotient terminates, else rounded half-even to {@link #MAX_SCALE}
     * decimal places; normalised. Prices and costs quoted "per 1000 units" divide this way.
     *
     * @param divisor a non-zero decimal
     * @throws ArithmeticException if {@code divisor} is zero
     */
    public static BigDecimal divide(BigDecimal dividend, BigDecimal divisor) {
        BigDecimal exact;
        try {
            exact = dividend.divide(divisor);
        } catch (ArithmeticException nonTerminating) {
            exact = dividend.divide(divisor, MAX_SCALE, RoundingMode.HALF_EVEN);
        }
        return normalize(exact);
    }

    /** The larger of two decimals. */
    public static BigDecimal max(BigDecimal a, BigDecimal b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The smaller of two decimals. */
    public static BigDecimal min(BigDecimal a, BigDecimal b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
