package dev.tollgate.core.budget.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The budget walk from a request's scope to the root, on plain data. */
final class BudgetWalkTest {
    private static final List<String> PATH = List.of("agent", "team", "dept");

    private static Budget units(String key, String limit, boolean hard, Map<String, String> dims) {
        return new Budget(key, null, "q", new BigDecimal(limit), ResetPeriod.MONTH, hard, List.of(), dims);
    }

    private static Budget credits(String key, String limit) {
        return new Budget(key, "credits", null, new BigDecimal(limit), ResetPeriod.MONTH, true, List.of(), Map.of());
    }

    private record Units(String feature, BigDecimal quantityOrZero, Map<String, String> dimensions)
            implements BudgetWalk.Spend {}

    private static BudgetWalk.Result walk(
            Map<String, List<Budget>> budgets,
            Map<String, String> used,
            String quantity,
            String credits,
            Map<String, String> dims) {
        return BudgetWalk.walk(
                PATH,
                scope -> budgets.getOrDefault(scope, List.of()),
                (scope, b) -> new BigDecimal(used.getOrDefault(scope + "/" + b.key(), "0")),
                new Units("q", new BigDecimal(quantity), dims),
                new CreditCharge("credits", new BigDecimal(credits), BigDecimal.ZERO));
    }

    @Test
    void the_nearest_hard_budget_that_does_not_fit_binds_and_every_applicable_budget_is_charged_leaf_first() {
        Map<String, List<Budget>> budgets = Map.of(
                "agent", List.of(units("a", "10", true, Map.of())),
                "team", List.of(units("t", "8", true, Map.of()), credits("money", "100")),
                "dept", List.of(units("d", "5", true, Map.of())));
        BudgetWalk.Result r = walk(budgets, Map.of("team/t", "6", "dept/d", "4"), "3", "30", Map.of());

        assertThat(r.binding()).isNotNull();
        assertThat(r.binding().scope()).as("team (6 + 3 > 8) before dept").isEqualTo("team");
        assertThat(r.charges())
                .extracting(c ->
                        c.scope() + "/" + c.budget().key() + "=" + c.amount().toPlainString())
                .containsExactly("agent/a=3", "team/t=3", "team/money=30", "dept/d=3");
        assertThat(r.passed()).isNull();
    }

    @Test
    void the_boundary_is_exact_and_a_soft_budget_is_passed_not_binding() {
        Map<String, List<Budget>> budgets = Map.of(
                "agent",
                List.of(units("soft", "5", false, Map.of())),
                "team",
                List.of(units("t", "8", true, Map.of())));

        BudgetWalk.Result fits = walk(budgets, Map.of("team/t", "5", "agent/soft", "2"), "3", "0", Map.of());
        assertThat(fits.binding()).as("5 + 3 = 8 fits").isNull();
        assertThat(fits.passed()).as("2 + 3 = 5 stays within").isNull();

        BudgetWalk.Result over = walk(budgets, Map.of("team/t", "5", "agent/soft", "3"), "3", "0", Map.of());
        assertThat(over.binding()).isNull();
        assertThat(over.passed()).isNotNull();
        assertThat(over.passed().budget().key()).isEqualTo("soft");
    }

    @Test
    void a_budget_narrowed_to_a_dimension_value_counts_only_requests_carrying_it() {
        Map<String, List<Budget>> budgets = Map.of(
                "team",
                List.of(units("gpt5", "1", true, Map.of("model", "gpt-5")), units("all", "100", true, Map.of())));

        BudgetWalk.Result other = walk(budgets, Map.of(), "3", "0", Map.of("model", "mini"));
        assertThat(other.binding()).isNull();
        assertThat(other.charges()).extracting(c -> c.budget().key()).containsExactly("all");

        BudgetWalk.Result narrowed = walk(budgets, Map.of(), "3", "0", Map.of("model", "gpt-5"));
        assertThat(narrowed.binding()).isNotNull();
        assertThat(narrowed.binding().budget().key()).isEqualTo("gpt5");
        assertThat(narrowed.charges()).extracting(c -> c.budget().key()).containsExactly("gpt5", "all");
    }
}
