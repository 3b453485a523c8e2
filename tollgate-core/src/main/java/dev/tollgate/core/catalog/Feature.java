package dev.tollgate.core.catalog;

import dev.tollgate.core.period.ResetPeriod;
import org.jspecify.annotations.Nullable;

/**
 * Something a plan grants.
 *
 * @param key the stable key ({@code ai-queries})
 * @param type boolean, config or metered
 * @param unit the unit of a metered feature ({@code token}), or {@code null}
 * @param reset the default reset period of a metered feature ({@link ResetPeriod#NEVER} for other types)
 * @param calendar {@code true} if windows align to the calendar rather than to the subscription start
 * @param onPlanChange whether a plan change resets the usage counter
 * @param name a display name, or {@code null}
 */
public record Feature(
        String key,
        FeatureType type,
        @Nullable String unit,
        ResetPeriod reset,
        boolean calendar,
        PlanChangeReset onPlanChange,
        @Nullable String name) {}
