package dev.tollgate.core.credit.internal;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.credit.Movement;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One customer's credits in one currency: its grants with what remains of each, the overdraft, and the ledger
 * balance. Changed only by {@link #add} and {@link #move}, which the journal fold calls for each record, so a replay
 * from empty rebuilds it exactly.
 *
 * <p>Two balances: the <em>ledger balance</em> is the sum of all ledger entries (grants not yet effective included,
 * expired grants until their {@code EXPIRE} entry); {@link #available} is what can be spent at an instant: the
 * remainders of live grants minus the overdraft.
 *
 * <p>Invariants, checked on every change ({@link IllegalStateException} otherwise): {@code 0 <= remaining <= amount}
 * for every grant; {@code overdraft >= 0}.
 *
 * <p>Not thread-safe; the engine guards it with the customer's section.
 */
public final class CreditAccount {
    /** A grant and what remains of it. */
    public static final class Slot {
        private final Grant grant;
        private final long order;
        private BigDecimal remaining;
        private boolean voided;
        private boolean expired;

        Slot(Grant grant, long order) {
            this.grant = grant;
            this.order = order;
            this.remaining = grant.amount();
        }

        private Slot(Slot other) {
            this.grant = other.grant;
            this.order = other.order;
            this.remaining = other.remaining;
            this.voided = other.voided;
            this.expired = other.expired;
        }

        public Grant grant() {
            return grant;
        }

        /** Creation order within the account, for the last tie-break of the burn order. */
        public long order() {
            return order;
        }

        public BigDecimal remaining() {
            return remaining;
        }

        public boolean voided() {
            return voided;
        }

        public boolean expired() {
            return expired;
        }

        /** Tells whether credits can be taken from it at {@code t}. */
        public boolean burnableAt(Instant t) {
            return !voided && !expired && remaining.signum() > 0 && grant.liveAt(t);
        }
    }

    private final String currency;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private BigDecimal overdraft = BigDecimal.ZERO;
    private BigDecimal balance = BigDecimal.ZERO;
    private long created;
    private Instant asOf = Instant.EPOCH;

    /** An empty account. */
    public CreditAccount(String currency) {
        this.currency = currency;
    }

    /** A deep copy, for computing what a change would do without doing it. */
    public CreditAccount copy() {
        CreditAccount c = new CreditAccount(currency);
        slots.forEach((id, s) -> c.slots.put(id, new Slot(s)));
        c.overdraft = overdraft;
        c.balance = balance;
        c.created = created;
        c.asOf = asOf;
        return c;
    }

    public String currency() {
        return currency;
    }

    /** The time of the latest record applied: time-driven changes after it have not been recorded yet. */
    public Instant asOf() {
        return asOf;
    }

    /** Notes that a record of time {@code t} was applied. */
    public void advance(Instant t) {
        if (t.isAfter(asOf)) {
            asOf = t;
        }
    }

    /** The sum of every ledger entry so far. */
    public BigDecimal balance() {
        return balance;
    }

    /** Credits spent beyond what was available (soft currencies), not yet paid back; {@code >= 0}. */
    public BigDecimal overdraft() {
        return overdraft;
    }

    /** Every grant, in creation order. */
    public Collection<Slot> slots() {
        return slots.values();
    }

    /** The grant with this id, or {@code null}. */
    public @Nullable Slot slot(String grantId) {
        return slots.get(grantId);
    }

    /** What can be spent at {@code t}: remainders of live grants minus the overdraft (negative when overdrawn). */
    public BigDecimal available(Instant t) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Slot s : slots.values()) {
            if (s.burnableAt(t)) {
                sum = sum.add(s.remaining);
            }
        }
        return Decimals.normalize(sum.subtract(overdraft));
    }

    /** The grants credits can be taken from at {@code t}, in {@link BurnOrder}. */
    public List<Slot> burnable(Instant t) {
        List<Slot> out = new ArrayList<>();
        for (Slot s : slots.values()) {
            if (s.burnableAt(t)) {
                out.add(s);
            }
        }
        out.sort(BurnOrder.ORDER);
        return out;
    }

    /**
     * Adds a grant (a {@code GRANT} entry of its full amount).
     *
     * @throws IllegalStateException if a grant with the same id exists
     */
    public void add(Grant grant) {
        if (slots.containsKey(grant.id())) {
            throw new IllegalStateException("grant " + grant.id() + " exists");
        }
        slots.put(grant.id(), new Slot(grant, created++));
        balance = Decimals.normalize(balance.add(grant.amount()));
    }

    /**
     * Applies ledger entries: one per movement.
     *
     * @param type the entries' type; {@code EXPIRE} and {@code VOID} also mark their grants
     * @throws IllegalStateException if a movement names an unknown grant or would break an invariant
     */
    public void move(EntryType type, List<Movement> movements) {
        for (Movement m : movements) {
            if (m.grantId() == null) {
                BigDecimal next = overdraft.subtract(m.amount());
                if (next.signum() < 0) {
                    throw new IllegalStateException("overdraft would go below zero in " + currency);
                }
                overdraft = Decimals.normalize(next);
            } else {
                Slot s = slots.get(m.grantId());
                if (s == null) {
                    throw new IllegalStateException("no grant " + m.grantId() + " in " + currency);
                }
                BigDecimal next = s.remaining.add(m.amount());
                if (next.signum() < 0 || next.compareTo(s.grant.amount()) > 0) {
                    throw new IllegalStateException(
                            "grant " + m.grantId() + " remaining would be " + next + " of " + s.grant.amount());
                }
                s.remaining = Decimals.normalize(next);
                if (type == EntryType.EXPIRE) {
                    s.expired = true;
                } else if (type == EntryType.VOID) {
                    s.voided = true;
                }
            }
            balance = Decimals.normalize(balance.add(m.amount()));
        }
    }
}
