package dev.tollgate.core.journal;

import static dev.tollgate.core.journal.Payload.bool;
import static dev.tollgate.core.journal.Payload.dec;
import static dev.tollgate.core.journal.Payload.decOrZero;
import static dev.tollgate.core.journal.Payload.instant;
import static dev.tollgate.core.journal.Payload.integer;
import static dev.tollgate.core.journal.Payload.map;
import static dev.tollgate.core.journal.Payload.optDec;
import static dev.tollgate.core.journal.Payload.optStr;
import static dev.tollgate.core.journal.Payload.put;
import static dev.tollgate.core.journal.Payload.putUnlessZero;
import static dev.tollgate.core.journal.Payload.req;
import static dev.tollgate.core.journal.Payload.str;

import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.budget.Scope;
import dev.tollgate.core.catalog.CatalogOrigin;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.journal.EntryKind.Head;
import dev.tollgate.core.json.IsoInstant;
import dev.tollgate.core.mapping.CatalogJson;
import dev.tollgate.core.mapping.CreditJson;
import dev.tollgate.core.mapping.CustomerJson;
import dev.tollgate.core.mapping.DecisionJson;
import dev.tollgate.core.mapping.Form;
import dev.tollgate.core.mapping.GovernanceJson;
import dev.tollgate.core.mapping.WebhookJson;
import dev.tollgate.core.session.Session;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every journal entry's own fields, written and read back: one {@link EntryKind} per entry type, its writer and its
 * reader side by side so that the two stay the same field list. Part of {@link JournalCodec}; stateless.
 */
final class EntryFields {
    private EntryFields() {}

    /** Every entry type, usage first (most of the journal). */
    static final List<EntryKind<?>> KINDS = List.of(
            new EntryKind<>("usage", JournalEntry.UsageRecorded.class, EntryFields::usage, EntryFields::usage),
            new EntryKind<>("denial", JournalEntry.ConsumptionDenied.class, EntryFields::denial, EntryFields::denial),
            new EntryKind<>("credits", JournalEntry.CreditsMoved.class, EntryFields::credits, EntryFields::credits),
            new EntryKind<>("grant", JournalEntry.GrantCreated.class, EntryFields::grant, EntryFields::grant),
            new EntryKind<>(
                    "auto-recharge",
                    JournalEntry.AutoRechargeSet.class,
                    EntryFields::autoRecharge,
                    EntryFields::autoRecharge),
            new EntryKind<>("catalog", JournalEntry.CatalogPublished.class, EntryFields::catalog, EntryFields::catalog),
            new EntryKind<>(
                    "customer", JournalEntry.CustomerUpserted.class, EntryFields::customer, EntryFields::customer),
            new EntryKind<>(
                    "subscription",
                    JournalEntry.SubscriptionSet.class,
                    EntryFields::subscription,
                    EntryFields::subscription),
            new EntryKind<>(
                    "cancellation",
                    JournalEntry.SubscriptionCancelled.class,
                    (e, m) -> m.put("endsAt", IsoInstant.format(e.endsAt())),
                    (h, m) -> new JournalEntry.SubscriptionCancelled(
                            h.customerId(), h.at(), h.key(), instant(m, "endsAt"))),
            new EntryKind<>(
                    "promotion",
                    JournalEntry.PromotionGranted.class,
                    (e, m) -> m.put("promotion", CustomerJson.promotion(e.promotion(), Form.JOURNAL)),
                    (h, m) -> new JournalEntry.PromotionGranted(
                            h.customerId(),
                            h.at(),
                            h.key(),
                            ValueFields.promotion(map(m.get("promotion"))),
                            h.request())),
            new EntryKind<>("scope", JournalEntry.ScopeSet.class, EntryFields::scope, EntryFields::scope),
            new EntryKind<>("budget", JournalEntry.BudgetSet.class, EntryFields::budget, EntryFields::budget),
            new EntryKind<>(
                    "session-opened",
                    JournalEntry.SessionOpened.class,
                    EntryFields::sessionOpened,
                    EntryFields::sessionOpened),
            new EntryKind<>(
                    "session-extended",
                    JournalEntry.SessionExtended.class,
                    (e, m) -> {
                        m.put("session", e.sessionId());
                        m.put("expiresAt", IsoInstant.format(e.expiresAt()));
                    },
                    (h, m) -> new JournalEntry.SessionExtended(
                            h.customerId(), h.at(), h.key(), str(m, "session"), instant(m, "expiresAt"))),
            new EntryKind<>(
                    "session-closed",
                    JournalEntry.SessionClosed.class,
                    EntryFields::sessionClosed,
                    EntryFields::sessionClosed),
            new EntryKind<>(
                    "settlement", JournalEntry.SessionSettled.class, EntryFields::settlement, EntryFields::settlement),
            new EntryKind<>("alert", JournalEntry.AlertRaised.class, EntryFields::alert, EntryFields::alert),
            new EntryKind<>("webhook", JournalEntry.WebhookSet.class, EntryFields::webhook, EntryFields::webhook),
            new EntryKind<>(
                    "delivery",
                    JournalEntry.AlertDelivered.class,
                    (e, m) -> {
                        m.put("alert", e.alertId());
                        m.put("webhook", e.webhookId());
                    },
                    (h, m) -> new JournalEntry.AlertDelivered(
                            h.customerId(), h.at(), h.key(), str(m, "alert"), str(m, "webhook"))),
            new EntryKind<>(
                    "webhook-removed",
                    JournalEntry.WebhookRemoved.class,
                    (e, m) -> m.put("webhook", e.webhookId()),
                    (h, m) -> new JournalEntry.WebhookRemoved(h.customerId(), h.at(), h.key(), str(m, "webhook"))));

