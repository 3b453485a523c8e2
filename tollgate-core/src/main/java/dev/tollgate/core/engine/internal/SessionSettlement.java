package dev.tollgate.core.engine.internal;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.Currency;
import dev.tollgate.core.catalog.Enforcement;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.credit.internal.Charging;
import dev.tollgate.core.credit.internal.CreditAccount;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.UsageSource;
import dev.tollgate.core.period.internal.Window;
import dev.tollgate.core.session.Session;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What closing a session settles: the part of its {@code used} not yet consumed inside it, recorded now like reported
 * usage (never refused; past a hard limit it is overage, past a hard balance overdraft). A feature session's
 * settlement is a usage record in the session, priced and charged like any usage in it (at its quote, if it fixed
 * one); a currency session's is a {@code SessionSettled} record and the credits it burns. Either way the close names
 * the first hard limit the settlement went past ({@link #passed}).
 *
 * <p>One instance per close, inside the customer's section; {@link #settle} applies the records to the state and
 * keeps them for the caller to commit, in order, before the closing record.
 */
final class SessionSettlement {
    private final CustomerState state;
    private final Catalog cat;
    private final Session session;
    private final BigDecimal extra;
    private final Instant now;
    private final List<JournalEntry> records = new ArrayList<>();

    /**
     * @param extra what is settled, {@code > 0}: units of the session's feature, or credits of its currency
     */
    SessionSettlement(CustomerState state, Catalog cat, Session session, BigDecimal extra, Instant now) {
        this.state = state;
        this.cat = cat;
        this.session = session;
        this.extra = extra;
        this.now = now;
    }

    /**
     * Records the settlement.
     *
     * @return the first hard limit it went past, or {@code null}
     */
    @Nullable
    BoundBy settle() {
        return session.feature() != null ? settleFeature(session.feature()) : settleCurrency();
    }

    /** The records {@link #settle} applied, in order. */
    List<JournalEntry> records() {
        return records;
    }

    /** The key of the close: its records and its charge are found under it. */
    private String key() {
        return "close:" + session.id();
    }

    private @Nullable BoundBy settleFeature(String feature) {
        EffectiveEntitlement e = state.resolve(cat, now).entitlements().get(feature);
        if (e == null) {
            return null;
        }
        Window w = Decisions.window(state, e, now);
        BigDecimal usedBefore = state.used(feature, w.start());
        Decision d = MeteredLimit.decide(
                e, new MeteredLimit.Standing(w, usedBefore, BigDecimal.ZERO), extra, MeteredLimit.Mode.REPORT);
        Decisions.Price priced = Decisions.price(cat, feature, session.quote(), extra, Map.of(), usedBefore);
        CreditCharge price = null;
        if (priced != null && priced.credits() != null) {
            BigDecimal credits = priced.credits();
            BigDecimal after = state.account(priced.currency()).available(now).subtract(credits);
            price = new CreditCharge(priced.currency(), credits, Decimals.normalize(after));
            d = d.withCredit(price);
        }
        BoundBy limit =
                e.enforcement() == Enforcement.HARD && d.overageQuantity().signum() > 0
                        ? BoundBy.feature(feature)
                        : null;
        BoundBy passed =
                passed(d, limit, extra, price != null && price.balance().signum() < 0 ? price.currency() : null);
        JournalEntry usage = new JournalEntry.UsageRecorded(
                state.id,
                now,
                key() + ":usage",
                feature,
                extra,
                w.start(),
                d.overageQuantity(),
                UsageSource.EVENT,
                now,
                session.scope(),
                Map.of(),
                d.asRecorded(),
                session.id(),
                null);
        apply(usage);
        if (price != null) {
            CreditRecords.Charged what =
                    new CreditRecords.Charged(key() + ":usage", feature, extra, session.scope(), Map.of());
            records.addAll(CreditRecords.charge(state, price, what, now));
        }
        return passed;
    }

    private @Nullable BoundBy settleCurrency() {
        String currency = Objects.requireNonNull(session.currency());
        CreditAccount account = state.account(currency);
        List<Movement> movements = Charging.burn(account, extra, now);
        boolean overdraws =
                !movements.isEmpty() && movements.get(movements.size() - 1).grantId() == null;
        Decision settled = Decision.plain(true, null, null, null)
                .withCredit(new CreditCharge(currency, extra, account.available(now)));
        BoundBy passed = passed(settled, null, BigDecimal.ZERO, overdraws ? currency : null);
        apply(new JournalEntry.SessionSettled(state.id, now, null, session.id(), session.scope(), currency, extra));
        // right before the closing record that carries the key: where Store#charge finds it
        apply(new JournalEntry.CreditsMoved(
                state.id,
                now,
                null,
                EntryType.CONSUME,
                currency,
                now,
                List.copyOf(movements),
                key(),
                null,
                null,
                session.scope(),
                Map.of()));
        return passed;
    }

    private void apply(JournalEntry entry) {
        state.apply(entry, EngineContext.PLACEHOLDER);
        records.add(entry);
    }

    /**
     * The first hard limit the settlement goes past, in the order a consumption would be refused: the feature's
     * limit, the currency's balance, then the budgets from the session's scope up. Call before the settlement is
     * applied.
     *
     * @param settled the settlement as a decision (its credit side, if priced)
     * @param limit the feature's hard limit if the settlement goes past it, else {@code null}
     * @param quantity the settlement's units (0 for a currency session)
     * @param overdrawn the hard or soft currency the settlement overdraws, or {@code null}
     */
    private @Nullable BoundBy passed(
            Decision settled, @Nullable BoundBy limit, BigDecimal quantity, @Nullable String overdrawn) {
        if (limit != null) {
            return limit;
        }
        Currency cur = overdrawn == null ? null : cat.definition().currencies().get(overdrawn);
        if (cur != null && cur.hardDepletion()) {
            return new BoundBy("currency", null, overdrawn, null, null);
        }
        Ask ask = new Ask(
                session.feature() == null ? "" : session.feature(),
                quantity,
                Map.of(),
                session.scope(),
                session.id(),
                now,
                MeteredLimit.Mode.REPORT);
        Decision d = Decisions.budgeted(state, settled, ask);
        return d.allowed() ? null : d.boundBy();
    }
}
