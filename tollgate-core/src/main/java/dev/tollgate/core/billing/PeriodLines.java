package dev.tollgate.core.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one customer is billed for one period: the invoice-ready lines of {@link PeriodExport}. Decimals are
 * normalised (no trailing zeros), so that the same lines always print the same.
 *
 * @param customerId the customer
 * @param plans the plan versions its subscription was on during the period, in time order
 * @param features its metered usage, by feature, window and plan version
 * @param credits its credits consumed, by currency
 * @param recharges the auto-recharges it bought, in the order they were made
 */
public record PeriodLines(
        String customerId,
        List<PlanLine> plans,
        List<FeatureLine> features,
        List<CreditLine> credits,
        List<RechargeLine> recharges) {

    public PeriodLines {
        plans = List.copyOf(plans);
        features = List.copyOf(features);
        credits = List.copyOf(credits);
        recharges = List.copyOf(recharges);
    }

    /** Whether there is nothing to bill: no plan in force, no usage, no credits, no recharge. */
    public boolean isEmpty() {
        return plans.isEmpty() && features.isEmpty() && credits.isEmpty() && recharges.isEmpty();
    }

    /**
     * A span of the period during which the subscription was on one plan version (its status aside: a trial of the
     * plan is on it too).
     *
     * @param plan the plan key
     * @param planVersion the plan version
     * @param from the span's start, within the period
     * @param to its end, exclusive, within the period
     */
    public record PlanLine(String plan, int planVersion, Instant from, Instant to) {}

    /**
     * The usage of one metered feature recorded in the period, in one of the feature's windows, while on one plan
     * version.
     *
     * @param feature the feature
     * @param plan the plan the subscription was on when the usage was recorded, or {@code null} if none was in force
     *     (usage a promotion allowed)
     * @param planVersion that plan's version, or {@code null}
     * @param windowStart the start of the feature's window (reset period) the usage counted in
     * @param windowEnd its end, or {@code null} for a feature that never resets
     * @param included the feature's limit for that window as it stood when the line's last usage was recorded (plan,
     *     add-ons, trial and promotions together), or {@code null} if unlimited
     * @param used the quantity recorded in the period
     * @param overage the part of {@code used} recorded beyond the limit (soft limits, usage reported past a hard one)
     * @param events how many usage records
     */
    public record FeatureLine(
            String feature,
            @Nullable String plan,
            @Nullable Integer planVersion,
            Instant windowStart,
            @Nullable Instant windowEnd,
            @Nullable BigDecimal included,
            BigDecimal used,
            BigDecimal overage,
            long events) {}

    /**
     * The credits of one currency consumed in the period.
     *
     * @param currency the currency
     * @param consumed credits consumed (the {@code CONSUME} ledger entries, overdraft included), positive
     * @param refunded credits given back by refunds in the period, positive
     */
    public record CreditLine(String currency, BigDecimal consumed, BigDecimal refunded) {}

    /**
     * One auto-recharge: a paid grant the customer bought in the period.
     *
     * @param grantId the grant ({@code recharge:<key of the triggering consumption>})
     * @param at when it was made
     * @param currency the currency of its credits
     * @param amount the credits bought
     * @param costBasis the money paid per credit
     * @param charge what to charge: {@code amount × costBasis}
     * @param trigger the idempotency key of the consumption that triggered it, or {@code null}
     */
    public record RechargeLine(
            String grantId,
            Instant at,
            String currency,
            BigDecimal amount,
            BigDecimal costBasis,
            BigDecimal charge,
            @Nullable String trigger) {}
}
