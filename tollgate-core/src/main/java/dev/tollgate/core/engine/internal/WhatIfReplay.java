package dev.tollgate.core.engine.internal;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.WhatIfReport;
import dev.tollgate.core.catalog.AddonVersion;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.Feature;
import dev.tollgate.core.catalog.FeatureType;
import dev.tollgate.core.catalog.PlanVersion;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.credit.internal.Charging;
import dev.tollgate.core.credit.internal.CreditAccount;
import dev.tollgate.core.credit.internal.Refunds;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.PlanRef;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.customer.Trial;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.UsageSource;
import dev.tollgate.core.period.internal.Window;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The pricing what-if: the requests recorded in {@code [from, to)} replayed, in recorded order, against a draft
 * catalog, from each customer's state at {@code from}. Pure: it reads the records it is given and writes nothing; the
 * customers' states it builds are its own ({@link CustomerState#replica}), never the engine's.
 *
 * <p>The state at {@code from}: every record of the customer before {@code from} (by the time it was recorded) folded
 * exactly as the engine folds it at start-up: usage counters, grants and their remainders, subscription, promotions,
 * scopes, budgets, sessions. Then every customer moves onto the draft at {@code from}, as publishing the draft and
 * re-subscribing everyone to {@code "planVersion": "latest"} then would: its plan becomes the draft's plan of the same
 * key (or the one {@code plans} maps it to, or none), its add-ons the draft's of the same key (those the draft lacks
 * are dropped), its trial likewise. Allotments follow the credit rules of such a move ({@code docs/concepts/
 * credits.md}): the same plan family tops the running period up to a larger allotment; another plan adds its own.
 *
 * <p>In the range, by kind of record:
 *
 * <ul>
 *   <li><b>Decided again</b> under the draft, by the engine's own rules ({@link Decisions}, {@link MeteredLimit},
 *       {@link CreditRecords}): each consume (admitted or refused as recorded) and each reported event: entitlement,
 *       limit in the draft's window, price, balance of a hard currency, budgets, the session's hold; an admitted one
 *       is recorded in the replica's state and charged in burn order, with what time made due first (the draft's
 *       allotments, expiries, repayment) and the auto-recharge it triggers. A refused consume is decided again with
 *       the scope, dimensions and session its record keeps; a record written before refusals kept them is decided
 *       again without them if the catalog refused it (limit, entitlement, price, credits), and stays refused if a
 *       budget or a session did.
 *   <li><b>Applied as recorded</b>: what the customer did (profile, subscription changes, mapped as above,
 *       promotions, grants bought through the API, voids and refunds applied to the replica's own grants and
 *       charges, scopes, budgets, sessions opened, extended and closed, auto-recharge settings).
 *   <li><b>Left out</b>, because the replay makes its own: charges, expiries, repayments, allotment and recharge
 *       grants, alerts.
 * </ul>
 *
 * <p>Not thread-safe: one instance per what-if, fed from one thread, records in append order.
 */
public final class WhatIfReplay {
    /** Refusals the catalog decides: these are decided again; any other refusal stands. */
    private static final Set<Reason> CATALOG_REASONS = EnumSet.of(
            Reason.FEATURE_NOT_FOUND,
            Reason.FEATURE_NOT_METERED,
            Reason.NOT_ENTITLED,
            Reason.NO_SUBSCRIPTION,
            Reason.LIMIT_EXCEEDED,
            Reason.UNPRICED,
            Reason.INSUFFICIENT_CREDITS);

    private final Catalog draft;
    private final Map<String, @Nullable String> plans;
    private final Instant from;
    private final Instant to;
    private final @Nullable Set<String> only;
    private final int sampleSize;
    private final Map<String, Replica> customers = new HashMap<>();
    private final Map<String, Set<String>> unmapped = new TreeMap<>();
    private final Map<String, Set<String>> dropped = new TreeMap<>();
    private final List<WhatIfReport.Refusal> newlySample = new ArrayList<>();
    private final List<WhatIfReport.Refusal> stillSample = new ArrayList<>();
    private long refusedCount;
    private long newlyCount;

