package dev.tollgate.server;

import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogDiff;
import dev.tollgate.core.catalog.CatalogInUse;
import dev.tollgate.core.catalog.CatalogInUseException;
import dev.tollgate.core.catalog.Entitlement;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.engine.BalanceView;
import dev.tollgate.core.engine.CatalogVersionInfo;
import dev.tollgate.core.engine.CustomerView;
import dev.tollgate.core.engine.EntitlementView;
import dev.tollgate.core.engine.GrantView;
import dev.tollgate.core.engine.LedgerLine;
import dev.tollgate.core.engine.RefundView;
import dev.tollgate.core.engine.ScopeView;
import dev.tollgate.core.engine.SessionView;
import dev.tollgate.core.engine.UsageReport;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.json.IsoInstant;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Maps core values to the JSON trees of the API contract ({@code API.md}). Stateless. */
final class Views {
    private Views() {}

    static Map<String, Object> decision(Decision d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("allowed", d.allowed());
        put(m, "reason", d.reason() == null ? null : d.reason().name());
        if (d.boundBy() != null) {
            m.put("boundBy", boundBy(d.boundBy()));
        }
        put(m, "limit", d.limit());
        m.put("used", d.used());
        m.put("held", d.held());
        put(m, "remaining", d.remaining());
        m.put("unlimited", d.unlimited());
        m.put("overage", d.overage());
        if (d.overageQuantity().signum() > 0) {
            m.put("overageQuantity", d.overageQuantity());
        }
        put(m, "resetsAt", time(d.resetsAt()));
        put(m, "value", d.value());
        CreditCharge c = d.credit();
        if (c != null) {
            m.put("currency", c.currency());
            m.put("credits", c.credits());
            m.put("balance", c.balance());
        }
        return m;
    }

    /**
     * A refused currency session: the refusal and the currency's figures ({@code credits} asked, {@code balance}
     * available after the other sessions' holds), without a feature limit's fields, which mean nothing for a currency.
     */
    static Map<String, Object> currencyRefusal(Decision d) {
        Map<String, Object> m = decision(d);
        m.keySet()
                .removeAll(List.of(
                        "limit", "used", "held", "remaining", "unlimited", "overage", "overageQuantity", "resetsAt"));
        return m;
    }

    static Map<String, Object> grant(GrantView v) {
        Grant g = v.grant();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", g.id());
        m.put("currency", g.currency());
        m.put("amount", g.amount());
        m.put("remaining", v.remaining());
        m.put("status", v.status());
        m.put("category", g.promotional() ? "promotional" : "paid");
        m.put("costBasis", g.costBasis());
        m.put("priority", g.priority());
        m.put("effectiveAt", time(g.effectiveAt()));
        put(m, "expiresAt", time(g.expiresAt()));
        m.put("source", g.source());
        put(m, "reference", g.reference());
        return m;
    }

    static Map<String, Object> balance(BalanceView b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("currency", b.currency());
        m.put("available", b.available());
        m.put("balance", b.balance());
        m.put("held", b.held());
        m.put("overdraft", b.overdraft());
        AutoRecharge r = b.autoRecharge();
        if (r != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("threshold", r.threshold());
            put(a, "target", r.target());
            a.put("amount", r.amount());
            a.put("costBasis", r.costBasis());
            put(a, "maxPerPeriod", r.maxPerPeriod());
            put(a, "maxMoneyPerPeriod", r.maxMoneyPerPeriod());
            m.put("autoRecharge", a);
        }
        return m;
    }

