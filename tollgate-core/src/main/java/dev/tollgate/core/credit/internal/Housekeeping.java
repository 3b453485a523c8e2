package dev.tollgate.core.credit.internal;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.period.internal.Periods;
import dev.tollgate.core.period.internal.Window;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
     * What {@link #due} found given in full, per allotment of one list: every period of an allotment that starts
     * before the instant noted for it needs no grant, so a later call skips the allotment until its next period
     * starts. A priced check and a consumption ask {@link #due} each time; without this, a customer who moved to
     * another version of its plan mid-period had its allotment family summed over every grant on every call until the
     * period ended.
     *
     * <p>Valid while the caller passes the same allotments (same list, same content) and accounts that have only
     * gained grants since: a grant only ever adds to what a period's family was given, so what needed nothing still
     * needs nothing. Drop it with the allotments, and whenever the accounts are replaced by others (a restore after a
     * failed commit).
     *
     * <p>Not thread-safe: guarded by whoever guards the accounts.
     */
    public static final class Settled {
        private final @Nullable Instant[] before;

        /**
         * Nothing known yet.
         *
         * @param allotments the size of the list it is kept for
         */
        public Settled(int allotments) {
            this.before = new Instant[allotments];
        }

        private boolean covers(int allotment, Instant t) {
            Instant b = before[allotment];
            return b != null && t.isBefore(b);
        }
    }

    /**
     * The ledger changes a customer's accounts and allotments have due by {@code t}.
     *
     * @param accounts the customer's accounts by currency (not changed)
     * @param allotments the recurring grants the customer receives now
     * @param t now
     * @return the changes due by {@code t}, in the order to apply them; empty when nothing is due
     */
    public static List<LedgerChange> due(Map<String, CreditAccount> accounts, List<Allotment> allotments, Instant t) {
        return due(accounts, allotments, t, null);
    }

    /**
     * {@link #due(Map, List, Instant)}, skipping the allotments {@code settled} says were given in full for every
     * period started by {@code t}, and noting in it those found so now.
     *
     * @param settled what earlier calls with these allotments found (updated), or {@code null}
     */
    public static List<LedgerChange> due(
            Map<String, CreditAccount> accounts, List<Allotment> allotments, Instant t, @Nullable Settled settled) {
        List<Timed> timeline = expiriesAndStarts(accounts, t);
        timeline = allotted(accounts, allotments, t, settled, timeline);
        if (timeline == null && !overdrawn(accounts)) {
            return List.of();
        }
        return replay(accounts, timeline, t);
    }

    /**
     * The steps the accounts alone make due by {@code t}: remainders expiring, grants becoming effective after the
     * account's last record (to pay back overdraft).
     *
     * @return the steps, or {@code null} if there are none (nothing allocated)
     */
    private static @Nullable List<Timed> expiriesAndStarts(Map<String, CreditAccount> accounts, Instant t) {
        List<Timed> timeline = null;
        for (CreditAccount a : accounts.values()) {
            for (CreditAccount.Slot s : a.slots()) {
                Instant end = s.grant().expiresAt();
                if (!s.expired() && !s.voided() && end != null && !end.isAfter(t)) {
                    timeline = timeline == null ? new ArrayList<>() : timeline;
                    timeline.add(expiry(s, end, a.currency()));
                }
                Instant start = s.grant().effectiveAt();
                if (!s.expired() && !s.voided() && start.isAfter(a.asOf()) && !start.isAfter(t)) {
                    timeline = timeline == null ? new ArrayList<>() : timeline;
                    timeline.add(new Timed(start, 2, null, a.currency()));
                }
            }
        }
        return timeline;
    }

    /**
     * What one call of {@link #due} issues allotments from: the accounts, every allotment and the instant, and what
     * the families' grants add up to per period, including those decided in this call. Built once per call, and only
     * when an allotment may be due (none is built while every allotment is found settled).
     */
    private static final class Issuing {
        final Map<String, CreditAccount> accounts;
        final List<Allotment> all;
        final Instant t;
        final Map<FamilyPeriod, BigDecimal> given = new HashMap<>();

        Issuing(Map<String, CreditAccount> accounts, List<Allotment> all, Instant t) {
            this.accounts = accounts;
            this.all = all;
            this.t = t;
        }
    }

    /**
     * Adds to {@code timeline} the allotment grants due (and their expiries, if past), skipping the allotments
     * {@code settled} says were given in full.
     *
     * @return the timeline, created if it was {@code null} and something is due
     */
    private static @Nullable List<Timed> allotted(
            Map<String, CreditAccount> accounts,
            List<Allotment> allotments,
            Instant t,
            @Nullable Settled settled,
            @Nullable List<Timed> timeline) {
        Issuing issuing = null;
        boolean issued = false;
        for (int i = 0; i < allotments.size(); i++) {
            if (settled != null && settled.covers(i, t)) {
                continue;
            }
            issuing = issuing == null ? new Issuing(accounts, allotments, t) : issuing;
            // what is found before any grant of this call was decided rests on the accounts alone: it may be noted
            List<Grant> grants = issue(issuing, allotments.get(i), issued ? null : settled, i);
            for (Grant g : grants) {
                issued = true;
                timeline = timeline == null ? new ArrayList<>() : timeline;
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
        return timeline;
    }

    /**
     * Applies the timeline in time order to copies of the accounts it touches, then pays back what overdraft the
     * grants available at {@code t} can.
     *
     * @return the changes, in the order to apply them
     */
    private static List<LedgerChange> replay(
            Map<String, CreditAccount> accounts, @Nullable List<Timed> timeline, Instant t) {
        Map<String, CreditAccount> scratch = new LinkedHashMap<>();
        List<LedgerChange> out = new ArrayList<>();
        if (timeline != null) {
            timeline.sort(Comparator.comparing(Timed::time).thenComparingInt(Timed::rank));
            for (Timed step : timeline) {
                CreditAccount a = scratch.computeIfAbsent(step.currency(), c -> copyOf(accounts, c));
                if (step.change() == null) {
                    repay(a, step.time(), out);
                } else if (step.change() instanceof LedgerChange.Moves m) {
                    expire(a, m, out);
                } else {
                    LedgerChange.NewGrant n = (LedgerChange.NewGrant) step.change();
                    a.add(n.grant());
                    out.add(n);
                    repay(a, step.time(), out);
                }
            }
        }
        for (CreditAccount a : accounts.values()) {
            CreditAccount changed = scratch.get(a.currency());
            if (changed == null && a.overdraft().signum() > 0) {
                changed = copyOf(accounts, a.currency());
                scratch.put(a.currency(), changed);
            }
            if (changed != null) {
                repay(changed, t, out);
            }
        }
        return out;
    }

    /**
     * An expiry takes what remains at that moment, which earlier steps of the timeline may have changed; nothing if
     * the grant is gone, expired or voided by then.
     */
    private static void expire(CreditAccount a, LedgerChange.Moves m, List<LedgerChange> out) {
        String grantId = m.movements().get(0).grantId();
        CreditAccount.Slot s = a.slot(grantId == null ? "" : grantId);
        if (s == null || s.expired() || s.voided()) {
            return;
        }
        LedgerChange.Moves exact = new LedgerChange.Moves(
                EntryType.EXPIRE,
                m.currency(),
                m.time(),
                List.of(new Movement(grantId, s.remaining().negate())));
        a.move(EntryType.EXPIRE, exact.movements());
        out.add(exact);
    }

    /** Whether an account owes overdraft (only then can time alone pay some back). */
    private static boolean overdrawn(Map<String, CreditAccount> accounts) {
        for (CreditAccount a : accounts.values()) {
            if (a.overdraft().signum() > 0) {
                return true;
            }
        }
        return false;
    }

    private static CreditAccount copyOf(Map<String, CreditAccount> accounts, String currency) {
        CreditAccount a = accounts.get(currency);
        return a == null ? new CreditAccount(currency) : a.copy();
    }

    private static Timed expiry(CreditAccount.Slot s, Instant end, String currency) {
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

    /** A family's grants in one period, named by the family's sources and the period's start. */
    private record FamilyPeriod(Set<String> family, Instant start) {}

    /**
     * The allotment's grants for periods started by {@code t} and not yet given in full: in each period, what the
     * grants of its {@link Allotment#family family} there lack to reach what the family's allotments in {@code all}
     * give in that period, and no more than what this allotment itself has yet to give. A period's first grant of an
     * allotment has the id {@code allot:<source>:<period start>}; a later top-up appends {@code :to-<its new total>}.
     *
     * @param issuing the accounts, every allotment, the instant, and what the families' grants add up to per period
     * @param settled where to note, when nothing is due, the start of the first period not examined, or {@code null}
     * @param index the allotment's place in the list {@code settled} is kept for
     */
    private static List<Grant> issue(Issuing issuing, Allotment a, @Nullable Settled settled, int index) {
        Map<String, CreditAccount> accounts = issuing.accounts;
        Map<FamilyPeriod, BigDecimal> given = issuing.given;
        List<Allotment> all = issuing.all;
        Instant t = issuing.t;
        List<Grant> out = new ArrayList<>();
        CreditAccount account = accounts.get(a.spec().currency());
        BigDecimal amount = Decimals.normalize(a.spec().amount().multiply(a.multiplier()));
        Window w = Periods.window(a.spec().every(), false, a.anchor(), a.zone(), a.from());
        while (!w.start().isAfter(t) && (a.until() == null || w.start().isBefore(a.until()))) {
            String id = "allot:" + a.source() + ":" + w.start();
            CreditAccount.Slot first = account == null ? null : account.slot(id);
            if (amount.signum() > 0 && (first == null || first.grant().amount().compareTo(amount) < 0)) {
                Instant start = w.start();
                FamilyPeriod period = new FamilyPeriod(a.family(), start);
                BigDecimal family = given.computeIfAbsent(period, p -> allotted(account, a.family(), start));
                BigDecimal own = allotted(account, Set.of(a.source()), start);
                BigDecimal grant =
                        amount.subtract(own).min(target(a, all, start).subtract(family));
                if (grant.signum() > 0) {
                    out.add(new Grant(
                            own.signum() == 0
                                    ? id
                                    : id + ":to-"
                                            + Decimals.normalize(own.add(grant)).toPlainString(),
                            a.spec().currency(),
                            Decimals.normalize(grant),
                            a.spec().promotional(),
                            BigDecimal.ZERO,
                            a.spec().priority(),
                            start,
                            a.spec().expiresAtPeriodEnd() ? w.end() : null,
                            "allotment",
                            a.source()));
                    given.put(period, family.add(grant));
                }
            }
            if (w.end() == null) {
                break;
            }
            w = Periods.window(a.spec().every(), false, a.anchor(), a.zone(), w.end());
        }
        if (settled != null && out.isEmpty()) {
            // the loop stopped at the first period starting after t, or for good (the last period, or until reached)
            boolean more =
                    w.start().isAfter(t) && (a.until() == null || w.start().isBefore(a.until()));
            settled.before[index] = more ? w.start() : Instant.MAX;
        }
        return out;
    }

    /** The sum of the allotment grants from {@code sources} effective at {@code start}, voided or expired ones too. */
    private static BigDecimal allotted(@Nullable CreditAccount account, Set<String> sources, Instant start) {
        BigDecimal sum = BigDecimal.ZERO;
        if (account == null) {
            return sum;
        }
        for (CreditAccount.Slot s : account.slots()) {
            Grant g = s.grant();
            if (g.source().equals("allotment")
                    && g.reference() != null
                    && sources.contains(g.reference())
                    && g.effectiveAt().equals(start)) {
                sum = sum.add(g.amount());
            }
        }
        return sum;
    }

    /** What the allotments of {@code a}'s family in {@code all} give together in the period starting at {@code start}. */
    private static BigDecimal target(Allotment a, List<Allotment> all, Instant start) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Allotment b : all) {
            if (b.family().equals(a.family())
                    && (b.until() == null || start.isBefore(b.until()))
                    && !start.isBefore(Periods.window(b.spec().every(), false, b.anchor(), b.zone(), b.from())
                            .start())
                    && Periods.window(b.spec().every(), false, b.anchor(), b.zone(), start)
                            .start()
                            .equals(start)) {
                sum = sum.add(b.spec().amount().multiply(b.multiplier()));
            }
        }
        return sum;
    }
}
