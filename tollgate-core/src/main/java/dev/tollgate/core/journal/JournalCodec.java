package dev.tollgate.core.journal;

import dev.tollgate.core.Reason;
import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.budget.Scope;
import dev.tollgate.core.catalog.CatalogOrigin;
import dev.tollgate.core.catalog.Enforcement;
import dev.tollgate.core.catalog.Entitlement;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.PlanRef;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.customer.Trial;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.json.IsoInstant;
import dev.tollgate.core.json.Json;
import dev.tollgate.core.mapping.CatalogJson;
import dev.tollgate.core.mapping.CreditJson;
import dev.tollgate.core.mapping.CustomerJson;
import dev.tollgate.core.mapping.DecisionJson;
import dev.tollgate.core.mapping.Form;
import dev.tollgate.core.mapping.GovernanceJson;
import dev.tollgate.core.mapping.WebhookJson;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.session.Session;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Encodes journal entries as versioned JSON payloads and decodes them back.
 *
 * <p>Format: one JSON object per entry with {@code "v"} (the format version, {@link #FORMAT}) and the entry's fields;
 * the entry type travels beside the payload ({@link #type}) so that stores can index it. Readers accept formats
 * {@code 1..FORMAT}; a payload from a newer writer is refused rather than misread. Instants are ISO-8601 strings,
 * decimals are JSON numbers written exactly.
 *
 * <p>Format 2 leaves out of a usage record what equals its default, and readers put it back: {@code occurredAt} when
 * it is {@code at}, empty {@code dimensions}, a zero {@code overage}, and in a recorded answer a zero {@code held}, a
 * zero {@code overageQuantity} and a false {@code overage}. Usage is most of the journal, and on SQLite the group
 * commit's writer costs about in proportion to the bytes it writes: a typical usage record went from 409 to 290 bytes,
 * and in the events benchmark the writer went from 6.9-7.2 to 5.9-6.5 us an event.
 *
 * <p>The {@code settlement} record (a currency session's close beyond what was consumed in it) came later within
 * format 2: no existing record changed, and a reader that predates it refuses the unknown type rather than misreading
 * it.
 *
 * <p>A catalog record always carries {@code "origin"}: the start-up file it came from ({@code {"file", "sha256"}}, see
 * {@link CatalogOrigin}) or {@code null} for the API. A record without the key was written before origins were
 * recorded; its origin is inferred from its author ({@code startup:<file>}) and its document ({@link
 * CatalogOrigin#inferred}), so a journal written by an older build keeps knowing which versions came from a file.
 *
 * <p>A record written for a caller's idempotency key carries {@code "request"}, the fingerprint of the request that
 * used the key (see {@link JournalEntry#request}), added within format 2 too: an older reader ignores it, and a record
 * without it was written before fingerprints were kept.
 *
 * <p>The values inside a record (a decision, a grant, a subscription, a promotion, a scope, a budget, a session, a
 * webhook, auto-recharge, a catalog's origin) are written by {@code dev.tollgate.core.mapping} in its
 * {@link Form#JOURNAL} form: the one mapping the API's answers use too. Reading them back is this class's alone.
 *
 * <p>Thread-safe: stateless.
 */
public final class JournalCodec {
    /** The payload format this build writes. */
    public static final int FORMAT = 2;

    private JournalCodec() {}

    /** The stable type name stored beside the payload ({@code usage}, {@code catalog}, ...). */
    public static String type(JournalEntry entry) {
        if (entry instanceof JournalEntry.CatalogPublished) {
            return "catalog";
        } else if (entry instanceof JournalEntry.CustomerUpserted) {
            return "customer";
        } else if (entry instanceof JournalEntry.SubscriptionSet) {
            return "subscription";
        } else if (entry instanceof JournalEntry.SubscriptionCancelled) {
            return "cancellation";
        } else if (entry instanceof JournalEntry.PromotionGranted) {
            return "promotion";
        } else if (entry instanceof JournalEntry.UsageRecorded) {
            return "usage";
        } else if (entry instanceof JournalEntry.ConsumptionDenied) {
            return "denial";
        } else if (entry instanceof JournalEntry.GrantCreated) {
            return "grant";
        } else if (entry instanceof JournalEntry.CreditsMoved) {
            return "credits";
        } else if (entry instanceof JournalEntry.AutoRechargeSet) {
            return "auto-recharge";
        } else if (entry instanceof JournalEntry.ScopeSet) {
            return "scope";
        } else if (entry instanceof JournalEntry.BudgetSet) {
            return "budget";
        } else if (entry instanceof JournalEntry.SessionOpened) {
            return "session-opened";
        } else if (entry instanceof JournalEntry.SessionExtended) {
            return "session-extended";
        } else if (entry instanceof JournalEntry.SessionClosed) {
            return "session-closed";
        } else if (entry instanceof JournalEntry.SessionSettled) {
            return "settlement";
        } else if (entry instanceof JournalEntry.AlertRaised) {
            return "alert";
        } else if (entry instanceof JournalEntry.WebhookSet) {
            return "webhook";
        } else if (entry instanceof JournalEntry.AlertDelivered) {
            return "delivery";
        } else if (entry instanceof JournalEntry.WebhookRemoved) {
            return "webhook-removed";
        }
        throw new IllegalArgumentException("unknown entry " + entry.getClass().getName());
    }

    /** Encodes an entry's payload. */
    public static String encode(JournalEntry entry) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", FORMAT);
        put(m, "customerId", entry.customerId());
        m.put("at", IsoInstant.format(entry.at()));
        put(m, "key", entry.idempotencyKey());
        put(m, "request", entry.request());
        if (entry instanceof JournalEntry.CatalogPublished e) {
            m.put("version", e.version());
            m.put("author", e.author());
            m.put("document", e.document());
            m.put("origin", e.origin() == null ? null : CatalogJson.origin(e.origin()));
        } else if (entry instanceof JournalEntry.CustomerUpserted e) {
            put(m, "name", e.name());
            m.put("metadata", e.metadata());
            put(m, "timeZone", e.timeZone());
        } else if (entry instanceof JournalEntry.SubscriptionSet e) {
            m.put("subscription", CustomerJson.subscription(e.subscription(), Form.JOURNAL));
            Map<String, Object> resets = new LinkedHashMap<>();
            e.resets().forEach((f, w) -> resets.put(f, IsoInstant.format(w)));
            m.put("resets", resets);
        } else if (entry instanceof JournalEntry.SubscriptionCancelled e) {
            m.put("endsAt", IsoInstant.format(e.endsAt()));
        } else if (entry instanceof JournalEntry.PromotionGranted e) {
            m.put("promotion", CustomerJson.promotion(e.promotion(), Form.JOURNAL));
        } else if (entry instanceof JournalEntry.UsageRecorded e) {
            m.put("feature", e.feature());
            m.put("quantity", e.quantity());
            m.put("windowStart", IsoInstant.format(e.windowStart()));
            putUnlessZero(m, "overage", e.overage());
            m.put("source", e.source().name());
            if (!e.occurredAt().equals(e.at())) {
                m.put("occurredAt", IsoInstant.format(e.occurredAt()));
            }
            put(m, "scope", e.scope());
            if (!e.dimensions().isEmpty()) {
                m.put("dimensions", new LinkedHashMap<String, Object>(e.dimensions()));
            }
            m.put("answer", DecisionJson.decision(e.answer(), Form.JOURNAL));
            put(m, "session", e.sessionId());
        } else if (entry instanceof JournalEntry.ConsumptionDenied e) {
            m.put("feature", e.feature());
            m.put("quantity", e.quantity());
            m.put("answer", DecisionJson.decision(e.answer(), Form.JOURNAL));
        } else if (entry instanceof JournalEntry.GrantCreated e) {
            m.put("grant", CreditJson.grant(e.grant()));
        } else if (entry instanceof JournalEntry.CreditsMoved e) {
            m.put("type", e.type().name());
            m.put("currency", e.currency());
            m.put("time", IsoInstant.format(e.time()));
            List<Object> moves = new ArrayList<>();
            for (Movement mv : e.movements()) {
                Map<String, Object> x = new LinkedHashMap<>();
                put(x, "grant", mv.grantId());
                x.put("amount", mv.amount());
                moves.add(x);
            }
            m.put("movements", moves);
            put(m, "reference", e.reference());
            put(m, "feature", e.feature());
            put(m, "quantity", e.quantity());
            put(m, "scope", e.scope());
            m.put("dimensions", new LinkedHashMap<String, Object>(e.dimensions()));
        } else if (entry instanceof JournalEntry.SessionOpened e) {
            Session x = e.session();
            m.put("id", x.id());
            GovernanceJson.putSessionHold(m, x);
            GovernanceJson.putSessionTimes(m, x, x.expiresAt());
        } else if (entry instanceof JournalEntry.SessionExtended e) {
            m.put("session", e.sessionId());
            m.put("expiresAt", IsoInstant.format(e.expiresAt()));
        } else if (entry instanceof JournalEntry.SessionClosed e) {
            m.put("session", e.sessionId());
            m.put("expired", e.expired());
            put(m, "excess", e.excess());
            if (e.boundBy() != null) {
                m.put("boundBy", DecisionJson.boundBy(e.boundBy()));
            }
        } else if (entry instanceof JournalEntry.SessionSettled e) {
            m.put("session", e.sessionId());
            put(m, "scope", e.scope());
            m.put("currency", e.currency());
            m.put("credits", e.credits());
        } else if (entry instanceof JournalEntry.AlertRaised e) {
            Alert a = e.alert();
            m.put("id", a.id());
            m.put("type", a.type());
            m.put("dedup", a.dedupKey());
            m.put("data", new LinkedHashMap<String, Object>(a.data()));
            m.put("webhooks", new ArrayList<Object>(a.webhooks()));
        } else if (entry instanceof JournalEntry.WebhookSet e) {
            WebhookJson.putWebhook(m, e.webhook());
            m.put("secret", e.webhook().secret());
        } else if (entry instanceof JournalEntry.AlertDelivered e) {
            m.put("alert", e.alertId());
            m.put("webhook", e.webhookId());
        } else if (entry instanceof JournalEntry.WebhookRemoved e) {
            m.put("webhook", e.webhookId());
        } else if (entry instanceof JournalEntry.ScopeSet e) {
            GovernanceJson.putScope(m, e.scope());
        } else if (entry instanceof JournalEntry.BudgetSet e) {
            m.put("scope", e.scopeId());
            m.put("budgetKey", e.budgetKey());
            Budget b = e.budget();
            if (b != null) {
                Map<String, Object> bm = new LinkedHashMap<>();
                GovernanceJson.putBudgetCap(bm, b);
                GovernanceJson.putBudgetTerms(bm, b, Form.JOURNAL);
                m.put("budget", bm);
            }
        } else if (entry instanceof JournalEntry.AutoRechargeSet e) {
            m.put("currency", e.currency());
            if (e.config() != null) {
                m.put("config", CreditJson.autoRecharge(e.config()));
            }
        }
        return Json.write(m);
    }

    /**
     * Decodes a payload.
     *
     * @param type the type name stored beside it
     * @param payload the JSON payload
     * @return the entry
     * @throws IllegalArgumentException if the payload is malformed, of an unknown type or of a newer format
     */
    public static JournalEntry decode(String type, String payload) {
        Map<String, Object> m = map(Json.parse(payload));
        int format = ((BigDecimal) m.get("v")).intValueExact();
        if (format < 1 || format > FORMAT) {
            throw new IllegalArgumentException("journal format " + format + " is not in 1.." + FORMAT);
        }
        Instant at = Instant.parse(str(m, "at"));
        String key = optStr(m, "key");
        String request = optStr(m, "request");
        String customer = optStr(m, "customerId");
        return switch (type) {
            case "catalog" -> {
                String author = str(m, "author");
                Object document = m.get("document");
                CatalogOrigin origin = m.containsKey("origin")
                        ? (m.get("origin") == null ? null : origin(map(m.get("origin"))))
                        : CatalogOrigin.inferred(author, document);
                yield new JournalEntry.CatalogPublished(
                        ((BigDecimal) m.get("version")).intValueExact(), at, author, document, origin);
            }
            case "customer" ->
                new JournalEntry.CustomerUpserted(
                        req(customer),
                        at,
                        key,
                        optStr(m, "name"),
                        map(m.get("metadata")),
                        optStr(m, "timeZone"),
                        request);
            case "subscription" -> {
                Map<String, Instant> resets = new LinkedHashMap<>();
                map(m.get("resets")).forEach((f, w) -> resets.put(f, Instant.parse((String) w)));
                yield new JournalEntry.SubscriptionSet(
                        req(customer), at, key, subscription(map(m.get("subscription"))), resets, request);
            }
            case "cancellation" ->
                new JournalEntry.SubscriptionCancelled(req(customer), at, key, Instant.parse(str(m, "endsAt")));
            case "promotion" ->
                new JournalEntry.PromotionGranted(req(customer), at, key, promotion(map(m.get("promotion"))), request);
            case "usage" -> {
                Map<String, String> dims = new LinkedHashMap<>();
                if (m.get("dimensions") != null) {
                    map(m.get("dimensions")).forEach((k, v) -> dims.put(k, (String) v));
                }
                String occurredAt = optStr(m, "occurredAt");
                yield new JournalEntry.UsageRecorded(
                        req(customer),
                        at,
                        req(key),
                        str(m, "feature"),
                        dec(m, "quantity"),
                        Instant.parse(str(m, "windowStart")),
                        decOrZero(m, "overage"),
                        UsageSource.valueOf(str(m, "source")),
                        occurredAt == null ? at : Instant.parse(occurredAt),
                        optStr(m, "scope"),
                        dims,
                        decision(map(m.get("answer"))),
                        optStr(m, "session"),
                        request);
            }
            case "denial" ->
                new JournalEntry.ConsumptionDenied(
                        req(customer),
                        at,
                        req(key),
                        str(m, "feature"),
                        dec(m, "quantity"),
                        decision(map(m.get("answer"))),
                        request);
            case "grant" -> new JournalEntry.GrantCreated(req(customer), at, key, grant(map(m.get("grant"))), request);
            case "credits" -> {
                List<Movement> moves = new ArrayList<>();
                for (Object o : (List<?>) req(m.get("movements"))) {
                    Map<String, Object> x = map(o);
                    moves.add(new Movement(optStr(x, "grant"), dec(x, "amount")));
                }
                Map<String, String> dims = new LinkedHashMap<>();
                map(m.get("dimensions")).forEach((k, v) -> dims.put(k, (String) v));
                yield new JournalEntry.CreditsMoved(
                        req(customer),
                        at,
                        key,
                        EntryType.valueOf(str(m, "type")),
                        str(m, "currency"),
                        Instant.parse(str(m, "time")),
                        List.copyOf(moves),
                        optStr(m, "reference"),
                        optStr(m, "feature"),
                        optDec(m, "quantity"),
                        optStr(m, "scope"),
                        dims);
            }
            case "auto-recharge" -> {
                AutoRecharge config = null;
                if (m.get("config") != null) {
                    Map<String, Object> c = map(m.get("config"));
                    BigDecimal max = optDec(c, "maxPerPeriod");
                    config = new AutoRecharge(
                            str(m, "currency"),
                            dec(c, "threshold"),
                            optDec(c, "target"),
                            dec(c, "amount"),
                            dec(c, "costBasis"),
                            max == null ? null : max.intValueExact(),
                            optDec(c, "maxMoneyPerPeriod"));
                }
                yield new JournalEntry.AutoRechargeSet(req(customer), at, key, str(m, "currency"), config);
            }
            case "session-opened" ->
                new JournalEntry.SessionOpened(
                        req(customer),
                        at,
                        key,
                        new Session(
                                str(m, "id"),
                                optStr(m, "scope"),
                                optStr(m, "currency"),
                                optStr(m, "feature"),
                                dec(m, "amount"),
                                Instant.parse(str(m, "openedAt")),
                                Instant.parse(str(m, "expiresAt")),
                                Instant.parse(str(m, "maxUntil"))),
                        request);
            case "session-extended" ->
                new JournalEntry.SessionExtended(
                        req(customer), at, key, str(m, "session"), Instant.parse(str(m, "expiresAt")));
            case "session-closed" ->
                new JournalEntry.SessionClosed(
                        req(customer),
                        at,
                        key,
                        str(m, "session"),
                        (Boolean) m.get("expired"),
                        optDec(m, "excess"),
                        m.get("boundBy") == null ? null : boundBy(map(m.get("boundBy"))));
            case "settlement" ->
                new JournalEntry.SessionSettled(
                        req(customer),
                        at,
                        key,
                        str(m, "session"),
                        optStr(m, "scope"),
                        str(m, "currency"),
                        dec(m, "credits"));
            case "alert" -> {
                List<String> hooks = new ArrayList<>();
                for (Object o : (List<?>) req(m.get("webhooks"))) {
                    hooks.add((String) o);
                }
                yield new JournalEntry.AlertRaised(
                        req(customer),
                        at,
                        key,
                        new Alert(
                                str(m, "id"),
                                req(customer),
                                str(m, "type"),
                                str(m, "dedup"),
                                at,
                                map(m.get("data")),
                                hooks));
            }
            case "webhook" -> {
                List<String> events = new ArrayList<>();
                for (Object o : (List<?>) req(m.get("events"))) {
                    events.add((String) o);
                }
                yield new JournalEntry.WebhookSet(
                        req(customer), at, key, new Webhook(str(m, "id"), str(m, "url"), events, str(m, "secret")));
            }
            case "delivery" ->
                new JournalEntry.AlertDelivered(req(customer), at, key, str(m, "alert"), str(m, "webhook"));
            case "webhook-removed" -> new JournalEntry.WebhookRemoved(req(customer), at, key, str(m, "webhook"));
            case "scope" ->
                new JournalEntry.ScopeSet(
                        req(customer),
                        at,
                        key,
                        new Scope(str(m, "id"), str(m, "kind"), optStr(m, "parent"), optStr(m, "name")));
            case "budget" -> {
                Budget budget = null;
                if (m.get("budget") != null) {
                    Map<String, Object> b = map(m.get("budget"));
                    List<BigDecimal> alerts = new ArrayList<>();
                    for (Object a : (List<?>) req(b.get("alerts"))) {
                        alerts.add((BigDecimal) a);
                    }
                    Map<String, String> dims = new LinkedHashMap<>();
                    map(b.get("dimensions")).forEach((k, v) -> dims.put(k, (String) v));
                    budget = new Budget(
                            str(m, "budgetKey"),
                            optStr(b, "currency"),
                            optStr(b, "feature"),
                            dec(b, "limit"),
                            ResetPeriod.parse(str(b, "period")).orElseThrow(),
                            (Boolean) b.get("hard"),
                            alerts,
                            dims);
                }
                yield new JournalEntry.BudgetSet(req(customer), at, key, str(m, "scope"), str(m, "budgetKey"), budget);
            }
            default -> throw new IllegalArgumentException("unknown journal entry type '" + type + "'");
        };
    }

    // ---- nested values ----

    private static Grant grant(Map<String, Object> m) {
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

    private static Subscription subscription(Map<String, Object> m) {
        List<AddonRef> addons = new ArrayList<>();
        for (Object o : (List<?>) m.get("addons")) {
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

    private static CatalogOrigin origin(Map<String, Object> m) {
        return new CatalogOrigin(str(m, "file"), str(m, "sha256"));
    }

    private static Promotion promotion(Map<String, Object> m) {
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
            case "boolean" -> new Entitlement.Toggle((Boolean) m.get("enabled"));
            case "config" -> new Entitlement.Config(dec(m, "value"));
            case "metered" ->
                new Entitlement.Metered(
                        optDec(m, "limit"),
                        Enforcement.valueOf(str(m, "enforcement")),
                        ResetPeriod.valueOf(str(m, "reset")),
                        (Boolean) m.get("calendar"));
            default -> throw new IllegalArgumentException("unknown entitlement type " + m.get("type"));
        };
    }

    private static BoundBy boundBy(Map<String, Object> b) {
        return new BoundBy(
                str(b, "kind"),
                optStr(b, "feature"),
                optStr(b, "currency"),
                optStr(b, "scope"),
                optStr(b, "budget"),
                optStr(b, "session"));
    }

    private static Decision decision(Map<String, Object> m) {
        BoundBy boundBy = m.get("boundBy") == null ? null : boundBy(map(m.get("boundBy")));
        String reason = optStr(m, "reason");
        String resetsAt = optStr(m, "resetsAt");
        return new Decision(
                (Boolean) m.get("allowed"),
                reason == null ? null : Reason.valueOf(reason),
                boundBy,
                optDec(m, "limit"),
                dec(m, "used"),
                decOrZero(m, "held"),
                optDec(m, "remaining"),
                (Boolean) m.get("unlimited"),
                Boolean.TRUE.equals(m.get("overage")),
                decOrZero(m, "overageQuantity"),
                resetsAt == null ? null : Instant.parse(resetsAt),
                optDec(m, "value"),
                (Boolean) m.get("recorded"),
                m.get("credit") == null ? null : charge(map(m.get("credit"))));
    }

    private static CreditCharge charge(Map<String, Object> m) {
        return new CreditCharge(str(m, "currency"), dec(m, "credits"), dec(m, "balance"));
    }

    // ---- tree helpers ----

    private static void put(Map<String, Object> m, String field, @Nullable Object value) {
        if (value != null) {
            m.put(field, value);
        }
    }

    /** Format 2: a zero is left out, and read back as {@link #decOrZero}. */
    private static void putUnlessZero(Map<String, Object> m, String field, BigDecimal value) {
        if (value.signum() != 0) {
            m.put(field, value);
        }
    }

    private static BigDecimal decOrZero(Map<String, Object> m, String field) {
        BigDecimal value = optDec(m, field);
        return value == null ? BigDecimal.ZERO : value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(@Nullable Object o) {
        if (!(o instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("expected an object in journal payload");
        }
        return (Map<String, Object>) o;
    }

    private static String str(Map<String, Object> m, String field) {
        return req(optStr(m, field));
    }

    private static @Nullable String optStr(Map<String, Object> m, String field) {
        return (String) m.get(field);
    }

    private static BigDecimal dec(Map<String, Object> m, String field) {
        return req(optDec(m, field));
    }

    private static @Nullable BigDecimal optDec(Map<String, Object> m, String field) {
        return (BigDecimal) m.get(field);
    }

    private static int integer(Map<String, Object> m, String field) {
        return dec(m, field).intValueExact();
    }

    private static <T> T req(@Nullable T value) {
        if (value == null) {
            throw new IllegalArgumentException("missing field in journal payload");
        }
        return value;
    }
}
