package dev.tollgate.core.engine.internal;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.SessionOutcome;
import dev.tollgate.core.api.SessionRequest;
import dev.tollgate.core.api.SessionView;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.Currency;
import dev.tollgate.core.catalog.Feature;
import dev.tollgate.core.catalog.FeatureType;
import dev.tollgate.core.catalog.RateCard;
import dev.tollgate.core.credit.internal.Pricing;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.period.internal.Window;
import dev.tollgate.core.session.Quote;
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
 * Sessions: open (a hold on a limit or a balance and the budgets on its path), heartbeat, close (the settlement of
 * what was used beyond what was consumed inside: {@link SessionSettlement}), and the session view. Thread-safe; each
 * command runs in its customer's section.
 */
public final class Sessions {
    private final EngineContext ctx;

    public Sessions(EngineContext ctx) {
        this.ctx = ctx;
    }

    public CompletableFuture<Outcome<SessionOutcome>> openSession(String customerId, SessionRequest request) {
        return ctx.readingCatalog(() -> openSessionReadingCatalog(customerId, request));
    }

    CompletableFuture<Outcome<SessionOutcome>> openSessionReadingCatalog(String customerId, SessionRequest request) {
        KeyUse.requireCallerKey(request.idempotencyKey());
        CustomerState state = ctx.existing(customerId);
        Catalog cat = ctx.catalog;
        requireHoldable(cat, request);
        synchronized (state) {
            String print = fingerprint(request);
            IdempotencyKeys.KeyRecord prior = ctx.prior(state, request.idempotencyKey());
            if (prior != null) {
                return reopened(state, prior, print, request);
            }
            if (request.scope() != null && !state.scopes.contains(request.scope())) {
                throw TollgateException.notFound("SCOPE_NOT_FOUND", "no scope '" + request.scope() + "'", "scope");
            }
            Quote quote = request.pricing() == SessionRequest.Pricing.QUOTED
                    ? quote(cat, Objects.requireNonNull(request.feature()))
                    : null;
            ctx.requireAvailable();
            Instant now = ctx.now();
            List<JournalEntry> entries = new ArrayList<>(CreditRecords.housekeep(state, cat, now));
            Decision d = hold(state, cat, request, quote, now);
            if (!d.allowed()) {
                Outcome<SessionOutcome> refusal = new Outcome<>(SessionOutcome.refused(d), false);
                return entries.isEmpty()
                        ? CompletableFuture.completedFuture(refusal)
                        : ctx.enqueue(state, entries).thenApply(v -> refusal);
            }
            Session session = newSession(state, request, quote, now);
            JournalEntry opened =
                    new JournalEntry.SessionOpened(customerId, now, request.idempotencyKey(), session, print);
            state.apply(opened, EngineContext.PLACEHOLDER);
            entries.add(opened);
            return ctx.enqueue(state, entries)
                    .thenApply(v -> new Outcome<>(SessionOutcome.opened(sessionView(state, session.id())), false));
        }
    }

    /**
     * The fingerprint of an open: what it holds, for how long, and how it is priced. A session priced at use has the
     * fingerprint it had before sessions could be quoted, so that a key used before still replays.
     */
    private static String fingerprint(SessionRequest r) {
        return r.pricing() == SessionRequest.Pricing.QUOTED
                ? KeyUse.fingerprint(
                        KeyUse.Kind.SESSION_OPEN,
                        r.scope(),
                        r.currency(),
                        r.feature(),
                        r.amount(),
                        r.ttl(),
                        r.maxLifetime(),
                        "quoted")
                : KeyUse.fingerprint(
                        KeyUse.Kind.SESSION_OPEN,
                        r.scope(),
                        r.currency(),
                        r.feature(),
                        r.amount(),
                        r.ttl(),
                        r.maxLifetime());
    }

    /**
     * The price a quoted session on {@code feature} fixes now: its flat unit price, or {@link Quote#FREE} without a
     * rate card.
     *
     * @throws TollgateException {@code PRICE_NOT_FLAT} (409) if its price depends on more than the quantity (tiers,
     *     rates by dimension) or has no exact unit price
     */
    private static Quote quote(Catalog cat, String feature) {
        RateCard card = Decisions.rateCard(cat, feature);
        if (card == null) {
            return Quote.FREE;
        }
        BigDecimal unitPrice = Pricing.unitPrice(card);
        if (unitPrice == null) {
            throw TollgateException.conflict(
                    "PRICE_NOT_FLAT",
                    "feature '" + feature + "' is priced by tiers or by dimension: a session cannot fix its price",
                    "quote");
        }
        return new Quote(card.currency(), unitPrice);
    }