    /**
     * One customer's replay: its state (until {@link #finished}, when only the figures stay) and its figures.
     */
    private static final class Replica {
        @Nullable
        CustomerState state;

        boolean entered;
        long requests;
        long newlyRefused;
        long newlyAdmitted;
        final Tally before = new Tally();
        final Tally after = new Tally();

        Replica(String id) {
            this.state = CustomerState.replica(id);
        }

        CustomerState state() {
            CustomerState s = state;
            if (s == null) {
                throw new IllegalStateException("a record of a customer came after it was finished");
            }
            return s;
        }
    }

    /** The figures of one side, as they add up. */
    private static final class Tally {
        long admitted;
        long refused;
        final Map<String, Long> refusedBy = new TreeMap<>();
        final Map<String, BigDecimal> quantity = new TreeMap<>();
        final Map<String, BigDecimal> overage = new TreeMap<>();
        final Map<String, BigDecimal> credits = new TreeMap<>();

        void admit(String feature, BigDecimal units, BigDecimal over, @Nullable CreditCharge charge) {
            admitted++;
            quantity.merge(feature, units, BigDecimal::add);
            overage.merge(feature, over, BigDecimal::add);
            if (charge != null) {
                credits.merge(charge.currency(), charge.credits(), BigDecimal::add);
            }
        }

        void refuse(Reason reason) {
            refused++;
            refusedBy.merge(reason.name(), 1L, Long::sum);
        }

        void addTo(Tally total) {
            total.admitted += admitted;
            total.refused += refused;
            refusedBy.forEach((k, v) -> total.refusedBy.merge(k, v, Long::sum));
            quantity.forEach((k, v) -> total.quantity.merge(k, v, BigDecimal::add));
            overage.forEach((k, v) -> total.overage.merge(k, v, BigDecimal::add));
            credits.forEach((k, v) -> total.credits.merge(k, v, BigDecimal::add));
        }

        WhatIfReport.Side side() {
            Map<String, WhatIfReport.FeatureUse> features = new TreeMap<>();
            quantity.forEach((f, q) -> features.put(
                    f,
                    new WhatIfReport.FeatureUse(
                            Decimals.normalize(q), Decimals.normalize(overage.getOrDefault(f, BigDecimal.ZERO)))));
            Map<String, BigDecimal> c = new TreeMap<>();
            credits.forEach((k, v) -> c.put(k, Decimals.normalize(v)));
            return new WhatIfReport.Side(admitted, refused, new TreeMap<>(refusedBy), features, c);
        }
    }

    /**
     * What the draft decided of one request.
     *
     * @param reason why it is refused, or {@code null} if admitted
     * @param overage the part beyond the limit (admitted)
     * @param charge its price (admitted and priced), or {@code null}
     */
    private record After(
            @Nullable Reason reason,
            BigDecimal overage,
            @Nullable CreditCharge charge) {
        static After refused(Reason reason) {
            return new After(reason, BigDecimal.ZERO, null);
        }
    }

    /**
     * @param draft the draft, published over the current catalog (so that plan versions continue its history)
     * @param plans a recorded plan key to the draft plan its customers move to, or to {@code null} for none
     * @param from inclusive
     * @param to exclusive
     * @param customers only these customers, or {@code null} for all
     * @param sample how many refusals the report lists at most
     * @throws TollgateException {@code INVALID_PLAN_MAPPING} if {@code plans} maps to a plan the draft lacks
     */
    public WhatIfReplay(
            Catalog draft,
            Map<String, @Nullable String> plans,
            Instant from,
            Instant to,
            @Nullable Collection<String> customers,
            int sample) {
        plans.forEach((key, target) -> {
            if (target != null && !draft.plans().containsKey(target)) {
                throw TollgateException.invalid(
                        "INVALID_PLAN_MAPPING", "the draft has no plan '" + target + "'", "plans." + key);
            }
        });
        this.draft = draft;
        this.plans = new HashMap<>(plans);
        this.from = from;
        this.to = to;
        this.only = customers == null ? null : new HashSet<>(customers);
        this.sampleSize = sample;
    }

