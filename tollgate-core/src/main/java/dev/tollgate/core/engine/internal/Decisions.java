package dev.tollgate.core.engine.internal;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.budget.internal.BudgetWalk;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.Currency;
import dev.tollgate.core.catalog.Feature;
import dev.tollgate.core.catalog.FeatureType;
import dev.tollgate.core.catalog.RateCard;
import dev.tollgate.core.credit.internal.CreditAccount;
import dev.tollgate.core.credit.internal.LedgerChange;
import dev.tollgate.core.credit.internal.Pricing;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.period.internal.Window;
import dev.tollgate.core.session.Quote;
import dev.tollgate.core.session.Session;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * How a check or consume is decided, as pure functions of a customer's state and one {@link Ask} per command: the
 * feature's entitlement and limit ({@link MeteredLimit}), the price and credits ({@link #decide}, {@link #charged}),
 * the budgets on the scope path ({@link #budgeted}) and a session's hold ({@link #inSession}). Call inside the
 * customer's section. Stateless; allocates nothing beyond what the decision needs (the check path): the budget walk
 * reads the {@link Ask} itself.
 */
final class Decisions {
    private Decisions() {}

    /**
     * The scope of a session a request is made in, once the request is found to fit it.
     *
     * @return the session's scope (a request that names none counts there), or {@code null}
     * @throws TollgateException {@code SESSION_NOT_FOUND}, {@code SESSION_CLOSED} (closed or past its deadline),
     *     {@code SESSION_MISMATCH} (the session holds another feature or currency)
     */
    static @Nullable String sessionScope(
            CustomerState state, Catalog cat, String sessionId, String feature, Instant now) {
        Session session = liveSession(state, sessionId, now).session;
        RateCard card = rateCard(cat, feature);
        boolean matches = session.feature() != null
                ? session.feature().equals(feature)
                : card != null && card.currency().equals(session.currency());
        if (!matches) {
            throw TollgateException.conflict(
                    "SESSION_MISMATCH",
                    "session '" + sessionId + "' does not hold what '" + feature + "' consumes",
                    "sessionId");
        }
        return session.scope();
    }

    /**
     * A session that still holds: call inside the customer's section.
     *
     * @throws TollgateException {@code SESSION_NOT_FOUND}; {@code SESSION_CLOSED} (409) if closed or past its deadline
     */
    static SessionState liveSession(CustomerState state, String sessionId, Instant now) {
        SessionState o = state.sessions.get(sessionId);
        if (o == null && state.sessions.closedLongAgo(sessionId)) {
            throw TollgateException.conflict(
                    "SESSION_CLOSED", "session '" + sessionId + "' is closed or expired", "sessionId");
        }
        if (o == null) {
            throw TollgateException.notFound("SESSION_NOT_FOUND", "no session '" + sessionId + "'", "sessionId");
        }
        if (o.closed || !now.isBefore(o.expiresAt)) {
            throw TollgateException.conflict(
                    "SESSION_CLOSED", "session '" + sessionId + "' is closed or expired", "sessionId");
        }
        return o;
    }

    /**
     * Applies a session's hold to a decision made in it. The hold caps what is consumed in the session, however much
     * room the limits and budgets still have (the circuit breaker for a looping agent); running out of room inside a
     * session is running out of the session: {@code SESSION_EXHAUSTED}.
     *
     * @param ask what was asked, in the session {@link Ask#sessionId} (none: {@code d} as it is)
     */
    static Decision inSession(CustomerState state, Decision d, Ask ask) {
        String sessionId = ask.sessionId();
        BigDecimal quantity = ask.quantity();
        if (sessionId == null) {
            return d;
        }
        if (!d.allowed()) {
            boolean outOfRoom = d.reason() == Reason.LIMIT_EXCEEDED
                    || d.reason() == Reason.INSUFFICIENT_CREDITS
                    || d.reason() == Reason.BUDGET_EXCEEDED;
            return outOfRoom ? d.refused(Reason.SESSION_EXHAUSTED, Objects.requireNonNull(d.boundBy())) : d;
        }
        SessionState o = Objects.requireNonNull(state.sessions.open.get(sessionId));
        Session s = o.session;
        BigDecimal amount;
        if (s.feature() != null) {
            amount = quantity;
        } else {
            amount = quantity == null || d.credit() == null ? null : d.credit().credits();
        }
        boolean fits = amount == null ? o.remaining.signum() > 0 : amount.compareTo(o.remaining) <= 0;
        return fits
                ? d
                : d.refused(
                        Reason.SESSION_EXHAUSTED,
                        new BoundBy("session", s.feature(), s.currency(), s.scope(), null, sessionId));
    }

    /**
     * Decides a request at the feature: its entitlement, its limit ({@link MeteredLimit}) and, for a priced feature,
     * its price and the credits available (see {@link #budgeted} and {@link #inSession} for the steps after).
     *
     * @param accounts the customer's accounts to price against (as they stand, or with what time made due)
     */
    static Decision decide(CustomerState state, Catalog cat, Ask ask, Map<String, CreditAccount> accounts) {
        Feature feature = cat.feature(ask.feature()).orElse(null);
        if (feature == null) {
            return Decision.denied(Reason.FEATURE_NOT_FOUND);
        }
        if (ask.mode() != MeteredLimit.Mode.CHECK && feature.type() != FeatureType.METERED) {
            return Decision.denied(Reason.FEATURE_NOT_METERED);
        }
        EffectiveEntitlement e = state.resolve(cat, ask.now()).entitlements().get(ask.feature());
        if (e == null) {
            return Decision.denied(unentitled(state, ask.now()));
        }
        switch (e.type()) {
            case BOOLEAN -> {
                return e.enabled() ? Decision.plain(true, null, null, null) : Decision.denied(Reason.NOT_ENTITLED);
            }
            case CONFIG -> {
                BigDecimal quantity = ask.quantity();
                if (quantity != null && quantity.compareTo(e.value()) > 0) {
                    return Decision.plain(false, Reason.LIMIT_EXCEEDED, BoundBy.feature(ask.feature()), e.value());
                }
                return Decision.plain(true, null, null, e.value());
            }
            default -> {
                return metered(state, cat, e, ask, accounts);
            }
        }
    }

    /** {@link #decide} for a metered entitlement: the limit, then the price and the credits if the feature has one. */
    private static Decision metered(
            CustomerState state, Catalog cat, EffectiveEntitlement e, Ask ask, Map<String, CreditAccount> accounts) {
        Instant now = ask.now();
        Window w = window(state, e, now);
        BigDecimal used = state.used(ask.feature(), w.start());
        BigDecimal held = state.heldFeature(ask.feature(), now, ask.sessionId());
        Decision d = MeteredLimit.decide(e, new MeteredLimit.Standing(w, used, held), ask.quantity(), ask.mode());
        Price price =
                price(cat, ask.feature(), quote(state, ask.sessionId()), ask.quantityOrZero(), ask.dimensions(), used);
        if (price == null) {
            return d;
        }
        BigDecimal credits = price.credits();
        if (credits == null) {
            return d.allowed() ? d.refused(Reason.UNPRICED, BoundBy.feature(ask.feature())) : d;
        }
        CreditAccount account = accounts.get(price.currency());
        BigDecimal available = (account == null ? BigDecimal.ZERO : account.available(now))
                .subtract(state.heldCredits(price.currency(), now, ask.sessionId()));
        return charged(d, cat, new CreditCharge(price.currency(), credits, available));
    }

    /**
     * What a consumption costs.
     *
     * @param currency the currency it is charged in
     * @param credits the credits, or {@code null} if the rate card cannot price it ({@code UNPRICED})
     */
    record Price(String currency, @Nullable BigDecimal credits) {}

    /**
     * The price of a consumption of {@code quantity} units of {@code feature}: by the quote of the session it is made
     * in, if that session fixed one (whatever the catalog says now), else by the feature's rate card.
     *
     * @param quote the quote of the session it is made in, or {@code null} (none, or a session priced at use)
     * @param usedBefore the feature's usage in the period before it (for tiers)
     * @return the price, or {@code null} if it costs nothing: no rate card, or a free quote
     */
    static @Nullable Price price(
            Catalog cat,
            String feature,
            @Nullable Quote quote,
            BigDecimal quantity,
            Map<String, String> dimensions,
            BigDecimal usedBefore) {
        if (quote != null) {
            String currency = quote.currency();
            return currency == null ? null : new Price(currency, Decimals.normalize(quote.credits(quantity)));
        }
        RateCard card = rateCard(cat, feature);
        return card == null ? null : new Price(card.currency(), Pricing.price(card, quantity, dimensions, usedBefore));
    }

    /**
     * The price fixed by the session a request is made in (call once the session is known to be live), or {@code
     * null}: no session, or one priced at use.
     */
    static @Nullable Quote quote(CustomerState state, @Nullable String sessionId) {
        SessionState o = sessionId == null ? null : state.sessions.get(sessionId);
        return o == null ? null : o.session.quote();
    }

    /** Tells whether a consumption of {@code feature} (in session {@code sessionId}, or none) may cost credits. */
    static boolean priced(CustomerState state, Catalog cat, String feature, @Nullable String sessionId) {
        Quote quote = quote(state, sessionId);
        return quote != null ? quote.priced() : rateCard(cat, feature) != null;
    }

    /**
     * Adds the credit side to a metered decision: for a hard currency, {@code INSUFFICIENT_CREDITS} when the available
     * balance cannot cover the price in full.
     *
     * @param charge the price and the balance available before it
     */
    static Decision charged(Decision d, Catalog cat, CreditCharge charge) {
        Currency currency = cat.definition().currencies().get(charge.currency());
        boolean hard = currency == null || currency.hardDepletion();
        if (d.allowed() && hard && charge.balance().compareTo(charge.credits()) < 0) {
            return d.withCredit(charge)
                    .refused(Reason.INSUFFICIENT_CREDITS, new BoundBy("currency", null, charge.currency(), null, null));
        }
        return d.withCredit(charge);
    }

    /**
     * The answer an admitted consumption keeps: the decision as recorded, with, for a priced one, the balance after its
     * charge.
     */
    static Decision recorded(Decision d) {
        CreditCharge price = d.credit();
        return price == null
                ? d.asRecorded()
                : d.asRecorded()
                        .withCredit(new CreditCharge(
                                price.currency(),
                                price.credits(),
                                Decimals.normalize(price.balance().subtract(price.credits()))));
    }

    /**
     * Why a customer has no entitlement to a feature at {@code t}: {@code NO_SUBSCRIPTION} when no subscription is in
     * force then (none, cancelled and ended, or not started yet), else {@code NOT_ENTITLED} (its plan, add-ons, trial
     * and promotions do not grant it).
     */
    static Reason unentitled(CustomerState state, Instant t) {
        Subscription sub = state.subscription;
        return sub == null || !sub.activeAt(t) ? Reason.NO_SUBSCRIPTION : Reason.NOT_ENTITLED;
    }

    /**
     * Walks the budgets from {@code scope} to the root (see {@link BudgetWalk}): an admitted decision is refused
     * {@code BUDGET_EXCEEDED}, naming the scope and budget, if a hard budget on the path cannot take it. A check
     * without a quantity asks whether any room is left ({@code used < limit}).
     */
    static Decision budgeted(CustomerState state, Decision d, Ask ask) {
        String scope = ask.scope();
        BigDecimal quantity = ask.quantity();
        if (scope == null || !d.allowed()) {
            return d;
        }
        CreditCharge credit = d.credit();
        BudgetWalk.Result walk = BudgetWalk.walk(
                state.path(scope),
                state::budgetsOf,
                (s, b) -> state.budgetUsed(s, b, ask.now()).add(state.heldBudget(s, b, ask.now(), ask.sessionId())),
                ask,
                credit);
        BudgetWalk.Charge binding = walk.binding();
        if (binding == null && quantity == null) {
            for (BudgetWalk.Charge c : walk.charges()) {
                if (c.budget().hard() && c.used().compareTo(c.budget().limit()) >= 0) {
                    binding = c;
                    break;
                }
            }
        }
        if (binding == null) {
            BudgetWalk.Charge passed = walk.passed();
            return passed == null || quantity == null
                    ? d
                    : d.flagged(new BoundBy(
                            "budget",
                            null,
                            null,
                            passed.scope(),
                            passed.budget().key()));
        }
        return d.refused(
                Reason.BUDGET_EXCEEDED,
                new BoundBy(
                        "budget", null, null, binding.scope(), binding.budget().key()));
    }

    /** The rate card pricing a feature, or {@code null}. */
    static @Nullable RateCard rateCard(Catalog cat, String feature) {
        for (RateCard card : cat.definition().rateCards()) {
            if (card.feature().equals(feature)) {
                return card;
            }
        }
        return null;
    }

    /**
     * The customer's accounts as they are at {@code now}: the stored ones, or, when allotments or expiries are due
     * and no write has recorded them yet, a copy with them applied. Reads never write.
     */
    static Map<String, CreditAccount> accountsAt(CustomerState state, Catalog cat, Instant now) {
        List<LedgerChange> due = state.creditsDue(cat, now);
        if (due.isEmpty()) {
            return state.accounts;
        }
        Map<String, CreditAccount> copy = new TreeMap<>();
        state.accounts.forEach((c, a) -> copy.put(c, a.copy()));
        for (LedgerChange change : due) {
            if (change instanceof LedgerChange.NewGrant g) {
                copy.computeIfAbsent(g.grant().currency(), CreditAccount::new).add(g.grant());
            } else {
                LedgerChange.Moves m = (LedgerChange.Moves) change;
                copy.computeIfAbsent(m.currency(), CreditAccount::new).move(m.type(), m.movements());
            }
        }
        return copy;
    }

    static Window window(CustomerState state, EffectiveEntitlement e, Instant t) {
        return state.window(e.reset(), e.calendar(), state.anchor(), t);
    }
}