    /**
     * Refuses a session on what the catalog does not have, and a quote of anything but a feature.
     *
     * @throws TollgateException {@code FEATURE_NOT_FOUND}, {@code FEATURE_NOT_METERED}, {@code CURRENCY_NOT_FOUND},
     *     {@code INVALID_SESSION}
     */
    private static void requireHoldable(Catalog cat, SessionRequest request) {
        if (request.pricing() == SessionRequest.Pricing.QUOTED && request.feature() == null) {
            throw TollgateException.invalid(
                    "INVALID_SESSION", "only a feature session can fix its price (quote)", "quote");
        }
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
    }

    /**
     * The first answer of an open's key, once durable.
     *
     * @throws TollgateException {@code IDEMPOTENCY_KEY_REUSED} if the key was used for another request
     */
    private CompletableFuture<Outcome<SessionOutcome>> reopened(
            CustomerState state, IdempotencyKeys.KeyRecord prior, String print, SessionRequest request) {
        KeyUse.requireSame(prior.entry(), KeyUse.Kind.SESSION_OPEN, print, e -> {
            Session s = ((JournalEntry.SessionOpened) e).session();
            return Objects.equals(s.feature(), request.feature())
                    && Objects.equals(s.currency(), request.currency())
                    && s.amount().compareTo(request.amount()) == 0;
        });
        JournalEntry.SessionOpened o = (JournalEntry.SessionOpened) prior.entry();
        return prior.durable()
                .thenApply(v -> new Outcome<>(
                        SessionOutcome.opened(sessionView(state, o.session().id())), true));
    }

    /**
     * Whether the hold fits, all at once: the feature's limit (or the currency's available balance) and every budget on
     * the path from the session's scope, less what other sessions hold. A priced quote holds the credits of the amount
     * as well: against the balance (refused {@code INSUFFICIENT_CREDITS} by a hard currency) and the currency's
     * budgets on the path.
     */
    private static Decision hold(
            CustomerState state, Catalog cat, SessionRequest request, @Nullable Quote quote, Instant now) {
        if (request.feature() != null) {
            EffectiveEntitlement e = state.resolve(cat, now).entitlements().get(request.feature());
            Decision d;
            if (e == null) {
                d = Decision.denied(Decisions.unentitled(state, now));
            } else {
                Window w = Decisions.window(state, e, now);
                d = MeteredLimit.decide(
                        e,
                        new MeteredLimit.Standing(
                                w,
                                state.used(request.feature(), w.start()),
                                state.heldFeature(request.feature(), now, null)),
                        request.amount(),
                        MeteredLimit.Mode.CHECK);
            }
            if (quote != null && quote.priced()) {
                String currency = Objects.requireNonNull(quote.currency());
                BigDecimal available =
                        state.account(currency).available(now).subtract(state.heldCredits(currency, now, null));
                d = Decisions.charged(d, cat, new CreditCharge(currency, quote.credits(request.amount()), available));
            }
            Ask ask = new Ask(
                    request.feature(), request.amount(), Map.of(), request.scope(), null, now, MeteredLimit.Mode.CHECK);
            return Decisions.budgeted(state, d, ask);
        }
        String currency = Objects.requireNonNull(request.currency());
        BigDecimal available = state.account(currency).available(now).subtract(state.heldCredits(currency, now, null));
        Currency cur = cat.definition().currencies().get(currency);
        Decision d = Decision.plain(true, null, null, null)
                .withCredit(new CreditCharge(currency, request.amount(), available));
        if (cur != null && cur.hardDepletion() && available.compareTo(request.amount()) < 0) {
            d = d.refused(Reason.INSUFFICIENT_CREDITS, new BoundBy("currency", null, currency, null, null));
        }
        Ask ask = new Ask("", BigDecimal.ZERO, Map.of(), request.scope(), null, now, MeteredLimit.Mode.CHECK);
        return Decisions.budgeted(state, d, ask);
    }

