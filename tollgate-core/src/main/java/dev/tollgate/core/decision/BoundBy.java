package dev.tollgate.core.decision;

import org.jspecify.annotations.Nullable;

/**
 * What bound a decision: the limit that refused (or, for an admitted soft overage, the limit that was passed).
 *
 * @param kind {@code feature}, {@code currency}, {@code budget} or {@code session}
 * @param feature the feature whose limit bound, or {@code null}
 * @param currency the currency whose balance bound, or {@code null}
 * @param scope the scope whose budget bound, or {@code null}
 * @param budget the budget key, or {@code null}
 * @param session the session whose hold bound, or {@code null}
 */
public record BoundBy(
        String kind,
        @Nullable String feature,
        @Nullable String currency,
        @Nullable String scope,
        @Nullable String budget,
        @Nullable String session) {
    /** What bound, outside sessions. */
    public BoundBy(
            String kind,
            @Nullable String feature,
            @Nullable String currency,
            @Nullable String scope,
            @Nullable String budget) {
        this(kind, feature, currency, scope, budget, null);
    }

    /** A feature's own limit. */
    public static BoundBy feature(String feature) {
        return new BoundBy("feature", feature, null, null, null);
    }
}
