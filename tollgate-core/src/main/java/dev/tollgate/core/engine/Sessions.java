package dev.tollgate.core.engine;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.Currency;
import dev.tollgate.core.catalog.Feature;
import dev.tollgate.core.catalog.FeatureType;
import dev.tollgate.core.catalog.RateCard;
import dev.tollgate.core.credit.Charging;
import dev.tollgate.core.credit.CreditAccount;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.credit.Pricing;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.UsageSource;
import dev.tollgate.core.period.Window;
import dev.tollgate.core.session.Session;
import dev.tollgate.core.store.StoreException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Sessions: open (a hold on a limit or a balance and the budgets on its path), heartbeat, close with settlement,
 * and the session view. Thread-safe; each command runs in its customer's section.
 */
final class Sessions {
    private final EngineContext ctx;

    Sessions(EngineContext ctx) {
        this.ctx = ctx;
    }

    CompletableFuture<Outcome<SessionOutcome>> openSession(String customerId, SessionRequest request) {
        return ctx.readingCatalog(() -> openSessionReadingCatalog(customerId, request));
    }

    CompletableFuture<Outcome<SessionOutcome>> openSessionReadingCatalog(String customerId, SessionRequest request) {
        KeyUse.requireCallerKey(request.idempotencyKey());
        CustomerState state = ctx.existing(customerId);
        Catalog cat = ctx.catalog;
        if (request.feature() != null) {
            Feature f = cat.feature(request.feature())
                    .orElseThrow(() -> TollgateException.notFound(
                            "FEATURE_NOT_FOUND", "no feature '" + request.feature() + "'", "feature"));
            if (f.type() != FeatureType.METERED) {
                throw TollgateException.invalid(
                        "FEATURE_NOT_METERED", "feature '" + f.key() + "' is not metered", "feature");
            }
        } else if (!cat.definition().currencies().containsKey(Objects.requireNonNull(request.currency()))) {
            throw TollgateException.notFound(
                    "CURRENCY_NOT_FOUND", "no currency '" + request.currency() + "'", "currency");
        }
        synchronized (state) {
            String print = KeyUse.fingerprint(
                    KeyUse.Kind.SESSION_OPEN,
                    request.scope(),
                    request.currency(),
                    request.feature(),
                    request.amount(),
                    request.ttl(),
                    request.maxLifetime());
            IdempotencyKeys.KeyRecord prior = ctx.prior(state, request.idempotencyKey());
            if (prior != null) {
                KeyUse.requireSame(prior.entry(), KeyUse.Kind.SESSION_OPEN, print, e -> {
                    Session s = ((JournalEntry.SessionOpened) e).session();
                    return Objects.equals(s.feature(), request.feature())
                            && Objects.equals(s.currency(), request.currency())
                            && s.amount().compareTo(request.amount()) == 0;
                });
                JournalEntry.SessionOpened o = (JournalEntry.SessionOpened) prior.entry();
                return prior.durable()
                        .thenApply(v -> new Outcome<>(
                                SessionOutcome.opened(
                                        sessionView(state, o.session().id())),
                                true));
            }
            if (request.scope() != null && !state.scopes.containsKey(request.scope())) {
                throw TollgateException.notFound("SCOPE_NOT_FOUND", "no scope '" + request.scope() + "'", "scope");
            }
            ctx.requireAvailable();
            Instant now = ctx.now();
            List<JournalEntry> entries = new ArrayList<>(CreditRecords.housekeep(state, cat, now));
            Decision d;
            if (request.feature() != null) {
                EffectiveEntitlement e = state.resolve(cat, now).entitlements().get(request.feature());
                if (e == null) {
                    d = Decision.denied(Decisions.unentitled(state, now));
                } else {
                    Window w = Decisions.window(state, e, now);
                    d = MeteredLimit.decide(
                            e,
                            w,
                            state.used(request.feature(), w.start()),
                            state.heldFeature(request.feature(), now, null),
                            request.amount(),
                            MeteredLimit.Mode.CHECK);
                }
                d = Decisions.budgeted(
                        state, d, request.scope(), request.feature(), request.amount(), Map.of(), now, null);
            } else {
                String currency = Objects.requireNonNull(request.currency());
                BigDecimal available =
                        state.account(currency).available(now).subtract(state.heldCredits(currency, now, null));
                Currency cur = cat.definition().currencies().get(currency);
                d = Decision.plain(true, null, null, null)
                        .withCredit(new CreditCharge(currency, request.amount(), available));
                if (cur != null && cur.hardDepletion() && available.compareTo(request.amount()) < 0) {
                    d = d.refused(Reason.INSUFFICIENT_CREDITS, new BoundBy("currency", null, currency, null, null));
                }
                d = Decisions.budgeted(state, d, request.scope(), "", BigDecimal.ZERO, Map.of(), now, null);
            }
            if (!d.allowed()) {
                Decision refusal = d;
                if (!entries.isEmpty()) {
                    return ctx.enqueue(state, entries)
                            .thenApply(v -> new Outcome<>(SessionOutcome.refused(refusal), false));
                }
                return CompletableFuture.completedFuture(new Outcome<>(SessionOutcome.refused(refusal), false));
            }
            Instant maxUntil =
                    now.plus(request.maxLifetime() == null ? Engine.MAX_SESSION_LIFETIME : request.maxLifetime());
            Instant expiresAt = min(now.plus(request.ttl()), maxUntil);
            Session session = new Session(
                    customerId + "@s" + (state.sessionsOpened + 1),
                    request.scope(),
                    request.currency(),
                    request.feature(),
                    request.amount(),
                    now,
                    expiresAt,
                    maxUntil);
            JournalEntry opened =
                    new JournalEntry.SessionOpened(customerId, now, request.idempotencyKey(), session, print);
            state.apply(opened, EngineContext.PLACEHOLDER);
            entries.add(opened);
            return ctx.enqueue(state, entries)
                    .thenApply(v -> new Outcome<>(SessionOutcome.opened(sessionView(state, session.id())), false));
        }
    }

