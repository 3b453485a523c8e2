package dev.tollgate.core.credit;

import dev.tollgate.core.Decimals;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.jspecify.annotations.Nullable;

/**
 * Auto-recharge of one currency: when a consumption leaves the available balance below {@code threshold}, a paid
 * grant is created at once, sized to bring the balance back to {@code target} rounded up to whole {@code increment}s
 * (or of a fixed {@code amount} when no target is set), at most {@code maxPerPeriod} times and for at most
 * {@code maxMoneyPerPeriod} of money per month (anchored at the subscription start). When a cap is reached it stays
 * off until the next period.
 *
 * @param currency the currency
 * @param threshold recharge when available falls below this
 * @param target the balance to restore, or {@code null} to grant {@code amount}
 * @param amount the fixed grant when there is no target; the purchase increment when there is one; {@code > 0}
 * @param costBasis money per credit charged for recharged credits, {@code >= 0}
 * @param maxPerPeriod most recharges per period, or {@code null} for no count cap
 * @param maxMoneyPerPeriod most money per period, or {@code null} for no money cap
 */
public record AutoRecharge(
        String currency,
        BigDecimal threshold,
        @Nullable BigDecimal target,
        BigDecimal amount,
        BigDecimal costBasis,
        @Nullable Integer maxPerPeriod,
        @Nullable BigDecimal maxMoneyPerPeriod) {

    public AutoRecharge {
        if (amount.signum() <= 0) {
            throw new IllegalArgumentException("amount must be > 0");
        }
        if (costBasis.signum() < 0) {
            throw new IllegalArgumentException("costBasis must be >= 0");
        }
        if (target != null && target.compareTo(threshold) < 0) {
            throw new IllegalArgumentException("target must be >= threshold");
        }
    }

    /**
     * The credits to grant now.
     *
     * @param available the available balance after the consumption (after holds)
     * @param countThisPeriod recharges already made this period
     * @param moneyThisPeriod money already charged for recharges this period
     * @return the grant's amount, or {@code null} if no recharge is due or a cap forbids it
     */
    public @Nullable BigDecimal due(BigDecimal available, int countThisPeriod, BigDecimal moneyThisPeriod) {
        if (available.compareTo(threshold) >= 0) {
            return null;
        }
        if (maxPerPeriod != null && countThisPeriod >= maxPerPeriod) {
            return null;
        }
        BigDecimal size = amount;
        if (target != null) {
            BigDecimal gap = target.subtract(available);
            size = gap.divide(amount, 0, RoundingMode.CEILING).multiply(amount);
        }
        if (maxMoneyPerPeriod != null
                && moneyThisPeriod.add(size.multiply(costBasis)).compareTo(maxMoneyPerPeriod) > 0) {
            return null;
        }
        return Decimals.normalize(size);
    }
}
