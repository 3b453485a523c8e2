package dev.tollgate.core.journal;

import static dev.tollgate.core.journal.Payload.bool;
import static dev.tollgate.core.journal.Payload.dec;
import static dev.tollgate.core.journal.Payload.decOrZero;
import static dev.tollgate.core.journal.Payload.integer;
import static dev.tollgate.core.journal.Payload.map;
import static dev.tollgate.core.journal.Payload.optDec;
import static dev.tollgate.core.journal.Payload.optStr;
import static dev.tollgate.core.journal.Payload.req;
import static dev.tollgate.core.journal.Payload.str;

import dev.tollgate.core.Reason;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.catalog.CatalogOrigin;
import dev.tollgate.core.catalog.Enforcement;
import dev.tollgate.core.catalog.Entitlement;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.PlanRef;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.customer.Trial;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.session.Quote;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The values journal records carry inside them (a grant, a subscription, a promotion and its entitlement, a recorded
 * answer, a budget, auto-recharge settings, a catalog's origin), read back from their JSON objects; {@code
 * dev.tollgate.core.mapping} writes them ({@link dev.tollgate.core.mapping.Form#JOURNAL}). Part of {@link
 * JournalCodec}; stateless.
 */
final class ValueFields {
    private ValueFields() {}

    /** A quoted session's price: {@code currency} (absent if free) and {@code unitPrice}. */
    static Quote quote(Map<String, Object> m) {
        return new Quote(optStr(m, "currency"), dec(m, "unitPrice"));
    }

    static Grant grant(Map<String, Object> m) {
        String expires = optStr(m, "expiresAt");
        return new Grant(
                str(m, "id"),
                str(m, "currency"),
                dec(m, "amount"),
                "promotional".equals(str(m, "category")),
                dec(m, "costBasis"),
                integer(m, "priority"),
                Instant.parse(str(m, "effectiveAt")),
                expires == null ? null : Instant.parse(expires),
                str(m, "source"),
                optStr(m, "reference"));
    }

    static Subscription subscription(Map<String, Object> m) {
        List<AddonRef> addons = new ArrayList<>();
        for (Object o : req((List<?>) m.get("addons"))) {
            Map<String, Object> am = map(o);
            addons.add(new AddonRef(str(am, "key"), integer(am, "version"), integer(am, "quantity")));
        }
        Trial trial = null;
        if (m.get("trial") != null) {
            Map<String, Object> tm = map(m.get("trial"));
            trial = new Trial(planRef(map(tm.get("plan"))), Instant.parse(str(tm, "endsAt")));
        }
        String cancelAt = optStr(m, "cancelAt");
        return new Subscription(
                planRef(map(m.get("plan"))),
                addons,
                Instant.parse(str(m, "startAt")),
                trial,
                cancelAt == null ? null : Instant.parse(cancelAt));
    }

    private static PlanRef planRef(Map<String, Object> m) {
        return new PlanRef(str(m, "key"), integer(m, "version"));
    }

    static CatalogOrigin origin(Map<String, Object> m) {
        return new CatalogOrigin(str(m, "file"), str(m, "sha256"));
    }

    static Promotion promotion(Map<String, Object> m) {
        String expires = optStr(m, "expiresAt");
        return new Promotion(
                str(m, "id"),
                str(m, "feature"),
                entitlement(map(m.get("entitlement"))),
                Instant.parse(str(m, "startsAt")),
                expires == null ? null : Instant.parse(expires));
    }

    private static Entitlement entitlement(Map<String, Object> m) {
        return switch (str(m, "type")) {
            case "boolean" -> new Entitlement.Toggle(bool(m, "enabled"));
            case "config" -> new Entitlement.Config(dec(m, "value"));
            case "metered" ->
                new Entitlement.Metered(
                        optDec(m, "limit"),
                        Enforcement.valueOf(str(m, "enforcement")),
                        ResetPeriod.valueOf(str(m, "reset")),
                        bool(m, "calendar"));
            default -> throw new IllegalArgumentException("unknown entitlement type " + m.get("type"));
        };
    }

    static BoundBy boundBy(Map<String, Object> b) {
        return new BoundBy(
                str(b, "kind"),
                optStr(b, "feature"),
                optStr(b, "currency"),
                optStr(b, "scope"),
                optStr(b, "budget"),
                optStr(b, "session"));
    }

    static Decision decision(Map<String, Object> m) {
        BoundBy boundBy = m.get("boundBy") == null ? null : boundBy(map(m.get("boundBy")));
        String reason = optStr(m, "reason");
        String resetsAt = optStr(m, "resetsAt");
        return new Decision(
                bool(m, "allowed"),
                reason == null ? null : Reason.valueOf(reason),
                boundBy,
                optDec(m, "limit"),
                dec(m, "used"),
                decOrZero(m, "held"),
                optDec(m, "remaining"),
                bool(m, "unlimited"),
                Boolean.TRUE.equals(m.get("overage")),
                decOrZero(m, "overageQuantity"),
                resetsAt == null ? null : Instant.parse(resetsAt),
                optDec(m, "value"),
                bool(m, "recorded"),
                m.get("credit") == null ? null : charge(map(m.get("credit"))));
    }

    private static CreditCharge charge(Map<String, Object> m) {
        return new CreditCharge(str(m, "currency"), dec(m, "credits"), dec(m, "balance"));
    }

    /** A budget as written under its key. */
    static Budget budget(String key, Map<String, Object> b) {
        List<BigDecimal> alerts = new ArrayList<>();
        for (Object a : (List<?>) Payload.req(b.get("alerts"))) {
            alerts.add((BigDecimal) a);
        }
        return new Budget(
                key,
                optStr(b, "currency"),
                optStr(b, "feature"),
                dec(b, "limit"),
                ResetPeriod.parse(str(b, "period")).orElseThrow(),
                bool(b, "hard"),
                alerts,
                Payload.strings(b.get("dimensions")));
    }

    /** Auto-recharge settings as written for their currency. */
    static AutoRecharge autoRecharge(String currency, Map<String, Object> c) {
        BigDecimal max = optDec(c, "maxPerPeriod");
        return new AutoRecharge(
                currency,
                dec(c, "threshold"),
                optDec(c, "target"),
                dec(c, "amount"),
                dec(c, "costBasis"),
                max == null ? null : max.intValueExact(),
                optDec(c, "maxMoneyPerPeriod"));
    }
}
