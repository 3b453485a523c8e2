package dev.tollgate.core.entitlement;

import dev.tollgate.core.catalog.Enforcement;
import dev.tollgate.core.catalog.FeatureType;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * What a customer may do with one feature right now, after merging every active source.
 *
 * @param feature the feature key
 * @param type the feature type
 * @param enabled for boolean features, whether granted; {@code true} for the other types
 * @param value for config features, the number; otherwise {@code null}
 * @param limit for metered features, the limit per window, {@code null} if unlimited; otherwise {@code null}
 * @param enforcement hard or soft (from the winning source)
 * @param reset the reset period (from the winning source)
 * @param calendar whether windows are calendar-aligned
 * @param source the winning source ({@code plan:pro@2}, {@code addon:extra-queries}, {@code trial:pro@1},
 *     {@code promotion:p-123}); for an added-up limit, the plan's name followed by {@code +addons}
 */
public record EffectiveEntitlement(
        String feature,
        FeatureType type,
        boolean enabled,
        @Nullable BigDecimal value,
        @Nullable BigDecimal limit,
        Enforcement enforcement,
        ResetPeriod reset,
        boolean calendar,
        String source) {

    /** Tells whether a metered entitlement has no limit. */
    public boolean unlimited() {
        return type == FeatureType.METERED && limit == null;
    }
}