    // ---- usage ----

    private static void usage(JournalEntry.UsageRecorded e, Map<String, Object> m) {
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
    }

    private static JournalEntry.UsageRecorded usage(Head h, Map<String, Object> m) {
        Instant occurredAt = Payload.optInstant(m, "occurredAt");
        return new JournalEntry.UsageRecorded(
                h.customerId(),
                h.at(),
                h.requiredKey(),
                str(m, "feature"),
                dec(m, "quantity"),
                instant(m, "windowStart"),
                decOrZero(m, "overage"),
                UsageSource.valueOf(str(m, "source")),
                occurredAt == null ? h.at() : occurredAt,
                optStr(m, "scope"),
                m.get("dimensions") == null ? new LinkedHashMap<>() : Payload.strings(m.get("dimensions")),
                ValueFields.decision(map(m.get("answer"))),
                optStr(m, "session"),
                h.request());
    }

    private static void denial(JournalEntry.ConsumptionDenied e, Map<String, Object> m) {
        m.put("feature", e.feature());
        m.put("quantity", e.quantity());
        put(m, "scope", e.scope());
        if (!e.dimensions().isEmpty()) {
            m.put("dimensions", new LinkedHashMap<String, Object>(e.dimensions()));
        }
        put(m, "session", e.sessionId());
        m.put("answer", DecisionJson.decision(e.answer(), Form.JOURNAL));
    }

    private static JournalEntry.ConsumptionDenied denial(Head h, Map<String, Object> m) {
        return new JournalEntry.ConsumptionDenied(
                h.customerId(),
                h.at(),
                h.requiredKey(),
                str(m, "feature"),
                dec(m, "quantity"),
                optStr(m, "scope"),
                m.get("dimensions") == null ? new LinkedHashMap<>() : Payload.strings(m.get("dimensions")),
                optStr(m, "session"),
                ValueFields.decision(map(m.get("answer"))),
                h.request());
    }

    // ---- credits ----

    private static void credits(JournalEntry.CreditsMoved e, Map<String, Object> m) {
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
    }

    private static JournalEntry.CreditsMoved credits(Head h, Map<String, Object> m) {
        List<Movement> moves = new ArrayList<>();
        for (Object o : (List<?>) req(m.get("movements"))) {
            Map<String, Object> x = map(o);
            moves.add(new Movement(optStr(x, "grant"), dec(x, "amount")));
        }
        return new JournalEntry.CreditsMoved(
                h.customerId(),
                h.at(),
                h.key(),
                EntryType.valueOf(str(m, "type")),
                str(m, "currency"),
                instant(m, "time"),
                List.copyOf(moves),
                optStr(m, "reference"),
                optStr(m, "feature"),
                optDec(m, "quantity"),
                optStr(m, "scope"),
                Payload.strings(m.get("dimensions")));
    }

