package dev.tollgate.core.catalog;

import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/** What one source (a plan, an add-on, a trial, a promotion) grants for one feature. Immutable. */
public sealed interface Entitlement {

    /** The feature type this entitlement applies to. */
    FeatureType type();

    /** A boolean feature, granted or not. */
    record Toggle(boolean enabled) implements Entitlement {
        @Override
        public FeatureType type() {
            return FeatureType.BOOLEAN;
        }
    }

    /** A config feature's number (seats, context window). */
    record Config(BigDecimal value) implements Entitlement {
        @Override
        public FeatureType type() {
            return FeatureType.CONFIG;
        }
    }

    /**
     * A metered feature's limit per window.
     *
     * @param limit units per window, or {@code null} for unlimited
     * @param enforcement hard or soft
     * @param reset the reset period
     * @param calendar calendar-aligned windows instead of anchored ones
     */
    record Metered(@Nullable BigDecimal limit, Enforcement enforcement, ResetPeriod reset, boolean calendar)
            implements Entitlement {
        @Override
        public FeatureType type() {
            return FeatureType.METERED;
        }

        /** Tells whether this entitlement has no limit. */
        public boolean unlimited() {
            return limit == null;
        }
    }
}
