package dev.tollgate.core.engine.internal;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.Limits;
import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.EventResult;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.UsageEvent;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.Feature;
import dev.tollgate.core.catalog.FeatureType;
import dev.tollgate.core.credit.internal.CreditAccount;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.UsageSource;
import dev.tollgate.core.period.internal.Window;
import dev.tollgate.core.store.StoreException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The hot path: {@link #check}, {@link #consume} and reported events. A consume is decided by {@link Decisions} and
 * charged by {@link CreditRecords#charge} ({@link dev.tollgate.core.credit.internal.Charging}), then committed through
 * {@link EngineContext#enqueue}. Thread-safe; each command runs in its customer's section; a check takes no other
 * lock.
 */
public final class Metering {
    private final EngineContext ctx;

    public Metering(EngineContext ctx) {
        this.ctx = ctx;
    }

    public Decision check(CheckRequest request) {
        CustomerState state = ctx.served(request.customerId());
        if (state == null) {
            return Decision.denied(Reason.CUSTOMER_NOT_FOUND);
        }
        Catalog cat = ctx.catalog;
        synchronized (state) {
            if (!state.exists) {
                return Decision.denied(Reason.CUSTOMER_NOT_FOUND);
            }
            Instant now = ctx.now();
            String scope = request.scope();
            if (request.sessionId() != null) {
                String held = Decisions.sessionScope(state, cat, request.sessionId(), request.feature(), now);
                scope = scope == null ? held : scope;
            }
            if (scope != null && !state.scopes.contains(scope)) {
                return Decision.denied(Reason.SCOPE_NOT_FOUND);
            }
            Ask ask = new Ask(
                    request.feature(),
                    request.quantity(),
                    request.dimensions(),
                    scope,
                    request.sessionId(),
                    now,
                    MeteredLimit.Mode.CHECK);
            Map<String, CreditAccount> accounts = Decisions.priced(state, cat, request.feature(), request.sessionId())
                    ? Decisions.accountsAt(state, cat, now)
                    : state.accounts;
            Decision d = Decisions.budgeted(state, Decisions.decide(state, cat, ask, accounts), ask);
            return Decisions.inSession(state, d, ask);
        }
    }

    /**
     * A consumption being decided: the request, what it asks of the rules and its fingerprint. Built once per
     * consume.
     */
    private record Consumption(ConsumeRequest request, Ask ask, String print) {}

    public CompletableFuture<Outcome<Decision>> consume(ConsumeRequest request) {
        KeyUse.requireCallerKey(request.idempotencyKey());
        CustomerState state = ctx.served(request.customerId());
        if (state == null) {
            return answered(Decision.denied(Reason.CUSTOMER_NOT_FOUND));
        }
        Catalog cat = ctx.catalog;
        synchronized (state) {
            if (!state.exists) {
                return answered(Decision.denied(Reason.CUSTOMER_NOT_FOUND));
            }
            String print = KeyUse.fingerprint(
                    KeyUse.Kind.CONSUME,
                    request.feature(),
                    request.quantity(),
                    request.scope(),
                    request.sessionId(),
                    request.dimensions());
            IdempotencyKeys.KeyRecord prior = ctx.prior(state, request.idempotencyKey());
            if (prior != null) {
                Decision answer = priorAnswer(prior.entry(), print, request.feature(), request.quantity());
                return prior.durable().thenApply(v -> new Outcome<>(answer, true));
            }
            Instant now = ctx.now();
            String scope = request.scope();
            if (request.sessionId() != null) {
                String held = Decisions.sessionScope(state, cat, request.sessionId(), request.feature(), now);
                scope = scope == null ? held : scope;
            }
            if (scope != null && !state.scopes.contains(scope)) {
                return answered(Decision.denied(Reason.SCOPE_NOT_FOUND));
            }
            ctx.requireAvailable();
            Ask ask = new Ask(
                    request.feature(),
                    request.quantity(),
                    request.dimensions(),
                    scope,
                    request.sessionId(),
                    now,
                    MeteredLimit.Mode.CONSUME);
            return decideAndRecord(state, cat, new Consumption(request, ask, print));
        }
    }

    private static CompletableFuture<Outcome<Decision>> answered(Decision d) {
        return CompletableFuture.completedFuture(new Outcome<>(d, false));
    }

    /**
     * Decides a consumption ({@link Decisions}: the feature, its price, the budgets, the session) and records it,
     * admitted ({@link #admitted}) or refused ({@link #refused}), with what time made due for the credits first. Call
     * inside the customer's section.
     */
    private CompletableFuture<Outcome<Decision>> decideAndRecord(CustomerState state, Catalog cat, Consumption c) {
        Ask ask = c.ask();
        List<JournalEntry> entries = new ArrayList<>();
        if (Decisions.priced(state, cat, ask.feature(), ask.sessionId())) {
            entries.addAll(CreditRecords.housekeep(state, cat, ask.now()));
        }
        Decision d = Decisions.budgeted(state, Decisions.decide(state, cat, ask, state.accounts), ask);
        d = Decisions.inSession(state, d, ask);
        if (d.reason() == Reason.FEATURE_NOT_FOUND) {
            return answered(d);
        }
        Decision answer = d.allowed() ? admitted(state, cat, c, d, entries) : refused(state, cat, c, d, entries);
        return ctx.enqueue(state, entries).thenApply(v -> new Outcome<>(answer, false));
    }

    /**
     * Records an admitted consumption: its usage, then its charge ({@link CreditRecords#charge}) if it is priced.
     * Applies the records and appends them to {@code entries}.
     *
     * @return the answer: the decision as recorded, its balance after the charge
     */
    private static Decision admitted(
            CustomerState state, Catalog cat, Consumption c, Decision d, List<JournalEntry> entries) {
        ConsumeRequest request = c.request();
        Ask ask = c.ask();
        CreditCharge price = d.credit();
        Decision answer = Decisions.recorded(d);
        EffectiveEntitlement e = state.resolve(cat, ask.now()).entitlements().get(request.feature());
        JournalEntry usage = new JournalEntry.UsageRecorded(
                request.customerId(),
                ask.now(),
                request.idempotencyKey(),
                request.feature(),
                request.quantity(),
                Decisions.window(state, Objects.requireNonNull(e), ask.now()).start(),
                d.overageQuantity(),
                UsageSource.CONSUME,
                ask.now(),
                ask.scope(),
                request.dimensions(),
                answer,
                request.sessionId(),
                c.print());
        state.apply(usage, EngineContext.PLACEHOLDER);
        entries.add(usage);
        if (price != null) {
            CreditRecords.Charged what = new CreditRecords.Charged(
                    request.idempotencyKey(), request.feature(), request.quantity(), ask.scope(), request.dimensions());
            entries.addAll(CreditRecords.charge(state, price, what, ask.now()));
        }
        return answer;
    }

    /**
     * Records a refused consumption, so that a repeated key answers the same. Applies the record and appends it to
     * {@code entries}.
     *
     * @return the answer: the refusal with the figures as they stand ({@link #asItStands})
     */
    private static Decision refused(
            CustomerState state, Catalog cat, Consumption c, Decision d, List<JournalEntry> entries) {
        ConsumeRequest request = c.request();
        Decision answer = asItStands(state, cat, c, d);
        JournalEntry denied = new JournalEntry.ConsumptionDenied(
                request.customerId(),
                c.ask().now(),
                request.idempotencyKey(),
                request.feature(),
                request.quantity(),
                c.ask().scope(),
                request.dimensions(),
                request.sessionId(),
                answer,
                c.print());
        state.apply(denied, EngineContext.PLACEHOLDER);
        entries.add(denied);
        return answer;
    }

    /**
     * A refused consumption with the figures of a check: nothing was taken. A limit may have admitted (and counted)
     * what a later step refused (a price, the credits, a budget, a session): then the figures are the consumption's
     * own without the quantity ({@link MeteredLimit#uncounted}); when nothing counted it (the limit refused it, or
     * the feature is not metered) they are a check's already. Any other refusal is decided again as a check: an
     * agent looping against a limit must not pay for every refusal twice.
     */
    private static Decision asItStands(CustomerState state, Catalog cat, Consumption c, Decision d) {
        Reason why = d.reason();
        BoundBy by = d.boundBy();
        boolean limitRefused = why == Reason.LIMIT_EXCEEDED
                || (why == Reason.SESSION_EXHAUSTED && by != null && by.kind().equals("feature"));
        if ((d.limit() == null && !d.unlimited()) || (limitRefused && !d.unlimited())) {
            return d.asItStands(d);
        }
        boolean laterStep = why == Reason.UNPRICED
                || why == Reason.INSUFFICIENT_CREDITS
                || why == Reason.BUDGET_EXCEEDED
                || (why == Reason.SESSION_EXHAUSTED && !limitRefused);
        return d.asItStands(
                laterStep
                        ? MeteredLimit.uncounted(d, c.request().quantity())
                        : Decisions.decide(state, cat, c.ask().in(MeteredLimit.Mode.CHECK), state.accounts));
    }

    /**
     * The first answer of a consume's key.
     *
     * @throws TollgateException {@code IDEMPOTENCY_KEY_REUSED} if the key was used for another request (a record
     *     without a fingerprint must hold the same feature and quantity)
     */
    static Decision priorAnswer(JournalEntry prior, String print, String feature, BigDecimal quantity) {
        KeyUse.requireSame(prior, KeyUse.Kind.CONSUME, print, e -> {
            if (e instanceof JournalEntry.UsageRecorded u) {
                return u.feature().equals(feature) && u.quantity().compareTo(quantity) == 0;
            }
            JournalEntry.ConsumptionDenied d = (JournalEntry.ConsumptionDenied) e;
            return d.feature().equals(feature) && d.quantity().compareTo(quantity) == 0;
        });
        return prior instanceof JournalEntry.UsageRecorded u
                ? u.answer()
                : ((JournalEntry.ConsumptionDenied) prior).answer();
    }

    public CompletableFuture<List<EventResult>> report(List<UsageEvent> events) {
        EventResult[] results = new EventResult[events.size()];
        Map<String, List<Integer>> byCustomer = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            byCustomer
                    .computeIfAbsent(events.get(i).customerId(), k -> new ArrayList<>())
                    .add(i);
        }
        // every customer looked up before any is recorded: a batch refused as not this node's records nothing
        Map<String, CustomerState> states = new HashMap<>();
        for (String customerId : byCustomer.keySet()) {
            CustomerState state = ctx.served(customerId);
            if (state != null) {
                states.put(customerId, state);
            }
        }
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        Catalog cat = ctx.catalog;
        for (Map.Entry<String, List<Integer>> group : byCustomer.entrySet()) {
            CustomerState state = states.get(group.getKey());
            if (state == null) {
                group.getValue().forEach(i -> results[i] = EventResult.rejected(Reason.CUSTOMER_NOT_FOUND));
                continue;
            }
            synchronized (state) {
                if (!state.exists) {
                    group.getValue().forEach(i -> results[i] = EventResult.rejected(Reason.CUSTOMER_NOT_FOUND));
                    continue;
                }
                pending.add(reportForCustomer(state, cat, events, group.getValue(), results));
            }
        }
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> List.of(results));
    }

    /**
     * One customer's share of a batch of events, as it is recorded: the records made so far (applied one by one, so
     * that the next event sees this one's usage), the keys they used, and the earlier commits that repeated keys wait
     * for. Built once per customer and batch; inside the customer's section only.
     */
    private static final class Batch {
        final CustomerState state;
        final Catalog cat;
        final Instant now;
        final boolean writable;
        final List<JournalEntry> entries = new ArrayList<>();
        final Map<String, JournalEntry> keys = new HashMap<>();
        final List<CompletableFuture<Void>> waits = new ArrayList<>();
        /**
         * The first records of the batch's keys used before it ({@link EngineContext#priors}), or {@code null} if the
         * store could not be read for them: then each key is looked up alone.
         */
        @Nullable
        Map<String, IdempotencyKeys.KeyRecord> priors;

        private boolean housekept;

        Batch(CustomerState state, Catalog cat, Instant now, boolean writable) {
            this.state = state;
            this.cat = cat;
            this.now = now;
            this.writable = writable;
        }

        /** When the event happened: its timestamp, or now. */
        Instant occurredAt(UsageEvent event) {
            return event.timestamp() != null ? event.timestamp() : now;
        }

        /** Records what time made due for the credits, once per batch, before the first priced event. */
        void housekeep() {
            if (!housekept) {
                entries.addAll(CreditRecords.housekeep(state, cat, now));
                housekept = true;
            }
        }
    }

    CompletableFuture<Void> reportForCustomer(
            CustomerState state, Catalog cat, List<UsageEvent> events, List<Integer> indices, EventResult[] results) {
        boolean writable = ctx.journal.available();
        Batch batch = new Batch(state, cat, ctx.now(), writable);
        batch.priors = priors(state, events, indices);
        for (int i : indices) {
            results[i] = reportOne(batch, events.get(i));
        }
        CompletableFuture<Void> committed =
                batch.entries.isEmpty() ? CompletableFuture.completedFuture(null) : ctx.enqueue(state, batch.entries);
        batch.waits.add(committed);
        return CompletableFuture.allOf(batch.waits.toArray(new CompletableFuture<?>[0]));
    }

    /**
     * The first records of the batch's keys used before it, read at once ({@link EngineContext#priors}), or {@code
     * null} if the store cannot be read: then each key is asked alone, and only those it cannot answer are rejected.
     */
    private @Nullable Map<String, IdempotencyKeys.KeyRecord> priors(
            CustomerState state, List<UsageEvent> events, List<Integer> indices) {
        List<String> keys = new ArrayList<>(indices.size());
        for (int i : indices) {
            String key = events.get(i).idempotencyKey();
            if (!Limits.reservedKey(key)) {
                keys.add(key);
            }
        }
        try {
            return ctx.priors(state, keys);
        } catch (StoreException ex) {
            return null;
        }
    }

    /** One event of a batch: a repeat of a key is answered from its first use, a new key is recorded. */
    private EventResult reportOne(Batch batch, UsageEvent event) {
        if (Limits.reservedKey(event.idempotencyKey())) {
            return EventResult.rejected(Reason.INVALID_IDEMPOTENCY_KEY);
        }
        String print = eventPrint(event);
        JournalEntry inBatch = batch.keys.get(event.idempotencyKey());
        if (inBatch != null) {
            // a repeat inside this batch: durable together with the batch's own commit
            return print.equals(inBatch.request())
                    ? new EventResult(EventResult.Status.DUPLICATE, null, false)
                    : EventResult.rejected(Reason.IDEMPOTENCY_KEY_REUSED);
        }
        IdempotencyKeys.KeyRecord prior;
        try {
            prior = batch.priors != null
                    ? batch.priors.get(event.idempotencyKey())
                    : ctx.prior(batch.state, event.idempotencyKey());
        } catch (StoreException ex) {
            // earlier events of the batch are applied already: reject this one alone and commit theirs
            return EventResult.rejected(Reason.STORE_UNAVAILABLE);
        }
        if (prior != null) {
            if (!KeyUse.same(prior.entry(), KeyUse.Kind.EVENT, print, e -> sameEvent(e, event))) {
                return EventResult.rejected(Reason.IDEMPOTENCY_KEY_REUSED);
            }
            batch.waits.add(prior.durable());
            return new EventResult(EventResult.Status.DUPLICATE, null, false);
        }
        if (!batch.writable) {
            return EventResult.rejected(Reason.STORE_UNAVAILABLE);
        }
        return place(batch, event, print);
    }

    /**
     * Where a new event counts: refused if it lies too far ahead, names what does not exist, or the customer is not
     * entitled to its feature; else {@link #record recorded} at its scope (its own, or else its session's).
     */
    private static EventResult place(Batch batch, UsageEvent event, String print) {
        CustomerState state = batch.state;
        Instant occurredAt = batch.occurredAt(event);
        if (occurredAt.isAfter(batch.now.plus(EngineContext.MAX_EVENT_SKEW))) {
            return EventResult.rejected(Reason.TIMESTAMP_IN_FUTURE);
        }
        Feature feature = batch.cat.feature(event.feature()).orElse(null);
        if (feature == null) {
            return EventResult.rejected(Reason.FEATURE_NOT_FOUND);
        }
        String scope = event.scope();
        if (event.sessionId() != null) {
            try {
                String held = Decisions.sessionScope(state, batch.cat, event.sessionId(), event.feature(), occurredAt);
                scope = scope == null ? held : scope;
            } catch (TollgateException ex) {
                return EventResult.rejected(Reason.valueOf(ex.code()));
            }
        }
        if (scope != null && !state.scopes.contains(scope)) {
            return EventResult.rejected(Reason.SCOPE_NOT_FOUND);
        }
        if (feature.type() != FeatureType.METERED) {
            return EventResult.rejected(Reason.FEATURE_NOT_METERED);
        }
        EffectiveEntitlement e =
                state.resolve(batch.cat, batch.now).entitlements().get(event.feature());
        if (e == null) {
            return EventResult.rejected(Decisions.unentitled(state, batch.now));
        }
        return record(batch, event, print, scope, e);
    }

    /**
     * Records an event's usage (never refused for lack of room: past a hard limit it is overage) and, if it is priced,
     * its charge in full, past a hard currency's balance as overdraft; refused only if its feature has no price for
     * it. An event in a quoted session is charged the session's price, not the catalog's of now.
     */
    private static EventResult record(
            Batch batch, UsageEvent event, String print, @Nullable String scope, EffectiveEntitlement e) {
        CustomerState state = batch.state;
        Window w = Decisions.window(state, e, batch.occurredAt(event));
        BigDecimal usedBefore = state.used(event.feature(), w.start());
        Decision d = MeteredLimit.decide(
                e,
                new MeteredLimit.Standing(w, usedBefore, BigDecimal.ZERO),
                event.quantity(),
                MeteredLimit.Mode.REPORT);
        Decisions.Price priced = Decisions.price(
                batch.cat,
                event.feature(),
                Decisions.quote(state, event.sessionId()),
                event.quantity(),
                event.dimensions(),
                usedBefore);
        CreditCharge price = null;
        if (priced != null) {
            BigDecimal credits = priced.credits();
            if (credits == null) {
                return EventResult.rejected(Reason.UNPRICED);
            }
            batch.housekeep();
            BigDecimal available = state.account(priced.currency()).available(batch.now);
            price = new CreditCharge(priced.currency(), credits, Decimals.normalize(available.subtract(credits)));
            d = d.withCredit(price);
        }
        JournalEntry entry = new JournalEntry.UsageRecorded(
                state.id,
                batch.now,
                event.idempotencyKey(),
                event.feature(),
                event.quantity(),
                w.start(),
                d.overageQuantity(),
                UsageSource.EVENT,
                batch.occurredAt(event),
                scope,
                event.dimensions(),
                d.asRecorded(),
                event.sessionId(),
                print);
        batch.entries.add(entry);
        batch.keys.put(event.idempotencyKey(), entry);
        state.apply(entry, EngineContext.PLACEHOLDER);
        if (price != null) {
            CreditRecords.Charged what = new CreditRecords.Charged(
                    event.idempotencyKey(), event.feature(), event.quantity(), scope, event.dimensions());
            batch.entries.addAll(CreditRecords.charge(state, price, what, batch.now));
        }
        return new EventResult(EventResult.Status.ACCEPTED, null, d.overage());
    }

    /** The fingerprint of a reported event: everything it says but its key and customer. */
    static String eventPrint(UsageEvent event) {
        return KeyUse.fingerprint(
                KeyUse.Kind.EVENT,
                event.feature(),
                event.quantity(),
                event.scope(),
                event.sessionId(),
                event.dimensions(),
                event.timestamp());
    }

    /** Whether a usage record without a fingerprint holds this event's feature and quantity. */
    static boolean sameEvent(JournalEntry prior, UsageEvent event) {
        JournalEntry.UsageRecorded u = (JournalEntry.UsageRecorded) prior;
        return u.feature().equals(event.feature()) && u.quantity().compareTo(event.quantity()) == 0;
    }
}