    private static void grant(JournalEntry.GrantCreated e, Map<String, Object> m) {
        m.put("grant", CreditJson.grant(e.grant()));
    }

    private static JournalEntry.GrantCreated grant(Head h, Map<String, Object> m) {
        return new JournalEntry.GrantCreated(
                h.customerId(), h.at(), h.key(), ValueFields.grant(map(m.get("grant"))), h.request());
    }

    private static void autoRecharge(JournalEntry.AutoRechargeSet e, Map<String, Object> m) {
        m.put("currency", e.currency());
        if (e.config() != null) {
            m.put("config", CreditJson.autoRecharge(e.config()));
        }
    }

    private static JournalEntry.AutoRechargeSet autoRecharge(Head h, Map<String, Object> m) {
        String currency = str(m, "currency");
        return new JournalEntry.AutoRechargeSet(
                h.customerId(),
                h.at(),
                h.key(),
                currency,
                m.get("config") == null ? null : ValueFields.autoRecharge(currency, map(m.get("config"))));
    }

    // ---- catalog and customers ----

    private static void catalog(JournalEntry.CatalogPublished e, Map<String, Object> m) {
        m.put("version", e.version());
        m.put("author", e.author());
        m.put("document", e.document());
        m.put("origin", e.origin() == null ? null : CatalogJson.origin(e.origin()));
    }

    private static JournalEntry.CatalogPublished catalog(Head h, Map<String, Object> m) {
        String author = str(m, "author");
        Object document = m.get("document");
        CatalogOrigin origin = m.containsKey("origin")
                ? (m.get("origin") == null ? null : ValueFields.origin(map(m.get("origin"))))
                : CatalogOrigin.inferred(author, document);
        return new JournalEntry.CatalogPublished(integer(m, "version"), h.at(), author, document, origin);
    }

    private static void customer(JournalEntry.CustomerUpserted e, Map<String, Object> m) {
        put(m, "name", e.name());
        m.put("metadata", e.metadata());
        put(m, "timeZone", e.timeZone());
    }

    private static JournalEntry.CustomerUpserted customer(Head h, Map<String, Object> m) {
        return new JournalEntry.CustomerUpserted(
                h.customerId(),
                h.at(),
                h.key(),
                optStr(m, "name"),
                map(m.get("metadata")),
                optStr(m, "timeZone"),
                h.request());
    }

    private static void subscription(JournalEntry.SubscriptionSet e, Map<String, Object> m) {
        m.put("subscription", CustomerJson.subscription(e.subscription(), Form.JOURNAL));
        Map<String, Object> resets = new LinkedHashMap<>();
        e.resets().forEach((f, w) -> resets.put(f, IsoInstant.format(w)));
        m.put("resets", resets);
    }

    private static JournalEntry.SubscriptionSet subscription(Head h, Map<String, Object> m) {
        Map<String, Instant> resets = new LinkedHashMap<>();
        map(m.get("resets")).forEach((f, w) -> resets.put(f, Instant.parse((String) w)));
        return new JournalEntry.SubscriptionSet(
                h.customerId(),
                h.at(),
                h.key(),
                ValueFields.subscription(map(m.get("subscription"))),
                resets,
                h.request());
    }

    // ---- governance ----

    private static void scope(JournalEntry.ScopeSet e, Map<String, Object> m) {
        GovernanceJson.putScope(m, e.scope());
    }

    private static JournalEntry.ScopeSet scope(Head h, Map<String, Object> m) {
        return new JournalEntry.ScopeSet(
                h.customerId(),
                h.at(),
                h.key(),
                new Scope(str(m, "id"), str(m, "kind"), optStr(m, "parent"), optStr(m, "name")));
    }

    private static void budget(JournalEntry.BudgetSet e, Map<String, Object> m) {
        m.put("scope", e.scopeId());
        m.put("budgetKey", e.budgetKey());
        if (e.budget() != null) {
            Map<String, Object> bm = new LinkedHashMap<>();
            GovernanceJson.putBudgetCap(bm, e.budget());
            GovernanceJson.putBudgetTerms(bm, e.budget(), Form.JOURNAL);
            m.put("budget", bm);
        }
    }

