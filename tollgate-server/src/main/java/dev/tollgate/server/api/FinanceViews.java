package dev.tollgate.server.api;

import static dev.tollgate.core.mapping.Fields.instant;

import dev.tollgate.core.api.MarginReport;
import dev.tollgate.core.api.WhatIfReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of finance's answers: the margin report's rows (group values first, as the usage report writes them, then
 * the money) and a what-if's outcomes.
 *
 * <p>Thread-safe: stateless.
 */
final class FinanceViews {
    private FinanceViews() {}

    static Map<String, Object> margin(MarginReport report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", instant(report.from()));
        body.put("to", instant(report.to()));
        body.put("groupBy", report.groupBy());
        List<Object> rows = new ArrayList<>();
        report.rows().forEach(r -> rows.add(marginRow(r)));
        body.put("rows", rows);
        List<Object> totals = new ArrayList<>();
        report.totals().forEach(r -> totals.add(marginRow(r)));
        body.put("totals", totals);
        return body;
    }

    private static Map<String, Object> marginRow(MarginReport.Row r) {
        Map<String, Object> m = new LinkedHashMap<>(r.group());
        m.put("currency", r.currency());
        m.put("quantity", r.quantity());
        m.put("overage", r.overage());
        m.put("events", r.events());
        m.put("credits", new LinkedHashMap<String, Object>(r.credits()));
        m.put("unpaidCredits", new LinkedHashMap<String, Object>(r.unpaidCredits()));
        m.put("creditRevenue", r.creditRevenue());
        m.put("overageRevenue", r.overageRevenue());
        m.put("revenue", r.revenue());
        m.put("cost", r.cost());
        m.put("uncostedQuantity", r.uncostedQuantity());
        m.put("margin", r.margin());
        return m;
    }

    static Map<String, Object> whatIf(WhatIfReport report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", instant(report.from()));
        body.put("to", instant(report.to()));
        body.put("baseVersion", report.baseVersion());
        body.put("total", outcome(report.total()));
        Map<String, Object> refused = new LinkedHashMap<>();
        refused.put("count", report.refused().count());
        refused.put("newly", report.refused().newly());
        List<Object> sample = new ArrayList<>();
        for (WhatIfReport.Refusal s : report.refused().sample()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("customerId", s.customerId());
            m.put("idempotencyKey", s.idempotencyKey());
            m.put("at", instant(s.at()));
            m.put("feature", s.feature());
            m.put("quantity", s.quantity());
            m.put("reason", s.reason());
            m.put("recordedReason", s.recordedReason());
            sample.add(m);
        }
        refused.put("sample", sample);
        body.put("refused", refused);
        body.put("droppedAddons", new LinkedHashMap<String, Object>(report.droppedAddons()));
        List<Object> customers = new ArrayList<>();
        report.customers().forEach(c -> customers.add(outcome(c)));
        body.put("customers", customers);
        return body;
    }

    private static Map<String, Object> outcome(WhatIfReport.CustomerOutcome c) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (c.customerId() != null) {
            m.put("customerId", c.customerId());
        }
        m.put("requests", c.requests());
        m.put("before", side(c.before()));
        m.put("after", side(c.after()));
        m.put("newlyRefused", c.newlyRefused());
        m.put("newlyAdmitted", c.newlyAdmitted());
        return m;
    }

    private static Map<String, Object> side(WhatIfReport.Side s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("admitted", s.admitted());
        m.put("refused", s.refused());
        m.put("refusedBy", new LinkedHashMap<String, Object>(s.refusedBy()));
        Map<String, Object> features = new LinkedHashMap<>();
        s.features().forEach((f, use) -> {
            Map<String, Object> u = new LinkedHashMap<>();
            u.put("quantity", use.quantity());
            u.put("overage", use.overage());
            features.put(f, u);
        });
        m.put("features", features);
        m.put("credits", new LinkedHashMap<String, Object>(s.credits()));
        return m;
    }
}
