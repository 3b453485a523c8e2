package dev.tollgate.core.engine;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.Limits;
import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.Feature;
import dev.tollgate.core.catalog.FeatureType;
import dev.tollgate.core.catalog.RateCard;
import dev.tollgate.core.credit.Pricing;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.UsageSource;
import dev.tollgate.core.period.Window;
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

/**
 * The hot path: {@link #check}, {@link #consume} and reported events. A consume is decided by {@link Decisions} and
 * charged by {@link CreditRecords#charge} ({@link dev.tollgate.core.credit.Charging}), then committed through
 * {@link EngineContext#enqueue}. Thread-safe; each command runs in its customer's section; a check takes no other
 * lock.
 */
final class Metering {
    private final EngineContext ctx;

    Metering(EngineContext ctx) {
        this.ctx = ctx;
    }

    Decision check(CheckRequest request) {
        CustomerState state = ctx.customers.get(request.customerId());
        if (state == null) {
            return Decision.denied(Reason.CUSTOMER_NOT_FOUND);
        }
        Catalog cat = ctx.catalog;
        synchronized (state) {
            if (!state.exists) {
                return Decision.denied(Reason.CUSTOMER_NOT_FOUND);
            }
            Instant now = ctx.now();
            String sessionId = request.sessionId();
            String scope = request.scope();
            if (sessionId != null) {
                scope = Decisions.sessionScope(state, cat, sessionId, request.feature(), scope, now);
            }
            if (scope != null && !state.scopes.containsKey(scope)) {
                return Decision.denied(Reason.SCOPE_NOT_FOUND);
            }
            Decision d = Decisions.decide(
                    state,
                    cat,
                    request.feature(),
                    request.quantity(),
                    request.dimensions(),
                    now,
                    MeteredLimit.Mode.CHECK,
                    Decisions.rateCard(cat, request.feature()) == null
                            ? state.accounts
                            : Decisions.accountsAt(state, cat, now),
                    sessionId);
            Decision budgeted = Decisions.budgeted(
                    state, d, scope, request.feature(), request.quantity(), request.dimensions(), now, sessionId);
            return Decisions.inSession(state, budgeted, sessionId, request.quantity());
        }
    }

    CompletableFuture<Outcome<Decision>> consume(ConsumeRequest request) {
        KeyUse.requireCallerKey(request.idempotencyKey());
        CustomerState state = ctx.customers.get(request.customerId());
        if (state == null) {
            return CompletableFuture.completedFuture(new Outcome<>(Decision.denied(Reason.CUSTOMER_NOT_FOUND), false));
        }
        Catalog cat = ctx.catalog;
        synchronized (state) {
            if (!state.exists) {
                return CompletableFuture.completedFuture(
                        new Outcome<>(Decision.denied(Reason.CUSTOMER_NOT_FOUND), false));
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
            String sessionId = request.sessionId();
            String scope = request.scope();
            if (sessionId != null) {
                scope = Decisions.sessionScope(state, cat, sessionId, request.feature(), scope, now);
            }
            if (scope != null && !state.scopes.containsKey(scope)) {
                return CompletableFuture.completedFuture(new Outcome<>(Decision.denied(Reason.SCOPE_NOT_FOUND), false));
            }
            ctx.requireAvailable();
            List<JournalEntry> entries = new ArrayList<>();
            if (Decisions.rateCard(cat, request.feature()) != null) {
                entries.addAll(CreditRecords.housekeep(state, cat, now));
            }
            Decision d = Decisions.budgeted(
                    state,
                    decideConsume(state, cat, request, now, MeteredLimit.Mode.CONSUME),
                    scope,
                    request.feature(),
                    request.quantity(),
                    request.dimensions(),
                    now,
                    sessionId);
            d = Decisions.inSession(state, d, sessionId, request.quantity());
            if (d.reason() == Reason.FEATURE_NOT_FOUND) {
                return CompletableFuture.completedFuture(new Outcome<>(d, false));
            }
            Decision answer;
            if (d.allowed()) {
                CreditCharge price = d.credit();
                answer = price == null
                        ? d.asRecorded()
                        : d.asRecorded()
                                .withCredit(new CreditCharge(
                                        price.currency(),
                                        price.credits(),
                                        Decimals.normalize(price.balance().subtract(price.credits()))));
                EffectiveEntitlement e = state.resolve(cat, now).entitlements().get(request.feature());
                JournalEntry usage = new JournalEntry.UsageRecorded(
                        request.customerId(),
                        now,
                        request.idempotencyKey(),
                        request.feature(),
                        request.quantity(),
                        Decisions.window(state, Objects.requireNonNull(e), now).start(),
                        d.overageQuantity(),
                        UsageSource.CONSUME,
                        now,
                        scope,
                        request.dimensions(),
                        answer,
                        sessionId,
                        print);
                state.apply(usage, EngineContext.PLACEHOLDER);
                entries.add(usage);
                if (price != null) {
                    entries.addAll(CreditRecords.charge(
                            state,
                            price,
                            new CreditRecords.Charged(
                                    request.idempotencyKey(),
                                    request.feature(),
                                    request.quantity(),
                                    scope,
                                    request.dimensions()),
                            now));
                }
            } else {
                answer = asItStands(state, cat, request, now, d);
                JournalEntry denied = new JournalEntry.ConsumptionDenied(
                        request.customerId(),
                        now,
                        request.idempotencyKey(),
                        request.feature(),
                        request.quantity(),
                        answer,
                        print);
                state.apply(denied, EngineContext.PLACEHOLDER);
                entries.add(denied);
            }
            return ctx.enqueue(state, entries).thenApply(v -> new Outcome<>(answer, false));
        }
    }

    /**
     * A refused consumption with the figures of a check: nothing was taken. A limit may have admitted (and counted)
     * what a later step refused (a price, the credits, a budget, a session): then the figures are the consumption's
     * own without the quantity ({@link MeteredLimit#uncounted}); when nothing counted it (the limit refused it, or
     * the feature is not metered) they are a check's already. Any other refusal is decided again as a check: an
     * agent looping against a limit must not pay for every refusal twice.
     */
    Decision asItStands(CustomerState state, Catalog cat, ConsumeRequest request, Instant now, Decision d) {
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
                        ? MeteredLimit.uncounted(d, request.quantity())
                        : decideConsume(state, cat, request, now, MeteredLimit.Mode.CHECK));
    }

