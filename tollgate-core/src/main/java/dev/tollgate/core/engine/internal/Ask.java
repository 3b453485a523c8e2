package dev.tollgate.core.engine.internal;

import dev.tollgate.core.budget.internal.BudgetWalk;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What one check, consume or session asks of the rules in {@link Decisions}, once its scope is settled: built once
 * per command (never per budget or per loop step), so the rules take it whole instead of a long list of parameters;
 * the budget walk reads it as its {@link BudgetWalk.Spend}.
 *
 * @param feature the feature key ({@code ""} for a spend of credits alone: a currency session)
 * @param quantity units asked for, or {@code null} for "is any room left" (checks only)
 * @param dimensions attribution dimensions
 * @param scope the scope it counts at (the request's, else its session's), or {@code null}
 * @param sessionId the session it is made in (its own hold is room), or {@code null}
 * @param now the command's instant
 * @param mode asked about, consumed, or reported after the fact
 */
record Ask(
        String feature,
        @Nullable BigDecimal quantity,
        Map<String, String> dimensions,
        @Nullable String scope,
        @Nullable String sessionId,
        Instant now,
        MeteredLimit.Mode mode)
        implements BudgetWalk.Spend {

    /** The quantity, {@code 0} for "is any room left". */
    @Override
    public BigDecimal quantityOrZero() {
        return quantity == null ? BigDecimal.ZERO : quantity;
    }

    /** The same question in another mode. */
    Ask in(MeteredLimit.Mode other) {
        return new Ask(feature, quantity, dimensions, scope, sessionId, now, other);
    }
}
