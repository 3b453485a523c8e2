package dev.tollgate.server.api;

import static dev.tollgate.core.mapping.Fields.instant;
import static dev.tollgate.core.mapping.Fields.instantOrNull;
import static dev.tollgate.core.mapping.Fields.putPresent;

import dev.tollgate.core.api.ScopeView;
import dev.tollgate.core.api.SessionView;
import dev.tollgate.core.api.UsageReport;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.mapping.DecisionJson;
import dev.tollgate.core.mapping.Form;
import dev.tollgate.core.mapping.GovernanceJson;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of governance's answers: scopes with their budgets, sessions, a refused session, and the usage export. A
 * scope, a budget's cap and terms, and what a session holds are written by the shared mapping ({@link
 * GovernanceJson}), as the journal writes them; an answer adds the figures of the moment (a budget's usage, a
 * session's consumption).
 *
 * <p>Thread-safe: stateless.
 */
final class GovernanceViews {
    private GovernanceViews() {}

    static Map<String, Object> scope(ScopeView v) {
        Map<String, Object> m = new LinkedHashMap<>();
        GovernanceJson.putScope(m, v.scope());
        List<Object> budgets = new ArrayList<>();
        for (ScopeView.BudgetUsage u : v.budgets()) {
            budgets.add(budget(u));
        }
        m.put("budgets", budgets);
        return m;
    }

    /** A budget with its usage in the current window, laid between its cap and its terms. */
    private static Map<String, Object> budget(ScopeView.BudgetUsage u) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("key", u.budget().key());
        GovernanceJson.putBudgetCap(b, u.budget());
        b.put("used", u.used());
        b.put("held", u.held());
        b.put(
                "remaining",
                u.budget().limit().subtract(u.used()).subtract(u.held()).max(BigDecimal.ZERO));
        GovernanceJson.putBudgetTerms(b, u.budget(), Form.ANSWER);
        putPresent(b, "resetsAt", instantOrNull(u.resetsAt()));
        return b;
    }

    static Map<String, Object> session(SessionView v) {
        String id = v.session().id();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sessionId", id);
        m.put("customerId", id.substring(0, id.lastIndexOf('@')));
        m.put("status", v.status());
        GovernanceJson.putSessionHold(m, v.session());
        m.put("consumed", v.consumed());
        m.put("held", v.held());
        m.put("overage", v.overage());
        putPresent(m, "excess", v.excess());
        if (v.boundBy() != null) {
            m.put("boundBy", DecisionJson.boundBy(v.boundBy()));
        }
        GovernanceJson.putSessionTimes(m, v.session(), v.expiresAt());
        return m;
    }

    /**
     * A refused currency session: the refusal and the currency's figures ({@code credits} asked, {@code balance}
     * available after the other sessions' holds), without a feature limit's fields, which mean nothing for a currency.
     */
    static Map<String, Object> currencyRefusal(Decision d) {
        Map<String, Object> m = MeteringViews.decision(d);
        m.keySet()
                .removeAll(List.of(
                        "limit", "used", "held", "remaining", "unlimited", "overage", "overageQuantity", "resetsAt"));
        return m;
    }

    /** The usage export's columns, in order, for JSON and CSV alike. */
    static final List<String> USAGE_PERIOD_COLUMNS = List.of(
            "customerId",
            "feature",
            "periodStart",
            "periodEnd",
            "limit",
            "unlimited",
            "used",
            "overage",
            "credits",
            "events");

    static Map<String, Object> usagePeriod(String customerId, UsageReport.Period p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("customerId", customerId);
        m.put("feature", p.feature());
        m.put("periodStart", instant(p.periodStart()));
        m.put("periodEnd", instantOrNull(p.periodEnd()));
        m.put("limit", p.limit());
        m.put("unlimited", p.limit() == null);
        m.put("used", p.used());
        m.put("overage", p.overage());
        m.put("credits", new LinkedHashMap<String, Object>(p.credits()));
        m.put("events", p.events());
        return m;
    }
}
