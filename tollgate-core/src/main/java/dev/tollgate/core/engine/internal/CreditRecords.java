package dev.tollgate.core.engine.internal;

import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.credit.internal.Charging;
import dev.tollgate.core.credit.internal.CreditAccount;
import dev.tollgate.core.credit.internal.Housekeeping;
import dev.tollgate.core.credit.internal.LedgerChange;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.period.internal.Periods;
import dev.tollgate.core.period.internal.Window;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns the credit rules' ledger changes ({@link dev.tollgate.core.credit.internal.Charging}, {@link
 * dev.tollgate.core.credit.internal.Housekeeping}) into journal records and applies them to a customer's state. Call inside
 * the customer's section. Stateless.
 */
final class CreditRecords {
    private CreditRecords() {}

    /**
     * Records (applies to memory) what time has made due for this customer's credits: allotments, expiries,
     * overdraft repayment. Call inside the customer's section, before deciding a write.
     *
     * @return the records applied, to be committed with the command
     */
    static List<JournalEntry> housekeep(CustomerState state, Catalog cat, Instant now) {
        List<JournalEntry> records = records(state.id, now, state.creditsDue(cat, now));
        records.forEach(r -> state.apply(r, EngineContext.PLACEHOLDER));
        return records;
    }

    static List<JournalEntry> records(String customerId, Instant now, List<LedgerChange> changes) {
        List<JournalEntry> out = new ArrayList<>(changes.size());
        for (LedgerChange change : changes) {
            if (change instanceof LedgerChange.NewGrant g) {
                out.add(new JournalEntry.GrantCreated(customerId, now, null, g.grant(), null));
            } else {
                LedgerChange.Moves m = (LedgerChange.Moves) change;
                out.add(new JournalEntry.CreditsMoved(
                        customerId,
                        now,
                        null,
                        m.type(),
                        m.currency(),
                        m.time(),
                        m.movements(),
                        null,
                        null,
                        null,
                        null,
                        Map.of()));
            }
        }
        return out;
    }

    /**
     * Pays back the currency's overdraft from what is spendable now, if both exist: applies the records to
     * {@code state} and appends them to {@code out}.
     */
    static void repayNow(CustomerState state, String currency, Instant now, List<JournalEntry> out) {
        List<LedgerChange> repaid = new ArrayList<>();
        Housekeeping.repay(state.account(currency).copy(), now, repaid);
        for (JournalEntry r : records(state.id, now, repaid)) {
            state.apply(r, EngineContext.PLACEHOLDER);
            out.add(r);
        }
    }

    /**
     * What a charge is for: the consumption (or reported usage) it pays, as its ledger entry carries it.
     *
     * @param key the consumption's idempotency key, where {@link dev.tollgate.core.store.Store#charge} finds the charge
     * @param feature the feature consumed
     * @param quantity the units consumed
     * @param scope the scope it counts at, or {@code null}
     * @param dimensions its dimensions
     */
    record Charged(
            String key,
            String feature,
            BigDecimal quantity,
            @Nullable String scope,
            Map<String, String> dimensions) {}

    /**
     * The records that charge a priced consumption ({@link Charging#burn}: burn order, then overdraft), then an
     * auto-recharge if the balance fell below its threshold ({@link Charging#recharge}), with the overdraft it pays
     * back. Applies them to {@code state}. Callers add them right after the usage record that carries the key: {@link
     * dev.tollgate.core.store.Store#charge} finds an old charge there.
     *
     * @return the records applied
     */
    static List<JournalEntry> charge(CustomerState state, CreditCharge price, Charged what, Instant now) {
        List<JournalEntry> out = new ArrayList<>();
        CreditAccount account = state.account(price.currency());
        List<Movement> movements = Charging.burn(account, price.credits(), now);
        if (!movements.isEmpty()) {
            JournalEntry spent = new JournalEntry.CreditsMoved(
                    state.id,
                    now,
                    null,
                    EntryType.CONSUME,
                    price.currency(),
                    now,
                    List.copyOf(movements),
                    what.key(),
                    what.feature(),
                    what.quantity(),
                    what.scope(),
                    what.dimensions());
            state.apply(spent, EngineContext.PLACEHOLDER);
            out.add(spent);
        }
        AutoRecharge recharge = state.recharges.get(price.currency());
        if (recharge != null) {
            Window month = Periods.window(ResetPeriod.MONTH, false, state.anchor(), state.zone, now);
            Grant g = Charging.recharge(account, recharge, month, what.key(), now);
            if (g != null) {
                JournalEntry created = new JournalEntry.GrantCreated(state.id, now, null, g, null);
                state.apply(created, EngineContext.PLACEHOLDER);
                out.add(created);
                repayNow(state, price.currency(), now, out);
            }
        }
        return out;
    }
}