    /** Replays one record; records come in append order (customers may interleave). */
    public void add(JournalEntry e) {
        String id = e.customerId();
        if (id == null || id.equals(EngineContext.SYSTEM) || (only != null && !only.contains(id))) {
            return;
        }
        Replica r = customers.computeIfAbsent(id, Replica::new);
        if (!r.entered && e.at().isBefore(from)) {
            r.state().apply(e, EngineContext.DONE);
            return;
        }
        if (!e.at().isBefore(to)) {
            return;
        }
        if (!r.entered) {
            enter(r);
        }
        replay(r, e);
    }

    /**
     * Tells that every record of a customer has been given: its state is dropped, its figures kept. A caller that feeds
     * one customer after another calls it after each, so that the replay holds one customer's state at a time.
     */
    public void finished(String customerId) {
        Replica r = customers.get(customerId);
        if (r != null) {
            r.state = null;
        }
    }

    /** The customers replayed: every one whose records were given. */
    public Set<String> customers() {
        return new TreeSet<>(customers.keySet());
    }

    /** The recorded plans the draft lacks that {@code plans} does not map, with the customers on each. */
    public Map<String, Set<String>> unmappedPlans() {
        return unmapped;
    }

    /** Moves the customer onto the draft at {@code from}. */
    private void enter(Replica r) {
        r.entered = true;
        CustomerState state = r.state();
        Subscription s = state.subscription;
        if (s != null) {
            state.apply(
                    new JournalEntry.SubscriptionSet(state.id, from, null, onDraft(state.id, s, from), Map.of(), null),
                    EngineContext.DONE);
        }
    }

    /** A recorded subscription as it stands on the draft, from {@code at}. */
    private Subscription onDraft(String customerId, Subscription s, Instant at) {
        PlanRef plan = plan(customerId, s.plan().key());
        List<AddonRef> addons = new ArrayList<>();
        for (AddonRef a : s.addons()) {
            AddonVersion v = draft.addons().get(a.key());
            if (v == null) {
                dropped.computeIfAbsent(a.key(), k -> new TreeSet<>()).add(customerId);
            } else {
                addons.add(new AddonRef(a.key(), v.version(), a.quantity()));
            }
        }
        Trial trial = null;
        if (s.trial() != null) {
            PlanRef tried = plan(customerId, s.trial().plan().key());
            trial = tried == null ? null : new Trial(tried, s.trial().endsAt());
        }
        if (plan == null) {
            // no plan on the draft: the subscription ends where the draft takes over
            Instant end = s.cancelAt() != null && s.cancelAt().isBefore(at) ? s.cancelAt() : at;
            return new Subscription(s.plan(), List.of(), s.startAt(), null, end);
        }
        return new Subscription(plan, addons, s.startAt(), trial, s.cancelAt());
    }

    /**
     * The draft plan a recorded plan key moves to: {@code plans}' entry, else the draft's plan of that key.
     *
     * @return the draft plan's current version, or {@code null} for none (mapped to none, or unmapped: noted)
     */
    private @Nullable PlanRef plan(String customerId, String key) {
        String target = plans.containsKey(key) ? plans.get(key) : key;
        PlanVersion v = target == null ? null : draft.plans().get(target);
        if (v == null && target != null) {
            unmapped.computeIfAbsent(key, k -> new TreeSet<>()).add(customerId);
        }
        return v == null ? null : new PlanRef(v.key(), v.version());
    }

    private void replay(Replica r, JournalEntry e) {
        CustomerState state = r.state();
        if (e instanceof JournalEntry.UsageRecorded u) {
            recorded(r, u);
        } else if (e instanceof JournalEntry.ConsumptionDenied d) {
            denied(r, d);
        } else if (e instanceof JournalEntry.SubscriptionSet s) {
            Subscription moved = onDraft(state.id, s.subscription(), s.at());
            state.apply(
                    new JournalEntry.SubscriptionSet(
                            state.id, s.at(), s.idempotencyKey(), moved, s.resets(), s.request()),
                    EngineContext.DONE);
        } else if (e instanceof JournalEntry.GrantCreated g) {
            if (!g.grant().source().equals("allotment") && !g.grant().source().equals("recharge")) {
                housekeep(state, g.at());
                state.apply(g, EngineContext.DONE);
            }
        } else if (e instanceof JournalEntry.CreditsMoved m) {
            if (m.type() == EntryType.VOID) {
                voidGrant(state, m);
            } else if (m.type() == EntryType.REFUND) {
                refund(state, m);
            }
        } else if (e instanceof JournalEntry.SessionSettled s) {
            settle(r, s);
        } else if (!(e instanceof JournalEntry.AlertRaised
                || e instanceof JournalEntry.AlertDelivered
                || e instanceof JournalEntry.WebhookSet
                || e instanceof JournalEntry.WebhookRemoved)) {
            state.apply(e, EngineContext.DONE);
        }
    }

