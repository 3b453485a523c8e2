package dev.tollgate.core.budget.internal;

import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.decision.CreditCharge;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The budget walk: a request at a scope is checked against every budget on the path from that scope up to the root,
 * and counts against each one that applies. The first hard budget (nearest the request's scope) that the request would
 * push past its limit refuses it and is named; otherwise every applicable budget is charged, all together (the engine
 * records them in one step under the customer's single writer).
 *
 * <p>The boundary is exact: admitted when {@code used + amount <= limit}.
 */
public final class BudgetWalk {
    private BudgetWalk() {}

    /**
     * One budget a request counts against.
     *
     * @param scope the budget's scope
     * @param budget the budget
     * @param amount what the request adds
     * @param used what the budget had used in its current window before the request
     */
    public record Charge(String scope, Budget budget, BigDecimal amount, BigDecimal used) {}

    /**
     * What the walk found.
     *
     * @param binding the hard budget that refuses the request, or {@code null} if all admit it
     * @param passed the soft budget (nearest the request's scope) that the request takes past its limit, or
     *     {@code null}
     * @param charges every budget the request counts against, leaf first
     */
    public record Result(@Nullable Charge binding, @Nullable Charge passed, List<Charge> charges) {}

    /**
     * What a request spends in units, as budgets count it (its price comes apart: {@link #walk}). An interface, so
     * that what the engine already holds for a command can be walked as it is, without a copy per check.
     */
    public interface Spend {
        /** The consumed feature ({@code ""} for a spend of credits alone). */
        String feature();

        /** Its quantity, {@code 0} for none. */
        BigDecimal quantityOrZero();

        /** The request's dimensions. */
        Map<String, String> dimensions();
    }

    /**
     * Walks the budgets from a request's scope up to the top.
     *
     * @param path scope ids from the request's scope up to the top (leaf first)
     * @param budgets the budgets of a scope
     * @param used what a scope's budget has used in its current window
     * @param spend what the request spends in units
     * @param price what it costs in credits (only its currency and credits are read), or {@code null}
     */
    public static Result walk(
            List<String> path,
            Function<String, Collection<Budget>> budgets,
            BiFunction<String, Budget, BigDecimal> used,
            Spend spend,
            @Nullable CreditCharge price) {
        List<Charge> charges = new ArrayList<>();
        Charge binding = null;
        Charge passed = null;
        for (String scope : path) {
            for (Budget b : budgets.apply(scope)) {
                BigDecimal amount = amountOf(b, spend, price);
                if (amount == null) {
                    continue;
                }
                BigDecimal before = used.apply(scope, b);
                Charge c = new Charge(scope, b, amount, before);
                charges.add(c);
                boolean over = before.add(amount).compareTo(b.limit()) > 0;
                if (binding == null && b.hard() && over) {
                    binding = c;
                } else if (passed == null && !b.hard() && over) {
                    passed = c;
                }
            }
        }
        return new Result(binding, passed, Collections.unmodifiableList(charges));
    }

    /**
     * What a request counts against a budget.
     *
     * @param spend what the request spends
     * @return the amount, or {@code null} if the budget does not apply to this request
     */
    private static @Nullable BigDecimal amountOf(Budget budget, Spend spend, @Nullable CreditCharge price) {
        for (Map.Entry<String, String> d : budget.dimensions().entrySet()) {
            if (!d.getValue().equals(spend.dimensions().get(d.getKey()))) {
                return null;
            }
        }
        if (budget.feature() != null) {
            return budget.feature().equals(spend.feature()) ? spend.quantityOrZero() : null;
        }
        return price != null && budget.currency() != null && budget.currency().equals(price.currency())
                ? price.credits()
                : null;
    }
}
