package dev.tollgate.testkit.reference;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The credit rules of SPEC §5 written as plainly as possible, for one currency, to check the real engine against:
 * lists, loops and a sort, no shared code with the core.
 *
 * <p>Time moves forward with each operation ({@link #at}); at every instant a grant becomes effective while the
 * account is overdrawn, it pays the overdraft back, as does every new grant and every operation's own instant.
 *
 * <p>Not thread-safe.
 */
public final class ReferenceLedger {
    private static final class Grant {
        final String id;
        final BigDecimal amount;
        final boolean promotional;
        final int priority;
        final Instant effectiveAt;
        final @Nullable Instant expiresAt;
        final long order;
        BigDecimal remaining;
        boolean voided;

        Grant(
                String id,
                BigDecimal amount,
                boolean promotional,
                int priority,
                Instant eff,
                @Nullable Instant exp,
                long order) {
            this.id = id;
            this.amount = amount;
            this.promotional = promotional;
            this.priority = priority;
            this.effectiveAt = eff;
            this.expiresAt = exp;
            this.order = order;
            this.remaining = amount;
        }

        boolean live(Instant t) {
            return !voided && !t.isBefore(effectiveAt) && (expiresAt == null || t.isBefore(expiresAt));
        }
    }

    private final boolean hard;
    private final Map<String, Grant> grants = new LinkedHashMap<>();
    private final Map<String, Map<String, BigDecimal>> taken = new HashMap<>();
    private final Map<String, BigDecimal> takenFromOverdraft = new HashMap<>();
    private BigDecimal overdraft = BigDecimal.ZERO;
    private Instant now = Instant.EPOCH;

    /** @param hard {@code true} for a hard currency, {@code false} for a soft one */
    public ReferenceLedger(boolean hard) {
        this.hard = hard;
    }

    /** Moves time to {@code t}, paying back overdraft at every instant a grant became effective on the way. */
    public void at(Instant t) {
        TreeSet<Instant> starts = new TreeSet<>();
        for (Grant g : grants.values()) {
            if (g.effectiveAt.isAfter(now) && !g.effectiveAt.isAfter(t)) {
                starts.add(g.effectiveAt);
            }
        }
        for (Instant s : starts) {
            repay(s);
        }
        now = t;
        repay(t);
    }

    private List<Grant> burnable(Instant t) {
        List<Grant> out = new ArrayList<>();
        for (Grant g : grants.values()) {
            if (g.live(t) && g.remaining.signum() > 0) {
                out.add(g);
            }
        }
        out.sort(Comparator.<Grant>comparingInt(g -> g.priority)
                .thenComparing(g -> g.expiresAt == null ? Instant.MAX : g.expiresAt)
                .thenComparing(g -> g.promotional ? 0 : 1)
                .thenComparing(g -> g.effectiveAt)
                .thenComparingLong(g -> g.order));
        return out;
    }

    private void repay(Instant t) {
        for (Grant g : burnable(t)) {
            if (overdraft.signum() == 0) {
                return;
            }
            BigDecimal x = g.remaining.min(overdraft);
            g.remaining = g.remaining.subtract(x);
            overdraft = overdraft.subtract(x);
        }
    }

    /** Adds a grant at the current time, then pays back overdraft. */
    public void grant(
            String id,
            BigDecimal amount,
            boolean promotional,
            int priority,
            Instant effectiveAt,
            @Nullable Instant expiresAt) {
        grants.put(id, new Grant(id, amount, promotional, priority, effectiveAt, expiresAt, grants.size()));
        repay(now);
    }

    /**
     * Spends credits at the current time.
     *
     * @return whether it was admitted (a hard currency refuses what it cannot cover in full)
     */
    public boolean consume(String key, BigDecimal credits) {
        if (hard && available().compareTo(credits) < 0) {
            return false;
        }
        BigDecimal left = credits;
        Map<String, BigDecimal> takes = new LinkedHashMap<>();
        for (Grant g : burnable(now)) {
            if (left.signum() == 0) {
                break;
            }
            BigDecimal x = g.remaining.min(left);
            g.remaining = g.remaining.subtract(x);
            left = left.subtract(x);
            takes.put(g.id, x);
        }
        overdraft = overdraft.add(left);
        taken.put(key, takes);
        takenFromOverdraft.put(key, left);
        return true;
    }

    /** Withdraws a grant's remainder; nothing if it has expired by now or was voided. */
    public void voidGrant(String id) {
        Grant g = grants.get(id);
        if (g != null && (g.expiresAt == null || now.isBefore(g.expiresAt))) {
            g.remaining = BigDecimal.ZERO;
            g.voided = true;
        }
    }

    /** Tells whether a grant has expired by now (a void is then refused). */
    public boolean expired(String id) {
        Grant g = grants.get(id);
        return g != null && g.expiresAt != null && !now.isBefore(g.expiresAt);
    }

    /**
     * Gives a consumption's credits back, in reverse order, except to grants expired or voided by now; what it overdrew
     * comes off the overdraft; then the overdraft left is paid back.
     */
    public void refund(String key) {
        Map<String, BigDecimal> takes = taken.remove(key);
        if (takes == null) {
            return;
        }
        BigDecimal fromOverdraft = takenFromOverdraft.remove(key);
        if (fromOverdraft != null && fromOverdraft.signum() > 0) {
            overdraft = overdraft.subtract(fromOverdraft.min(overdraft));
        }
        List<String> ids = new ArrayList<>(takes.keySet());
        java.util.Collections.reverse(ids);
        for (String id : ids) {
            Grant g = Objects.requireNonNull(grants.get(id), id);
            if (g.live(now)) {
                g.remaining =
                        g.remaining.add(Objects.requireNonNull(takes.get(id)).min(g.amount.subtract(g.remaining)));
            }
        }
        repay(now);
    }

    /** What can be spent now. */
    public BigDecimal available() {
        BigDecimal sum = BigDecimal.ZERO;
        for (Grant g : grants.values()) {
            if (g.live(now)) {
                sum = sum.add(g.remaining);
            }
        }
        return sum.subtract(overdraft);
    }

    public BigDecimal overdraft() {
        return overdraft;
    }

    /** A grant's remainder as of now: 0 once expired or voided. */
    public BigDecimal remaining(String id) {
        Grant g = Objects.requireNonNull(grants.get(id), id);
        return expired(id) || g.voided ? BigDecimal.ZERO : g.remaining;
    }

    /** Every grant id, in creation order. */
    public List<String> grantIds() {
        return List.copyOf(grants.keySet());
    }
}
