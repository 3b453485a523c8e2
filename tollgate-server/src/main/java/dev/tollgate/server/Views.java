package dev.tollgate.server;

import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.Entitlement;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.engine.BoundBy;
import dev.tollgate.core.engine.CatalogVersionInfo;
import dev.tollgate.core.engine.CustomerView;
import dev.tollgate.core.engine.Decision;
import dev.tollgate.core.engine.EntitlementView;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
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
        return m;
    }

    private static Map<String, Object> boundBy(BoundBy b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", b.kind());
        put(m, "feature", b.feature());
        put(m, "currency", b.currency());
        put(m, "scope", b.scope());
        put(m, "budget", b.budget());
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
        return m;
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

    private static @Nullable String time(@Nullable Instant t) {
        return t == null ? null : t.toString();
    }

    private static void put(Map<String, Object> m, String field, @Nullable Object value) {
        if (value != null) {
            m.put(field, value);
        }
    }
}