    static Map<String, Object> scope(ScopeView v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", v.scope().id());
        m.put("kind", v.scope().kind());
        put(m, "parent", v.scope().parent());
        put(m, "name", v.scope().name());
        List<Object> budgets = new ArrayList<>();
        for (ScopeView.BudgetUsage u : v.budgets()) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("key", u.budget().key());
            put(b, "currency", u.budget().currency());
            put(b, "feature", u.budget().feature());
            b.put("limit", u.budget().limit());
            b.put("used", u.used());
            b.put("held", u.held());
            b.put(
                    "remaining",
                    u.budget().limit().subtract(u.used()).subtract(u.held()).max(java.math.BigDecimal.ZERO));
            b.put("period", u.budget().period().wireName());
            b.put("enforcement", u.budget().hard() ? "hard" : "soft");
            b.put("alerts", new ArrayList<Object>(u.budget().alerts()));
            if (!u.budget().dimensions().isEmpty()) {
                b.put(
                        "dimensions",
                        new java.util.TreeMap<String, Object>(u.budget().dimensions()));
            }
            put(b, "resetsAt", time(u.resetsAt()));
            budgets.add(b);
        }
        m.put("budgets", budgets);
        return m;
    }

    static Map<String, Object> session(SessionView v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sessionId", v.session().id());
        m.put("customerId", v.session().id().substring(0, v.session().id().lastIndexOf('@')));
        m.put("status", v.status());
        put(m, "scope", v.session().scope());
        put(m, "currency", v.session().currency());
        put(m, "feature", v.session().feature());
        m.put("amount", v.session().amount());
        m.put("consumed", v.consumed());
        m.put("held", v.held());
        m.put("overage", v.overage());
        put(m, "excess", v.excess());
        if (v.boundBy() != null) {
            m.put("boundBy", boundBy(v.boundBy()));
        }
        m.put("openedAt", time(v.session().openedAt()));
        m.put("expiresAt", time(v.expiresAt()));
        m.put("maxUntil", time(v.session().maxUntil()));
        return m;
    }

    static Map<String, Object> refund(RefundView r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("idempotencyKey", r.consumptionKey());
        m.put("currency", r.currency());
        m.put("refunded", r.refunded());
        m.put("forfeited", r.forfeited());
        return m;
    }

    /** The ledger line columns, in order, for JSON and CSV alike. */
    static final List<String> LEDGER_COLUMNS = List.of(
            "seq",
            "time",
            "type",
            "currency",
            "grantId",
            "amount",
            "balanceAfter",
            "idempotencyKey",
            "source",
            "costBasis",
            "feature",
            "quantity",
            "scope",
            "dimensions");

    static Map<String, Object> ledgerLine(LedgerLine l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", l.seq());
        m.put("time", time(l.time()));
        m.put("type", l.type().name());
        m.put("currency", l.currency());
        put(m, "grantId", l.grantId());
        m.put("amount", l.amount());
        m.put("balanceAfter", l.balanceAfter());
        put(m, "idempotencyKey", l.idempotencyKey());
        put(m, "source", l.source());
        put(m, "costBasis", l.costBasis());
        put(m, "feature", l.feature());
        put(m, "quantity", l.quantity());
        put(m, "scope", l.scope());
        if (!l.dimensions().isEmpty()) {
            m.put("dimensions", new java.util.TreeMap<String, Object>(l.dimensions()));
        }
        return m;
    }

    /** A webhook as the API shows it: never its secret. */
    static Map<String, Object> webhook(Webhook w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", w.id());
        m.put("url", w.url());
        m.put("events", w.events());
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
        m.put("periodStart", time(p.periodStart()));
        m.put("periodEnd", time(p.periodEnd()));
        m.put("limit", p.limit());
        m.put("unlimited", p.limit() == null);
        m.put("used", p.used());
        m.put("overage", p.overage());
        m.put("credits", new LinkedHashMap<String, Object>(p.credits()));
        m.put("events", p.events());
        return m;
    }

    private static Map<String, Object> boundBy(BoundBy b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", b.kind());
        put(m, "feature", b.feature());
        put(m, "currency", b.currency());
        put(m, "scope", b.scope());
        put(m, "budget", b.budget());
        put(m, "session", b.session());
        return m;
    }

    static Map<String, Object> customer(CustomerView c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        put(m, "name", c.name());
        m.put("metadata", c.metadata());
        put(m, "timeZone", c.timeZone());
        m.put("createdAt", c.createdAt().toString());
        m.put("status", c.status());
        m.put("subscription", c.subscription() == null ? null : subscription(c.subscription()));
        List<Object> promotions = new ArrayList<>();
        c.promotions().forEach(p -> promotions.add(promotion(p)));
        m.put("promotions", promotions);
        return m;
    }

    static Map<String, Object> subscription(Subscription s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("plan", s.plan().key());
        m.put("planVersion", s.plan().version());
        List<Object> addons = new ArrayList<>();
        for (AddonRef a : s.addons()) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("key", a.key());
            am.put("version", a.version());
            am.put("quantity", a.quantity());
            addons.add(am);
        }
        m.put("addons", addons);
        m.put("startAt", s.startAt().toString());
        if (s.trial() != null) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("plan", s.trial().plan().key());
            t.put("planVersion", s.trial().plan().version());
            t.put("endsAt", s.trial().endsAt().toString());
            m.put("trial", t);
        }
        put(m, "cancelAt", time(s.cancelAt()));
        return m;
    }

    static Map<String, Object> promotion(Promotion p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("feature", p.feature());
        m.put("entitlement", entitlement(p.entitlement()));
        m.put("startsAt", p.startsAt().toString());
        put(m, "expiresAt", time(p.expiresAt()));
        return m;
    }

    static Map<String, Object> entitlement(Entitlement e) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (e instanceof Entitlement.Toggle t) {
            m.put("enabled", t.enabled());
        } else if (e instanceof Entitlement.Config c) {
            m.put("value", c.value());
        } else if (e instanceof Entitlement.Metered mt) {
            m.put("limit", mt.limit() == null ? "unlimited" : mt.limit());
            m.put("enforcement", lower(mt.enforcement().name()));
            m.put("reset", mt.reset().wireName());
            m.put("calendar", mt.calendar());
        }
        return m;
    }

    static Map<String, Object> effective(EntitlementView v) {
        EffectiveEntitlement e = v.entitlement();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("feature", e.feature());
        m.put("type", lower(e.type().name()));
        m.put("source", e.source());
        switch (e.type()) {
            case BOOLEAN -> m.put("enabled", e.enabled());
            case CONFIG -> m.put("value", e.value());
            case METERED -> {
                put(m, "limit", e.limit());
                m.put("unlimited", e.unlimited());
                m.put("used", v.used());
                m.put("held", v.held());
                put(m, "remaining", v.remaining());
                m.put("overage", v.overage());
                m.put("enforcement", lower(e.enforcement().name()));
                m.put("reset", e.reset().wireName());
                put(m, "resetsAt", time(v.resetsAt()));
            }
        }
        return m;
    }

    static Map<String, Object> catalog(Catalog c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", c.version());
        if (c.version() > 0) {
            m.put("publishedAt", c.publishedAt().toString());
            m.put("author", c.author());
        }
        Map<String, Object> plans = new LinkedHashMap<>();
        c.plans().values().stream()
                .sorted((a, b) -> a.key().compareTo(b.key()))
                .forEach(p -> plans.put(p.key(), p.version()));
        m.put("planVersions", plans);
        m.put("document", c.document() == null ? Map.of() : c.document());
        return m;
    }

    static Map<String, Object> catalogVersion(CatalogVersionInfo v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", v.version());
        m.put("time", v.publishedAt().toString());
        m.put("author", v.author());
        m.put("summary", v.summary());
        if (v.origin() != null) {
            m.put(
                    "source",
                    Map.of("file", v.origin().file(), "sha256", v.origin().sha256()));
        }
        return m;
    }

    static Map<String, Object> catalogDiff(CatalogDiff d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", d.toVersion());
        m.put("from", d.fromVersion());
        m.put("features", diffSection(d.features()));
        m.put("currencies", diffSection(d.currencies()));
        m.put("plans", diffSection(d.plans()));
        m.put("addons", diffSection(d.addons()));
        m.put("rateCards", diffSection(d.rateCards()));
        return m;
    }

    private static Map<String, Object> diffSection(CatalogDiff.Section s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("added", diffEntries(s.added()));
        m.put("removed", diffEntries(s.removed()));
        m.put("changed", diffEntries(s.changed()));
        return m;
    }

    private static List<Object> diffEntries(List<CatalogDiff.Entry> entries) {
        List<Object> out = new ArrayList<>(entries.size());
        for (CatalogDiff.Entry e : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", e.key());
            put(m, "fromVersion", e.fromVersion());
            put(m, "toVersion", e.toVersion());
            List<Object> changes = new ArrayList<>(e.changes().size());
            for (CatalogDiff.Change c : e.changes()) {
                Map<String, Object> change = new LinkedHashMap<>();
                change.put("field", c.field());
                change.put("from", c.from());
                change.put("to", c.to());
                changes.add(change);
            }
            m.put("changes", changes);
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> catalogInUse(CatalogInUseException e) {
        Map<String, Object> body = error("CATALOG_IN_USE", e.getMessage(), null);
        body.put("customers", e.customers());
        List<Object> inUse = new ArrayList<>();
        for (CatalogInUse.Conflict c : e.conflicts()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", c.kind().label());
            m.put("key", c.key());
            m.put("customers", c.customers());
            m.put("first", c.first());
            inUse.add(m);
        }
        body.put("inUse", inUse);
        return body;
    }

    static Map<String, Object> error(String code, String message, @Nullable String field) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", code);
        e.put("message", message);
        put(e, "field", field);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", e);
        return m;
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** The last instant formatted and its text: most answers carry the same {@code resetsAt}. */
    private record FormattedInstant(Instant instant, String text) {}

    private static volatile @Nullable FormattedInstant lastFormatted;

    private static @Nullable String time(@Nullable Instant t) {
        if (t == null) {
            return null;
        }
        FormattedInstant last = lastFormatted;
        if (last != null && last.instant().equals(t)) {
            return last.text();
        }
        String text = IsoInstant.format(t);
        lastFormatted = new FormattedInstant(t, text);
        return text;
    }

    private static void put(Map<String, Object> m, String field, @Nullable Object value) {
        if (value != null) {
            m.put(field, value);
        }
    }
}