    /** A request admitted as recorded: decided again. */
    private void recorded(Replica r, JournalEntry.UsageRecorded u) {
        r.requests++;
        r.before.admit(u.feature(), u.quantity(), u.overage(), u.answer().credit());
        After after = u.source() == UsageSource.CONSUME
                ? consume(
                        r.state(),
                        u.idempotencyKey(),
                        u.feature(),
                        u.quantity(),
                        u.dimensions(),
                        u.scope(),
                        u.sessionId(),
                        u.at())
                : report(r.state(), u);
        if (after.reason() == null) {
            r.after.admit(u.feature(), u.quantity(), after.overage(), after.charge());
        } else {
            r.after.refuse(after.reason());
            r.newlyRefused++;
            refusal(r.state().id, u.idempotencyKey(), u.at(), u.feature(), u.quantity(), after.reason(), null);
        }
    }

    /**
     * A consume refused as recorded: decided again if the catalog refused it, or a budget or a session's hold that
     * the record names; else (a record written before refusals kept their scope and session) refused again.
     */
    private void denied(Replica r, JournalEntry.ConsumptionDenied d) {
        r.requests++;
        Reason recorded =
                d.answer().reason() == null ? Reason.LIMIT_EXCEEDED : d.answer().reason();
        r.before.refuse(recorded);
        boolean again = CATALOG_REASONS.contains(recorded)
                || (recorded == Reason.BUDGET_EXCEEDED && d.scope() != null)
                || (recorded == Reason.SESSION_EXHAUSTED && d.sessionId() != null);
        After after = again
                ? consume(
                        r.state(),
                        d.idempotencyKey(),
                        d.feature(),
                        d.quantity(),
                        d.dimensions(),
                        d.scope(),
                        d.sessionId(),
                        d.at())
                : After.refused(recorded);
        if (after.reason() == null) {
            r.after.admit(d.feature(), d.quantity(), after.overage(), after.charge());
            r.newlyAdmitted++;
        } else {
            r.after.refuse(after.reason());
            refusal(r.state().id, d.idempotencyKey(), d.at(), d.feature(), d.quantity(), after.reason(), recorded);
        }
    }

    private void refusal(
            String customerId,
            String key,
            Instant at,
            String feature,
            BigDecimal quantity,
            Reason reason,
            @Nullable Reason recorded) {
        refusedCount++;
        if (recorded == null) {
            newlyCount++;
        }
        List<WhatIfReport.Refusal> sample = recorded == null ? newlySample : stillSample;
        if (sample.size() < sampleSize) {
            sample.add(new WhatIfReport.Refusal(
                    customerId, key, at, feature, quantity, reason.name(), recorded == null ? null : recorded.name()));
        }
    }

    /** A consume decided under the draft as {@code Metering.consume} decides it, and recorded if admitted. */
    private After consume(
            CustomerState state,
            String key,
            String feature,
            BigDecimal quantity,
            Map<String, String> dimensions,
            @Nullable String scope,
            @Nullable String sessionId,
            Instant now) {
        String session = sessionId != null && state.sessions.open.containsKey(sessionId) ? sessionId : null;
        Ask ask = new Ask(feature, quantity, dimensions, scope, session, now, MeteredLimit.Mode.CONSUME);
        if (Decisions.priced(state, draft, feature, session)) {
            housekeep(state, now);
        }
        Decision d = Decisions.budgeted(state, Decisions.decide(state, draft, ask, state.accounts), ask);
        d = Decisions.inSession(state, d, ask);
        if (!d.allowed()) {
            return After.refused(d.reason() == null ? Reason.LIMIT_EXCEEDED : d.reason());
        }
        CreditCharge price = d.credit();
        Decision answer = Decisions.recorded(d);
        EffectiveEntitlement e = state.resolve(draft, now).entitlements().get(feature);
        Window w = e == null ? Window.FOREVER : Decisions.window(state, e, now);
        record(
                state,
                new JournalEntry.UsageRecorded(
                        state.id,
                        now,
                        key,
                        feature,
                        quantity,
                        w.start(),
                        d.overageQuantity(),
                        UsageSource.CONSUME,
                        now,
                        scope,
                        dimensions,
                        answer,
                        session,
                        null),
                price);
        return new After(null, d.overageQuantity(), price);
    }