    private static JournalEntry.BudgetSet budget(Head h, Map<String, Object> m) {
        String key = str(m, "budgetKey");
        return new JournalEntry.BudgetSet(
                h.customerId(),
                h.at(),
                h.key(),
                str(m, "scope"),
                key,
                m.get("budget") == null ? null : ValueFields.budget(key, map(m.get("budget"))));
    }

    // ---- sessions ----

    private static void sessionOpened(JournalEntry.SessionOpened e, Map<String, Object> m) {
        Session x = e.session();
        m.put("id", x.id());
        GovernanceJson.putSessionHold(m, x);
        GovernanceJson.putSessionTimes(m, x, x.expiresAt());
    }

    private static JournalEntry.SessionOpened sessionOpened(Head h, Map<String, Object> m) {
        Session session = new Session(
                str(m, "id"),
                optStr(m, "scope"),
                optStr(m, "currency"),
                optStr(m, "feature"),
                dec(m, "amount"),
                instant(m, "openedAt"),
                instant(m, "expiresAt"),
                instant(m, "maxUntil"),
                m.get("quote") == null ? null : ValueFields.quote(map(m.get("quote"))));
        return new JournalEntry.SessionOpened(h.customerId(), h.at(), h.key(), session, h.request());
    }

    private static void sessionClosed(JournalEntry.SessionClosed e, Map<String, Object> m) {
        m.put("session", e.sessionId());
        m.put("expired", e.expired());
        put(m, "excess", e.excess());
        if (e.boundBy() != null) {
            m.put("boundBy", DecisionJson.boundBy(e.boundBy()));
        }
    }

    private static JournalEntry.SessionClosed sessionClosed(Head h, Map<String, Object> m) {
        return new JournalEntry.SessionClosed(
                h.customerId(),
                h.at(),
                h.key(),
                str(m, "session"),
                bool(m, "expired"),
                optDec(m, "excess"),
                m.get("boundBy") == null ? null : ValueFields.boundBy(map(m.get("boundBy"))));
    }

    private static void settlement(JournalEntry.SessionSettled e, Map<String, Object> m) {
        m.put("session", e.sessionId());
        put(m, "scope", e.scope());
        m.put("currency", e.currency());
        m.put("credits", e.credits());
    }

    private static JournalEntry.SessionSettled settlement(Head h, Map<String, Object> m) {
        return new JournalEntry.SessionSettled(
                h.customerId(),
                h.at(),
                h.key(),
                str(m, "session"),
                optStr(m, "scope"),
                str(m, "currency"),
                dec(m, "credits"));
    }

    // ---- alerts and webhooks ----

    private static void alert(JournalEntry.AlertRaised e, Map<String, Object> m) {
        Alert a = e.alert();
        m.put("id", a.id());
        m.put("type", a.type());
        m.put("dedup", a.dedupKey());
        m.put("data", new LinkedHashMap<String, Object>(a.data()));
        m.put("webhooks", new ArrayList<Object>(a.webhooks()));
    }

    private static JournalEntry.AlertRaised alert(Head h, Map<String, Object> m) {
        Alert alert = new Alert(
                str(m, "id"),
                h.customerId(),
                str(m, "type"),
                str(m, "dedup"),
                h.at(),
                map(m.get("data")),
                strings((List<?>) req(m.get("webhooks"))));
        return new JournalEntry.AlertRaised(h.customerId(), h.at(), h.key(), alert);
    }

    private static void webhook(JournalEntry.WebhookSet e, Map<String, Object> m) {
        WebhookJson.putWebhook(m, e.webhook());
        m.put("secret", e.webhook().secret());
    }

    private static JournalEntry.WebhookSet webhook(Head h, Map<String, Object> m) {
        Webhook webhook =
                new Webhook(str(m, "id"), str(m, "url"), strings((List<?>) req(m.get("events"))), str(m, "secret"));
        return new JournalEntry.WebhookSet(h.customerId(), h.at(), h.key(), webhook);
    }

    private static List<String> strings(List<?> values) {
        List<String> out = new ArrayList<>();
        for (Object o : values) {
            out.add((String) o);
        }
        return out;
    }
}
