package dev.tollgate.core.api;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The answers of the usage reports: attribution ({@link Group}: usage summed by any combination of {@code scope},
 * {@code feature} and {@code dimension.<name>}, credits per currency) and the export for billing ({@link Period}: per
 * feature and period).
 */
public final class UsageReport {
    private UsageReport() {}

    /**
     * One group of usage.
     *
     * @param group the grouping values ({@code null} where a row had none), in the order asked
     * @param quantity the summed quantity
     * @param credits the summed credits by currency (empty if nothing was priced)
     * @param events how many usage rows
     * @param overage the summed overage quantity (the part of {@code quantity} beyond the features' limits)
     */
    public record Group(
            Map<String, @Nullable String> group,
            BigDecimal quantity,
            Map<String, BigDecimal> credits,
            long events,
            BigDecimal overage) {}

    /**
     * The usage of one feature in one of its periods (windows), for billing.
     *
     * @param feature the metered feature
     * @param periodStart the start of the period
     * @param periodEnd its end (exclusive), or {@code null} for a feature that never resets
     * @param limit the included quantity: the feature's limit when the period's latest usage (by time) was recorded, or {@code
     *     null} if unlimited
     * @param used the quantity used
     * @param overage the part of {@code used} beyond the limit, as recorded (soft limits, and usage reported past a
     *     hard one)
     * @param credits the credits charged by currency (empty if nothing was priced)
     * @param events how many usage rows
     */
    public record Period(
            String feature,
            Instant periodStart,
            @Nullable Instant periodEnd,
            @Nullable BigDecimal limit,
            BigDecimal used,
            BigDecimal overage,
            Map<String, BigDecimal> credits,
            long events) {}
}