    /** A reported event decided under the draft as {@code Metering.report} decides it, and recorded if accepted. */
    private After report(CustomerState state, JournalEntry.UsageRecorded u) {
        Instant now = u.at();
        Feature feature = draft.feature(u.feature()).orElse(null);
        if (feature == null) {
            return After.refused(Reason.FEATURE_NOT_FOUND);
        }
        if (u.scope() != null && !state.scopes.contains(u.scope())) {
            return After.refused(Reason.SCOPE_NOT_FOUND);
        }
        if (feature.type() != FeatureType.METERED) {
            return After.refused(Reason.FEATURE_NOT_METERED);
        }
        EffectiveEntitlement e = state.resolve(draft, now).entitlements().get(u.feature());
        if (e == null) {
            return After.refused(Decisions.unentitled(state, now));
        }
        String session = u.sessionId() != null && state.sessions.open.containsKey(u.sessionId()) ? u.sessionId() : null;
        Window w = Decisions.window(state, e, u.occurredAt());
        BigDecimal usedBefore = state.used(u.feature(), w.start());
        Decision d = MeteredLimit.decide(
                e, new MeteredLimit.Standing(w, usedBefore, BigDecimal.ZERO), u.quantity(), MeteredLimit.Mode.REPORT);
        Decisions.Price priced = Decisions.price(
                draft, u.feature(), Decisions.quote(state, session), u.quantity(), u.dimensions(), usedBefore);
        CreditCharge price = null;
        if (priced != null) {
            BigDecimal credits = priced.credits();
            if (credits == null) {
                return After.refused(Reason.UNPRICED);
            }
            housekeep(state, now);
            BigDecimal available = state.account(priced.currency()).available(now);
            price = new CreditCharge(priced.currency(), credits, Decimals.normalize(available.subtract(credits)));
            d = d.withCredit(price);
        }
        record(
                state,
                new JournalEntry.UsageRecorded(
                        state.id,
                        now,
                        u.idempotencyKey(),
                        u.feature(),
                        u.quantity(),
                        w.start(),
                        d.overageQuantity(),
                        UsageSource.EVENT,
                        u.occurredAt(),
                        u.scope(),
                        u.dimensions(),
                        d.asRecorded(),
                        session,
                        null),
                price);
        return new After(null, d.overageQuantity(), price);
    }

    /** Applies an admitted usage to the replica and charges it (burn order, then auto-recharge). */
    private static void record(CustomerState state, JournalEntry.UsageRecorded usage, @Nullable CreditCharge price) {
        state.apply(usage, EngineContext.DONE);
        if (price != null) {
            CreditRecords.charge(
                    state,
                    price,
                    new CreditRecords.Charged(
                            usage.idempotencyKey(),
                            usage.feature(),
                            usage.quantity(),
                            usage.scope(),
                            usage.dimensions()),
                    usage.at());
        }
    }

    /** Records in the replica what time made due by {@code now}: the draft's allotments, expiries, repayment. */
    private void housekeep(CustomerState state, Instant now) {
        CreditRecords.housekeep(state, draft, now);
    }