    /** {@link Decisions#decide} for a consumption, on the accounts as they stand (housekept by the caller). */
    Decision decideConsume(
            CustomerState state, Catalog cat, ConsumeRequest request, Instant now, MeteredLimit.Mode mode) {
        return Decisions.decide(
                state,
                cat,
                request.feature(),
                request.quantity(),
                request.dimensions(),
                now,
                mode,
                state.accounts,
                request.sessionId());
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

    CompletableFuture<List<EventResult>> report(List<UsageEvent> events) {
        EventResult[] results = new EventResult[events.size()];
        Map<String, List<Integer>> byCustomer = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            byCustomer
                    .computeIfAbsent(events.get(i).customerId(), k -> new ArrayList<>())
                    .add(i);
        }
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        Catalog cat = ctx.catalog;
        for (Map.Entry<String, List<Integer>> group : byCustomer.entrySet()) {
            CustomerState state = ctx.customers.get(group.getKey());
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

    CompletableFuture<Void> reportForCustomer(
            CustomerState state, Catalog cat, List<UsageEvent> events, List<Integer> indices, EventResult[] results) {
        boolean writable = ctx.journal.available();
        boolean housekept = false;
        Instant now = ctx.now();
        List<JournalEntry> entries = new ArrayList<>();
        Map<String, JournalEntry> batchKeys = new HashMap<>();
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (int i : indices) {
            UsageEvent event = events.get(i);
            if (Limits.reservedKey(event.idempotencyKey())) {
                results[i] = EventResult.rejected(Reason.INVALID_IDEMPOTENCY_KEY);
                continue;
            }
            String print = eventPrint(event);
            JournalEntry inBatch = batchKeys.get(event.idempotencyKey());
            if (inBatch != null) {
                // a repeat inside this batch: durable together with the batch's own commit
                results[i] = print.equals(inBatch.request())
                        ? new EventResult(EventResult.Status.DUPLICATE, null, false)
                        : EventResult.rejected(Reason.IDEMPOTENCY_KEY_REUSED);
                continue;
            }
            IdempotencyKeys.KeyRecord prior;
            try {
                prior = ctx.prior(state, event.idempotencyKey());
            } catch (StoreException ex) {
                // earlier events of the batch are applied already: reject this one alone and commit theirs
                results[i] = EventResult.rejected(Reason.STORE_UNAVAILABLE);
                continue;
            }
            if (prior != null) {
                if (!KeyUse.same(prior.entry(), KeyUse.Kind.EVENT, print, e -> sameEvent(e, event))) {
                    results[i] = EventResult.rejected(Reason.IDEMPOTENCY_KEY_REUSED);
                    continue;
                }
                results[i] = new EventResult(EventResult.Status.DUPLICATE, null, false);
                waits.add(prior.durable());
                continue;
            }
            if (!writable) {
                results[i] = EventResult.rejected(Reason.STORE_UNAVAILABLE);
                continue;
            }
            Instant occurredAt = event.timestamp() != null ? event.timestamp() : now;
            if (occurredAt.isAfter(now.plus(Engine.MAX_EVENT_SKEW))) {
                results[i] = EventResult.rejected(Reason.TIMESTAMP_IN_FUTURE);
                continue;
            }
            Feature feature = cat.feature(event.feature()).orElse(null);
            if (feature == null) {
                results[i] = EventResult.rejected(Reason.FEATURE_NOT_FOUND);
                continue;
            }
            String scope = event.scope();
            if (event.sessionId() != null) {
                try {
                    scope = Decisions.sessionScope(state, cat, event.sessionId(), event.feature(), scope, occurredAt);
                } catch (TollgateException ex) {
                    results[i] = EventResult.rejected(Reason.valueOf(ex.code()));
                    continue;
                }
            }
            if (scope != null && !state.scopes.containsKey(scope)) {
                results[i] = EventResult.rejected(Reason.SCOPE_NOT_FOUND);
                continue;
            }
            if (feature.type() != FeatureType.METERED) {
                results[i] = EventResult.rejected(Reason.FEATURE_NOT_METERED);
                continue;
            }
            EffectiveEntitlement e = state.resolve(cat, now).entitlements().get(event.feature());
            if (e == null) {
                results[i] = EventResult.rejected(Decisions.unentitled(state, now));
                continue;
            }
            Window w = Decisions.window(state, e, occurredAt);
            BigDecimal usedBefore = state.used(event.feature(), w.start());
            Decision d =
                    MeteredLimit.decide(e, w, usedBefore, BigDecimal.ZERO, event.quantity(), MeteredLimit.Mode.REPORT);
            RateCard card = Decisions.rateCard(cat, event.feature());
            CreditCharge price = null;
            if (card != null) {
                BigDecimal credits = Pricing.price(card, event.quantity(), event.dimensions(), usedBefore);
                if (credits == null) {
                    results[i] = EventResult.rejected(Reason.UNPRICED);
                    continue;
                }
                if (!housekept) {
                    entries.addAll(CreditRecords.housekeep(state, cat, now));
                    housekept = true;
                }
                BigDecimal available = state.account(card.currency()).available(now);
                price = new CreditCharge(card.currency(), credits, Decimals.normalize(available.subtract(credits)));
                d = d.withCredit(price);
            }
            JournalEntry entry = new JournalEntry.UsageRecorded(
                    state.id,
                    now,
                    event.idempotencyKey(),
                    event.feature(),
                    event.quantity(),
                    w.start(),
                    d.overageQuantity(),
                    UsageSource.EVENT,
                    occurredAt,
                    scope,
                    event.dimensions(),
                    d.asRecorded(),
                    event.sessionId(),
                    print);
            // applied one by one so that the next event of the batch sees this one's usage
            entries.add(entry);
            batchKeys.put(event.idempotencyKey(), entry);
            state.apply(entry, EngineContext.PLACEHOLDER);
            if (price != null) {
                // usage already happened: charged in full, past a hard currency's balance as overdraft
                entries.addAll(CreditRecords.charge(
                        state,
                        price,
                        new CreditRecords.Charged(
                                event.idempotencyKey(), event.feature(), event.quantity(), scope, event.dimensions()),
                        now));
            }
            results[i] = new EventResult(EventResult.Status.ACCEPTED, null, d.overage());
        }
        CompletableFuture<Void> committed =
                entries.isEmpty() ? CompletableFuture.completedFuture(null) : ctx.enqueue(state, entries);
        waits.add(committed);
        return CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0]));
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
