package dev.tollgate.core.engine.internal;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.ScopeView;
import dev.tollgate.core.api.UsageQuery;
import dev.tollgate.core.api.UsageReport;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.budget.Scope;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.Feature;
import dev.tollgate.core.catalog.FeatureType;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.period.internal.Window;
import dev.tollgate.core.store.UsageRow;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Scopes, budgets and usage reports (attribution). Thread-safe; each command runs in its customer's section; usage
 * reports read the store outside it.
 */
public final class Governance {
    private final EngineContext ctx;

    public Governance(EngineContext ctx) {
        this.ctx = ctx;
    }

    public CompletableFuture<ScopeView> setScope(
            String customerId, String scopeId, String kind, @Nullable String parent, @Nullable String name) {
        CustomerState state = ctx.existing(customerId);
        synchronized (state) {
            if (parent != null) {
                if (!state.scopes.contains(parent)) {
                    throw TollgateException.notFound("SCOPE_NOT_FOUND", "no scope '" + parent + "'", "parent");
                }
                if (state.path(parent).contains(scopeId)) {
                    throw TollgateException.conflict(
                            "SCOPE_CYCLE", "scope '" + parent + "' is '" + scopeId + "' or below it", "parent");
                }
            }
            ctx.requireAvailable();
            JournalEntry set =
                    new JournalEntry.ScopeSet(customerId, ctx.now(), null, new Scope(scopeId, kind, parent, name));
            state.apply(set, EngineContext.PLACEHOLDER);
            return ctx.enqueue(state, List.of(set)).thenApply(v -> scopeView(state, scopeId));
        }
    }

    public CompletableFuture<ScopeView> setBudget(
            String customerId, String scopeId, String budgetKey, @Nullable Budget budget) {
        return ctx.readingCatalog(() -> setBudgetReadingCatalog(customerId, scopeId, budgetKey, budget));
    }

    CompletableFuture<ScopeView> setBudgetReadingCatalog(
            String customerId, String scopeId, String budgetKey, @Nullable Budget budget) {
        CustomerState state = ctx.existing(customerId);
        Catalog cat = ctx.catalog;
        if (budget != null && budget.feature() != null) {
            Feature f = cat.feature(budget.feature())
                    .orElseThrow(() -> TollgateException.notFound(
                            "FEATURE_NOT_FOUND", "no feature '" + budget.feature() + "'", "feature"));
            if (f.type() != FeatureType.METERED) {
                throw TollgateException.invalid(
                        "FEATURE_NOT_METERED", "feature '" + f.key() + "' is not metered", "feature");
            }
        }
        if (budget != null
                && budget.currency() != null
                && !cat.definition().currencies().containsKey(budget.currency())) {
            throw TollgateException.notFound(
                    "CURRENCY_NOT_FOUND", "no currency '" + budget.currency() + "'", "currency");
        }
        synchronized (state) {
            if (!state.scopes.contains(scopeId)) {
                throw TollgateException.notFound("SCOPE_NOT_FOUND", "no scope '" + scopeId + "'", "scopeId");
            }
            ctx.requireAvailable();
            JournalEntry set = new JournalEntry.BudgetSet(customerId, ctx.now(), null, scopeId, budgetKey, budget);
            state.apply(set, EngineContext.PLACEHOLDER);
            return ctx.enqueue(state, List.of(set)).thenApply(v -> scopeView(state, scopeId));
        }
    }

    public List<ScopeView> scopes(String customerId) {
        CustomerState state = ctx.existing(customerId);
        synchronized (state) {
            List<ScopeView> out = new ArrayList<>();
            for (String id : state.scopes.ids()) {
                out.add(scopeView(state, id));
            }
            return out;
        }
    }

    ScopeView scopeView(CustomerState state, String scopeId) {
        synchronized (state) {
            Instant now = ctx.now();
            List<ScopeView.BudgetUsage> budgets = new ArrayList<>();
            for (Budget b : state.budgetsOf(scopeId)) {
                Window w = state.budgetWindow(b, now);
                budgets.add(new ScopeView.BudgetUsage(
                        b, state.budgetUsed(scopeId, b, now), state.heldBudget(scopeId, b, now, null), w.end()));
            }
            return new ScopeView(Objects.requireNonNull(state.scopes.get(scopeId)), List.copyOf(budgets));
        }
    }

    public List<UsageReport.Group> usage(
            String customerId, Instant from, Instant to, List<String> groupBy, @Nullable String feature) {
        return usage(customerId, new UsageQuery(from, to, groupBy, feature, null, 0));
    }

    public List<UsageReport.Group> usage(String customerId, UsageQuery query) {
        CustomerState state = ctx.existing(customerId);
        UsageReports.validate(query.groupBy());
        if (query.depth() < 0 || (query.depth() > 0 && !query.groupBy().contains("scope"))) {
            throw TollgateException.invalid(
                    "INVALID_QUERY", "depth is a whole number >= 1 that rolls up groupBy=scope", "depth");
        }
        // the tree is read in the customer's section, the store outside it
        Set<String> within = new HashSet<>();
        Map<String, @Nullable String> rollUp = new HashMap<>();
        ZoneId zone;
        synchronized (state) {
            zone = state.zone;
            if (query.scope() != null && !state.scopes.contains(query.scope())) {
                throw TollgateException.notFound("SCOPE_NOT_FOUND", "no scope '" + query.scope() + "'", "scope");
            }
            for (String id : state.scopes.ids()) {
                if (query.scope() != null && state.scopes.within(id, query.scope())) {
                    within.add(id);
                }
                rollUp.put(id, query.depth() == 0 ? id : state.scopes.atDepth(id, query.depth()));
            }
        }
        List<UsageRow> rows = new ArrayList<>();
        for (UsageRow r : ctx.store.usage(customerId, query.from(), query.to())) {
            if ((query.feature() == null || query.feature().equals(r.feature()))
                    && (query.scope() == null || within.contains(r.scope()))) {
                rows.add(r);
            }
        }
        return UsageReports.group(rows, query.groupBy(), s -> s == null ? null : rollUp.getOrDefault(s, s), zone);
    }

    public List<UsageReport.Period> usagePeriods(String customerId, Instant from, Instant to) {
        ctx.existing(customerId);
        return UsageReports.periods(ctx.store.usage(customerId, from, to));
    }
}
