package dev.tollgate.client;

import org.jspecify.annotations.Nullable;

/**
 * What refused (or, for a soft limit, flagged) a request: a feature's limit, a currency's balance, a scope's budget or a
 * session's hold. Immutable.
 *
 * @param kind {@code feature}, {@code currency}, {@code budget} or {@code session}
 * @param feature the feature, for {@code feature} (and a feature session)
 * @param currency the currency, for {@code currency} (and a currency session)
 * @param scope the scope whose budget bound, for {@code budget}
 * @param budget the budget's key, for {@code budget}
 * @param session the session id, for {@code session}
 */
public record BoundBy(
        String kind,
        @Nullable String feature,
        @Nullable String currency,
        @Nullable String scope,
        @Nullable String budget,
        @Nullable String session) {}
