package dev.tollgate.core.mapping;

import static dev.tollgate.core.mapping.Fields.instant;
import static dev.tollgate.core.mapping.Fields.instantOrNull;
import static dev.tollgate.core.mapping.Fields.putPresent;

import dev.tollgate.core.catalog.Entitlement;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.PlanRef;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A customer's {@link Subscription} and {@link Promotion}s, with the {@link Entitlement} a promotion grants.
 *
 * <p>The two forms: the journal nests a plan reference ({@code "plan": {"key", "version"}}), an answer lays it flat
 * ({@code "plan": key, "planVersion": n}); the journal writes an entitlement with its {@code type} and the enum names
 * it stores ({@code SOFT}, {@code MONTH}, an unlimited limit absent), an answer as a catalog document writes one
 * ({@code soft}, {@code month}, {@code "limit": "unlimited"}).
 *
 * <p>Thread-safe: stateless.
 */
public final class CustomerJson {
    private CustomerJson() {}

    /** {@code plan}, {@code addons}, {@code startAt}, and {@code trial} and {@code cancelAt} when it has them. */
    public static Map<String, Object> subscription(Subscription s, Form form) {
        Map<String, Object> m = new LinkedHashMap<>();
        putPlan(m, s.plan(), form);
        List<Object> addons = new ArrayList<>();
        for (AddonRef a : s.addons()) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("key", a.key());
            am.put("version", a.version());
            am.put("quantity", a.quantity());
            addons.add(am);
        }
        m.put("addons", addons);
        m.put("startAt", instant(s.startAt()));
        if (s.trial() != null) {
            Map<String, Object> trial = new LinkedHashMap<>();
            putPlan(trial, s.trial().plan(), form);
            trial.put("endsAt", instant(s.trial().endsAt()));
            m.put("trial", trial);
        }
        putPresent(m, "cancelAt", instantOrNull(s.cancelAt()));
        return m;
    }

    private static void putPlan(Map<String, Object> m, PlanRef plan, Form form) {
        if (form == Form.JOURNAL) {
            Map<String, Object> ref = new LinkedHashMap<>();
            ref.put("key", plan.key());
            ref.put("version", plan.version());
            m.put("plan", ref);
        } else {
            m.put("plan", plan.key());
            m.put("planVersion", plan.version());
        }
    }

    /** {@code id}, {@code feature}, {@code entitlement}, {@code startsAt}, {@code expiresAt} (absent for never). */
    public static Map<String, Object> promotion(Promotion p, Form form) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("feature", p.feature());
        m.put("entitlement", entitlement(p.entitlement(), form));
        m.put("startsAt", instant(p.startsAt()));
        putPresent(m, "expiresAt", instantOrNull(p.expiresAt()));
        return m;
    }

    /** What one source grants for a feature: {@code enabled}, {@code value}, or a metered limit and its window. */
    public static Map<String, Object> entitlement(Entitlement e, Form form) {
        boolean journal = form == Form.JOURNAL;
        Map<String, Object> m = new LinkedHashMap<>();
        if (e instanceof Entitlement.Toggle t) {
            putType(m, "boolean", form);
            m.put("enabled", t.enabled());
        } else if (e instanceof Entitlement.Config c) {
            putType(m, "config", form);
            m.put("value", c.value());
        } else if (e instanceof Entitlement.Metered mt) {
            putType(m, "metered", form);
            if (journal) {
                putPresent(m, "limit", mt.limit());
            } else {
                m.put("limit", mt.limit() == null ? "unlimited" : mt.limit());
            }
            String enforcement = mt.enforcement().name();
            m.put("enforcement", journal ? enforcement : enforcement.toLowerCase(Locale.ROOT));
            m.put("reset", journal ? mt.reset().name() : mt.reset().wireName());
            m.put("calendar", mt.calendar());
        }
        return m;
    }

    /** The journal names an entitlement's type; an answer leaves it to the feature it is shown under. */
    private static void putType(Map<String, Object> m, String type, Form form) {
        if (form == Form.JOURNAL) {
            m.put("type", type);
        }
    }
}
