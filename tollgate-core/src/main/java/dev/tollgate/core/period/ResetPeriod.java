package dev.tollgate.core.period;

import java.util.Locale;
import java.util.Optional;

/** How often a metered usage counter starts again from zero. */
public enum ResetPeriod {
    HOUR,
    DAY,
    WEEK,
    MONTH,
    YEAR,
    NEVER;

    /** The lower-case name used in catalogs and on the wire ({@code month}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name.
     *
     * @param name a lower-case name such as {@code month}
     * @return the period, or empty if the name is not one
     */
    public static Optional<ResetPeriod> parse(String name) {
        for (ResetPeriod p : values()) {
            if (p.wireName().equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
