package dev.tollgate.core.credit;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.period.Periods;
import dev.tollgate.core.period.Window;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What time alone does to a ledger, decided at an instant: recurring allotments issued for every period that has
 * started (no job needs to run at the period start: the first write or read after it sees the grant), remainders
 * expiring at their {@code expiresAt}, and overdraft paid back from grants that became available.
 *
 * <p>Order: changes are decided in time order. At one instant an expiry comes before a grant that starts then (a
 * period's allotment expiring at the same instant as the next one starts: windows are half-open), and each new grant
 * first pays back the overdraft; so does a grant created earlier that becomes effective after the account's last
 * record ({@link CreditAccount#asOf()}), at its {@code effectiveAt}. Pure: the accounts passed in are not changed.
 */
public final class Housekeeping {
    private Housekeeping() {}

    /** One step of the timeline; {@code change == null} marks a grant becoming effective (pay back overdraft). */
    private record Timed(Instant time, int rank, @Nullable LedgerChange change, String currency) {}

    /**
     * @param accounts the customer's accounts by currency (not changed)
     * @param allotments the recurring grants the customer receives now
     * @param t now
     * @return the changes due by {@code t}, in the order to apply them; empty when nothing is due
     */
    public static List<LedgerChange> due(Map<String, CreditAccount> accounts, List<Allotment> allotments, Instant t) {
        Map<String, CreditAccount> scratch = new LinkedHashMap<>();
        List<Timed> timeline = new ArrayList<>();
        for (CreditAccount a : accounts.values()) {
            for (CreditAccount.Slot s : a.slots()) {
                Instant end = s.grant().expiresAt();
                if (!s.expired() && !s.voided() && end != null && !end.isAfter(t)) {
                    timeline.add(expiry(s, a.currency()));
                }
                Instant start = s.grant().effectiveAt();
                if (!s.expired() && !s.voided() && start.isAfter(a.asOf()) && !start.isAfter(t)) {
                    timeline.add(new Timed(start, 2, null, a.currency()));
                }
            }
        }
        for (Allotment allotment : allotments) {
            for (Grant g : issue(allotment, accounts, t)) {
                timeline.add(new Timed(g.effectiveAt(), 1, new LedgerChange.NewGrant(g), g.currency()));
                if (g.expiresAt() != null && !g.expiresAt().isAfter(t)) {
                    timeline.add(new Timed(
                            g.expiresAt(),
                            0,
                            new LedgerChange.Moves(
                                    EntryType.EXPIRE,
                                    g.currency(),
                                    g.expiresAt(),
                                    List.of(new Movement(g.id(), g.amount().negate()))),
                            g.currency()));
                }
            }
        }
        timeline.sort(Comparator.comparing(Timed::time).thenComparingInt(Timed::rank));
        List<LedgerChange> out = new ArrayList<>();
        for (Timed step : timeline) {
            CreditAccount a = scratch.computeIfAbsent(step.currency(), c -> copyOf(accounts, c));
            if (step.change() == null) {
                repay(a, step.time(), out);
            } else if (step.change() instanceof LedgerChange.Moves m) {
                // an expiry takes what remains at that moment, which earlier steps of this timeline may have changed
                String grantId = m.movements().get(0).grantId();
                CreditAccount.Slot s = a.slot(grantId == null ? "" : grantId);
                if (s == null || s.expired() || s.voided()) {
                    continue;
                }
                LedgerChange.Moves exact = new LedgerChange.Moves(
                        EntryType.EXPIRE,
                        m.currency(),
                        m.time(),
                        List.of(new Movement(grantId, s.remaining().negate())));
                a.move(EntryType.EXPIRE, exact.movements());
                out.add(exact);
            } else {
                LedgerChange.NewGrant n = (LedgerChange.NewGrant) step.change();
                a.add(n.grant());
                out.add(n);
                repay(a, step.time(), out);
            }
        }
        for (CreditAccount a : accounts.values()) {
            repay(scratch.computeIfAbsent(a.currency(), c -> copyOf(accounts, c)), t, out);
        }
        return out;
    }

    private static CreditAccount copyOf(Map<String, CreditAccount> accounts, String currency) {
        CreditAccount a = accounts.get(currency);
        return a == null ? new CreditAccount(currency) : a.copy();
    }

    private static Timed expiry(CreditAccount.Slot s, String currency) {
        Instant end = s.grant().expiresAt();
        return new Timed(
                end,
                0,
                new LedgerChange.Moves(
                        EntryType.EXPIRE,
                        currency,
                        end,
                        List.of(new Movement(s.grant().id(), s.remaining().negate()))),
                currency);
    }

    /**
     * Pays back overdraft from the grants burnable at {@code t}, in burn order, and records the change.
     *
     * @param account changed in place
     */
    public static void repay(CreditAccount account, Instant t, List<LedgerChange> out) {
        if (account.overdraft().signum() <= 0) {
            return;
        }
        BurnOrder.Allocation taken = BurnOrder.allocate(account.burnable(t), account.overdraft());
        if (taken.movements().isEmpty()) {
            return;
        }
        List<Movement> movements = new ArrayList<>(taken.movements());
        BigDecimal repaid = Decimals.normalize(account.overdraft().subtract(taken.shortfall()));
        movements.add(new Movement(null, repaid));
        LedgerChange.Moves moves =
                new LedgerChange.Moves(EntryType.OVERDRAFT_REPAID, account.currency(), t, List.copyOf(movements));
        account.move(moves.type(), moves.movements());
        out.add(moves);
    }

    /** The allotment's grants for periods started by {@code t} and not yet issued. */
    private static List<Grant> issue(Allotment a, Map<String, CreditAccount> accounts, Instant t) {
        List<Grant> out = new ArrayList<>();
        CreditAccount account = accounts.get(a.spec().currency());
        Window w = Periods.window(a.spec().every(), false, a.anchor(), a.zone(), a.from());
        while (!w.start().isAfter(t) && (a.until() == null || w.start().isBefore(a.until()))) {
            String id = "allot:" + a.source() + ":" + w.start();
            if (a.spec().amount().signum() > 0 && (account == null || account.slot(id) == null)) {
                out.add(new Grant(
                        id,
                        a.spec().currency(),
                        Decimals.normalize(a.spec().amount().multiply(a.multiplier())),
                        a.spec().promotional(),
                        BigDecimal.ZERO,
                        a.spec().priority(),
                        w.start(),
                        a.spec().expiresAtPeriodEnd() ? w.end() : null,
                        "allotment",
                        a.source()));
            }
            if (w.end() == null) {
                break;
            }
            w = Periods.window(a.spec().every(), false, a.anchor(), a.zone(), w.end());
        }
        return out;
    }
}