    static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** The customer a session id belongs to (ids are {@code <customerId>@s<n>}), closed long ago or not. */
    CustomerState sessionOwner(String sessionId) {
        int at = sessionId.lastIndexOf('@');
        CustomerState state = at <= 0 ? null : ctx.customers.get(sessionId.substring(0, at));
        if (state == null || !isKnown(state, sessionId)) {
            throw TollgateException.notFound("SESSION_NOT_FOUND", "no session '" + sessionId + "'", "sessionId");
        }
        return state;
    }

    private static boolean isKnown(CustomerState state, String sessionId) {
        synchronized (state) {
            return state.session(sessionId) != null || state.issued(sessionId);
        }
    }

    CompletableFuture<SessionView> heartbeat(String sessionId, Duration ttl) {
        CustomerState state = sessionOwner(sessionId);
        synchronized (state) {
            Instant now = ctx.now();
            CustomerState.OpenSession o = Decisions.liveSession(state, sessionId, now);
            ctx.requireAvailable();
            Instant next = min(now.plus(ttl), o.session.maxUntil());
            JournalEntry extended = new JournalEntry.SessionExtended(state.id, now, null, sessionId, next);
            state.apply(extended, EngineContext.PLACEHOLDER);
            return ctx.enqueue(state, List.of(extended)).thenApply(v -> sessionView(state, sessionId));
        }
    }

    CompletableFuture<Outcome<SessionView>> closeSession(String sessionId, @Nullable BigDecimal used) {
        CustomerState state = sessionOwner(sessionId);
        Catalog cat = ctx.catalog;
        synchronized (state) {
            String key = "close:" + sessionId;
            IdempotencyKeys.KeyRecord prior = ctx.prior(state, key);
            if (prior != null) {
                KeyUse.requireKind(prior.entry(), KeyUse.Kind.SESSION_CLOSE);
                return prior.durable().thenApply(v -> new Outcome<>(sessionView(state, sessionId), true));
            }
            CustomerState.OpenSession o = state.session(sessionId);
            if (o == null) {
                throw TollgateException.conflict(
                        "SESSION_CLOSED", "session '" + sessionId + "' was closed long ago", "sessionId");
            }
            ctx.requireAvailable();
            Instant now = ctx.now();
            List<JournalEntry> entries = new ArrayList<>(CreditRecords.housekeep(state, cat, now));
            Session session = o.session;
            BigDecimal extra = used == null ? BigDecimal.ZERO : used.subtract(o.consumed);
            BoundBy passed = null;
            if (extra.signum() > 0) {
                if (session.feature() != null) {
                    EffectiveEntitlement e =
                            state.resolve(cat, now).entitlements().get(session.feature());
                    if (e != null) {
                        Window w = Decisions.window(state, e, now);
                        BigDecimal usedBefore = state.used(session.feature(), w.start());
                        Decision d =
                                MeteredLimit.decide(e, w, usedBefore, BigDecimal.ZERO, extra, MeteredLimit.Mode.REPORT);
                        RateCard card = Decisions.rateCard(cat, session.feature());
                        CreditCharge price = null;
                        if (card != null) {
                            BigDecimal credits = Pricing.price(card, extra, Map.of(), usedBefore);
                            if (credits != null) {
                                price = new CreditCharge(
                                        card.currency(),
                                        credits,
                                        Decimals.normalize(state.account(card.currency())
                                                .available(now)
                                                .subtract(credits)));
                                d = d.withCredit(price);
                            }
                        }
                        passed = passedOnClose(
                                state,
                                cat,
                                d,
                                e.enforcement() == dev.tollgate.core.catalog.Enforcement.HARD
                                                && d.overageQuantity().signum() > 0
                                        ? BoundBy.feature(session.feature())
                                        : null,
                                session,
                                extra,
                                price != null && price.balance().signum() < 0 ? price.currency() : null,
                                now);
                        JournalEntry usage = new JournalEntry.UsageRecorded(
                                state.id,
                                now,
                                key + ":usage",
                                session.feature(),
                                extra,
                                w.start(),
                                d.overageQuantity(),
                                UsageSource.EVENT,
                                now,
                                session.scope(),
                                Map.of(),
                                d.asRecorded(),
                                sessionId);
                        state.apply(usage, EngineContext.PLACEHOLDER);
                        entries.add(usage);
                        if (price != null) {
                            entries.addAll(CreditRecords.charge(
                                    state,
                                    price,
                                    new CreditRecords.Charged(
                                            key + ":usage", session.feature(), extra, session.scope(), Map.of()),
                                    now));
                        }
                    }
                } else {
                    String currency = Objects.requireNonNull(session.currency());
                    CreditAccount account = state.account(currency);
                    List<Movement> movements = Charging.burn(account, extra, now);
                    boolean overdraws = !movements.isEmpty()
                            && movements.get(movements.size() - 1).grantId() == null;
                    passed = passedOnClose(
                            state,
                            cat,
                            Decision.plain(true, null, null, null)
                                    .withCredit(new CreditCharge(currency, extra, account.available(now))),
                            null,
                            session,
                            BigDecimal.ZERO,
                            overdraws ? currency : null,
                            now);
                    JournalEntry settled = new JournalEntry.SessionSettled(
                            state.id, now, null, sessionId, session.scope(), currency, extra);
                    state.apply(settled, EngineContext.PLACEHOLDER);
                    entries.add(settled);
                    JournalEntry spent = new JournalEntry.CreditsMoved(
                            state.id,
                            now,
                            null,
                            EntryType.CONSUME,
                            currency,
                            now,
                            List.copyOf(movements),
                            key,
                            null,
                            null,
                            session.scope(),
                            Map.of());
                    state.apply(spent, EngineContext.PLACEHOLDER);
                    // right before the closing record that carries the key: where Store#charge finds it
                    entries.add(spent);
                }
            }
            BigDecimal total = Decimals.max(o.consumed, used == null ? BigDecimal.ZERO : used);
            BigDecimal excess = total.subtract(session.amount());
            JournalEntry closed = new JournalEntry.SessionClosed(
                    state.id,
                    now,
                    key,
                    sessionId,
                    false,
                    excess.signum() > 0 ? Decimals.normalize(excess) : null,
                    excess.signum() > 0 ? passed : null);
            state.apply(closed, EngineContext.PLACEHOLDER);
            entries.add(closed);
            return ctx.enqueue(state, entries).thenApply(v -> new Outcome<>(sessionView(state, sessionId), false));
        }
    }

