package dev.tollgate.core.api;

import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.budget.Scope;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A scope with its budgets.
 *
 * @param scope the scope
 * @param budgets its budgets with their usage now
 */
public record ScopeView(Scope scope, List<BudgetUsage> budgets) {
    /**
     * A budget's usage in its current window.
     *
     * @param budget the budget
     * @param used counted against it in the current window
     * @param held held by open sessions
     * @param resetsAt when the window ends, or {@code null} for never
     */
    public record BudgetUsage(
            Budget budget,
            BigDecimal used,
            BigDecimal held,
            @Nullable Instant resetsAt) {}
}
