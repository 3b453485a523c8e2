package dev.tollgate.core.api;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Revenue against cost over a range of usage, grouped as asked ({@code GET /v1/reports/margin}). Every amount is an
 * exact decimal; money is in the row's {@code currency}.
 *
 * @param from inclusive
 * @param to exclusive
 * @param groupBy the grouping names, in the order asked
 * @param rows one per group and money currency, ordered by the group's values ({@code null} first) then currency
 * @param totals one per money currency: every row of that currency summed
 */
public record MarginReport(Instant from, Instant to, List<String> groupBy, List<Row> rows, List<Row> totals) {

    public MarginReport {
        groupBy = List.copyOf(groupBy);
        rows = List.copyOf(rows);
        totals = List.copyOf(totals);
    }

    /**
     * One group's money.
     *
     * @param group the grouping values ({@code null} where the usage had none), in the order asked; empty in totals
     * @param currency the money currency of the amounts: the catalog's costs' and overage prices' currency, or {@code
     *     null} for usage under a catalog that states neither
     * @param quantity units used
     * @param overage the part of {@code quantity} beyond the limits (soft limits, and usage reported past a hard one)
     * @param events how many usage records
     * @param credits credits consumed, by credit currency (refunds deducted)
     * @param unpaidCredits credits consumed on overdraft and not yet paid back by a grant, by credit currency: their
     *     revenue is not known yet
     * @param creditRevenue Σ credits × the cost basis of the grant each came from (promotional credits: 0), refunds
     *     deducted; overdraft paid back counts at the cost basis of the grant that paid it
     * @param overageRevenue Σ overage × the overage price of the plan version the customer was on
     * @param revenue {@code creditRevenue + overageRevenue}
     * @param cost Σ quantity × the cost of the catalog in force when the usage was recorded, where one is defined
     * @param uncostedQuantity units whose cost is not defined (no cost for the feature, or for the dimension value,
     *     without a default): unknown, not zero
     * @param margin {@code revenue - cost}, or {@code null} when it is not known: some usage is uncosted or some
     *     credits are unpaid
     */
    public record Row(
            Map<String, @Nullable String> group,
            @Nullable String currency,
            BigDecimal quantity,
            BigDecimal overage,
            long events,
            Map<String, BigDecimal> credits,
            Map<String, BigDecimal> unpaidCredits,
            BigDecimal creditRevenue,
            BigDecimal overageRevenue,
            BigDecimal revenue,
            BigDecimal cost,
            BigDecimal uncostedQuantity,
            @Nullable BigDecimal margin) {}
}