    /**
     * The first hard limit a session's settlement goes past, in the order a consumption would be refused: the
     * feature's limit, the currency's balance, then the budgets from the session's scope up. Call before the
     * settlement is applied.
     *
     * @param settled the settlement as a decision (its credit side, if priced)
     * @param feature the feature's hard limit if the settlement goes past it, else {@code null}
     * @param quantity the settlement's units (0 for a currency session)
     * @param overdrawn the hard or soft currency the settlement overdraws, or {@code null}
     */
    static @Nullable BoundBy passedOnClose(
            CustomerState state,
            Catalog cat,
            Decision settled,
            @Nullable BoundBy feature,
            Session session,
            BigDecimal quantity,
            @Nullable String overdrawn,
            Instant now) {
        if (feature != null) {
            return feature;
        }
        Currency cur = overdrawn == null ? null : cat.definition().currencies().get(overdrawn);
        if (cur != null && cur.hardDepletion()) {
            return new BoundBy("currency", null, overdrawn, null, null);
        }
        Decision d = Decisions.budgeted(
                state,
                settled,
                session.scope(),
                session.feature() == null ? "" : session.feature(),
                quantity,
                Map.of(),
                now,
                session.id());
        return d.allowed() ? null : d.boundBy();
    }

    SessionView session(String sessionId) {
        return sessionView(sessionOwner(sessionId), sessionId);
    }

    /**
     * A session as it stands. One closed before the customer's last {@value CustomerState#RECENT_CLOSED_SESSIONS} is
     * rebuilt from the customer's records in the store (a read of them all: only for such a session).
     *
     * @throws StoreException if such a session must be rebuilt and the store cannot be read
     */
    SessionView sessionView(CustomerState state, String sessionId) {
        CustomerState.OpenSession held;
        synchronized (state) {
            held = state.session(sessionId);
        }
        CustomerState.OpenSession o =
                held != null ? held : CustomerState.rebuild(sessionId, ctx.store.entries(state.id));
        if (o == null) {
            throw TollgateException.notFound("SESSION_NOT_FOUND", "no session '" + sessionId + "'", "sessionId");
        }
        synchronized (state) {
            Instant now = ctx.now();
            String status = o.closed ? "closed" : now.isBefore(o.expiresAt) ? "open" : "expired";
            return new SessionView(
                    o.session,
                    status,
                    o.expiresAt,
                    o.consumed,
                    status.equals("open") ? o.remaining : BigDecimal.ZERO,
                    o.excess,
                    o.excessBoundBy);
        }
    }
}