    /** The session a request opens now: the customer's next id, its deadline never past its maximum lifetime. */
    private static Session newSession(CustomerState state, SessionRequest request, @Nullable Quote quote, Instant now) {
        Instant maxUntil =
                now.plus(request.maxLifetime() == null ? EngineContext.MAX_SESSION_LIFETIME : request.maxLifetime());
        return new Session(
                state.sessions.nextId(),
                request.scope(),
                request.currency(),
                request.feature(),
                request.amount(),
                now,
                min(now.plus(request.ttl()), maxUntil),
                maxUntil,
                quote);
    }

    static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** The customer a session id belongs to (ids are {@code <customerId>@s<n>}), closed long ago or not. */
    CustomerState sessionOwner(String sessionId) {
        int at = sessionId.lastIndexOf('@');
        CustomerState state = at <= 0 ? null : ctx.served(sessionId.substring(0, at));
        if (state == null || !isKnown(state, sessionId)) {
            throw TollgateException.notFound("SESSION_NOT_FOUND", "no session '" + sessionId + "'", "sessionId");
        }
        return state;
    }

    private static boolean isKnown(CustomerState state, String sessionId) {
        synchronized (state) {
            return state.sessions.get(sessionId) != null || state.sessions.issued(sessionId);
        }
    }

    public CompletableFuture<SessionView> heartbeat(String sessionId, Duration ttl) {
        CustomerState state = sessionOwner(sessionId);
        synchronized (state) {
            Instant now = ctx.now();
            SessionState o = Decisions.liveSession(state, sessionId, now);
            ctx.requireAvailable();
            Instant next = min(now.plus(ttl), o.session.maxUntil());
            JournalEntry extended = new JournalEntry.SessionExtended(state.id, now, null, sessionId, next);
            state.apply(extended, EngineContext.PLACEHOLDER);
            return ctx.enqueue(state, List.of(extended)).thenApply(v -> sessionView(state, sessionId));
        }
    }

    public CompletableFuture<Outcome<SessionView>> closeSession(String sessionId, @Nullable BigDecimal used) {
        CustomerState state = sessionOwner(sessionId);
        Catalog cat = ctx.catalog;
        synchronized (state) {
            String key = "close:" + sessionId;
            IdempotencyKeys.KeyRecord prior = ctx.prior(state, key);
            if (prior != null) {
                KeyUse.requireKind(prior.entry(), KeyUse.Kind.SESSION_CLOSE);
                return prior.durable().thenApply(v -> new Outcome<>(sessionView(state, sessionId), true));
            }
            SessionState o = state.sessions.get(sessionId);
            if (o == null) {
                throw TollgateException.conflict(
                        "SESSION_CLOSED", "session '" + sessionId + "' was closed long ago", "sessionId");
            }
            ctx.requireAvailable();
            Instant now = ctx.now();
            List<JournalEntry> entries = new ArrayList<>(CreditRecords.housekeep(state, cat, now));
            BigDecimal extra = used == null ? BigDecimal.ZERO : used.subtract(o.consumed);
            BoundBy passed = null;
            if (extra.signum() > 0) {
                SessionSettlement settlement = new SessionSettlement(state, cat, o.session, extra, now);
                passed = settlement.settle();
                entries.addAll(settlement.records());
            }
            BigDecimal total = Decimals.max(o.consumed, used == null ? BigDecimal.ZERO : used);
            BigDecimal excess = total.subtract(o.session.amount());
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

    public SessionView session(String sessionId) {
        return sessionView(sessionOwner(sessionId), sessionId);
    }

    /**
     * The customer's sessions running now: not closed and not past their deadline, oldest first.
     *
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}
     */
    public List<SessionView> openSessions(String customerId) {
        CustomerState state = ctx.existing(customerId);
        synchronized (state) {
            Instant now = ctx.now();
            List<SessionView> running = new ArrayList<>();
            for (SessionState o : state.sessions.open.values()) {
                if (!o.closed && now.isBefore(o.expiresAt)) {
                    running.add(new SessionView(o.session, "open", o.expiresAt, o.consumed, o.remaining));
                }
            }
            return running;
        }
    }

    /**
     * A session as it stands. One closed before the customer's last {@value SessionBook#RECENT_CLOSED} is rebuilt from
     * the customer's records in the store (a read of them all: only for such a session).
     *
     * @throws StoreException if such a session must be rebuilt and the store cannot be read
     */
    SessionView sessionView(CustomerState state, String sessionId) {
        SessionState held;
        synchronized (state) {
            held = state.sessions.get(sessionId);
        }
        SessionState o = held != null ? held : SessionBook.rebuild(sessionId, ctx.store.entries(state.id));
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