    /** A void of a grant the replica holds: its remainder as the replica has it. */
    private void voidGrant(CustomerState state, JournalEntry.CreditsMoved m) {
        housekeep(state, m.at());
        for (Movement mv : m.movements()) {
            CreditAccount account = state.accounts.get(m.currency());
            CreditAccount.Slot slot = account == null || mv.grantId() == null ? null : account.slot(mv.grantId());
            if (slot != null && !slot.expired() && !slot.voided()) {
                state.apply(
                        new JournalEntry.CreditsMoved(
                                state.id,
                                m.at(),
                                m.idempotencyKey(),
                                EntryType.VOID,
                                m.currency(),
                                m.at(),
                                List.of(new Movement(
                                        mv.grantId(), slot.remaining().negate())),
                                null,
                                null,
                                null,
                                null,
                                Map.of()),
                        EngineContext.DONE);
            }
        }
    }

    /** A refund of a consumption the replica charged (among its recent ones): its own charge goes back. */
    private void refund(CustomerState state, JournalEntry.CreditsMoved m) {
        JournalEntry.CreditsMoved charged = m.reference() == null ? null : state.charges.get(m.reference());
        if (charged == null) {
            return;
        }
        housekeep(state, m.at());
        List<Movement> back = Refunds.movements(state.account(charged.currency()), charged.movements(), m.at());
        state.apply(
                new JournalEntry.CreditsMoved(
                        state.id,
                        m.at(),
                        m.idempotencyKey(),
                        EntryType.REFUND,
                        charged.currency(),
                        m.at(),
                        List.copyOf(back),
                        m.reference(),
                        charged.feature(),
                        charged.quantity(),
                        charged.scope(),
                        charged.dimensions()),
                EngineContext.DONE);
        CreditRecords.repayNow(state, charged.currency(), m.at(), new ArrayList<>());
    }

    /** A currency session's settlement: the credits it settled, charged in burn order (the same on both sides). */
    private void settle(Replica r, JournalEntry.SessionSettled s) {
        CustomerState state = r.state();
        housekeep(state, s.at());
        state.apply(s, EngineContext.DONE);
        List<Movement> movements = Charging.burn(state.account(s.currency()), s.credits(), s.at());
        if (!movements.isEmpty()) {
            state.apply(
                    new JournalEntry.CreditsMoved(
                            state.id,
                            s.at(),
                            null,
                            EntryType.CONSUME,
                            s.currency(),
                            s.at(),
                            List.copyOf(movements),
                            "close:" + s.sessionId(),
                            null,
                            null,
                            s.scope(),
                            Map.of()),
                    EngineContext.DONE);
        }
        r.before.credits.merge(s.currency(), s.credits(), BigDecimal::add);
        r.after.credits.merge(s.currency(), s.credits(), BigDecimal::add);
    }

    /**
     * The report: every customer replayed that had a request in the range or was named, by id, and their total.
     *
     * @param baseVersion the catalog version the draft was laid over
     */
    public WhatIfReport report(int baseVersion) {
        List<WhatIfReport.CustomerOutcome> outcomes = new ArrayList<>();
        Tally before = new Tally();
        Tally after = new Tally();
        long requests = 0;
        long newlyRefused = 0;
        long newlyAdmitted = 0;
        for (Map.Entry<String, Replica> entry : new TreeMap<>(customers).entrySet()) {
            String id = entry.getKey();
            Replica r = entry.getValue();
            if (r.requests == 0 && only == null) {
                continue;
            }
            outcomes.add(new WhatIfReport.CustomerOutcome(
                    id, r.requests, r.before.side(), r.after.side(), r.newlyRefused, r.newlyAdmitted));
            r.before.addTo(before);
            r.after.addTo(after);
            requests += r.requests;
            newlyRefused += r.newlyRefused;
            newlyAdmitted += r.newlyAdmitted;
        }
        List<WhatIfReport.Refusal> sample = new ArrayList<>(newlySample);
        for (WhatIfReport.Refusal s : stillSample) {
            if (sample.size() < sampleSize) {
                sample.add(s);
            }
        }
        Map<String, Integer> droppedAddons = new TreeMap<>();
        dropped.forEach((key, who) -> droppedAddons.put(key, who.size()));
        return new WhatIfReport(
                from,
                to,
                baseVersion,
                outcomes,
                new WhatIfReport.CustomerOutcome(
                        null, requests, before.side(), after.side(), newlyRefused, newlyAdmitted),
                new WhatIfReport.RefusedSample(refusedCount, newlyCount, sample),
                droppedAddons);
    }
}
