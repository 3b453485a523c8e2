package dev.tollgate.core.billing;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.billing.PeriodLines.CreditLine;
import dev.tollgate.core.billing.PeriodLines.FeatureLine;
import dev.tollgate.core.billing.PeriodLines.PlanLine;
import dev.tollgate.core.billing.PeriodLines.RechargeLine;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.customer.PlanRef;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.journal.JournalEntry;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Computes a customer's {@link PeriodLines} for one {@link BillingPeriod} from its records. Pure and deterministic:
 * the same records give equal lines, in the same order, whatever reads them and whenever.
 *
 * <p>What it reads ({@link #NEEDED}): the customer's subscription records applied before the period's end (to know the
 * plan in force at its start and every change within it), and its usage, credit and grant records applied within the
 * period. A store hands exactly these ({@code Store.billingEntries}); other records are ignored.
 *
 * <p>Plans: the subscription's plan version at each instant of the period (a subscription counts from its {@code
 * startAt} until its {@code cancelAt}); consecutive instants on the same plan and version are one {@link PlanLine}.
 *
 * <p>Features: usage records grouped by feature, the window they counted in, and the plan version in force when they
 * were recorded (by append order: what the engine had applied before them). So a plan change in the middle of a window
 * splits that window's usage in two lines, each with the limit it was recorded against, and a window that straddles
 * two periods (a reset period other than the calendar month, or a late event) is billed in each period for the usage
 * recorded in it. The overage of each usage record was decided when it was recorded, against the window's usage until
 * then; summing it bills every unit of overage once, in the period it was recorded in.
 *
 * <p>Ordering: plans by time; features by feature key, window start, then the order of their first usage; credits by
 * currency; recharges in append order.
 */
public final class PeriodExport {
    /** The record types the computation reads, as the journal names them. */
    public static final List<String> NEEDED = List.of("subscription", "cancellation", "usage", "credits", "grant");

    private PeriodExport() {}

    /**
     * The lines of one customer for one period.
     *
     * @param entries the customer's records in append order: at least its subscription records before {@code
     *     period.to()} and its usage, credit and grant records applied in the period; others are ignored
     * @return the lines; {@link PeriodLines#isEmpty()} when there is nothing to bill
     */
    public static PeriodLines lines(String customerId, BillingPeriod period, List<JournalEntry> entries) {
        Instant from = period.from();
        Instant to = period.to();
        List<Change> changes = new ArrayList<>();
        Map<FeatureKey, FeatureSum> features = new LinkedHashMap<>();
        Map<String, BigDecimal[]> credits = new TreeMap<>();
        List<RechargeLine> recharges = new ArrayList<>();
        @Nullable Subscription current = null;
        for (JournalEntry e : entries) {
            if (!customerId.equals(e.customerId()) || !e.at().isBefore(to)) {
                continue;
            }
            if (e instanceof JournalEntry.SubscriptionSet s) {
                current = s.subscription();
                changes.add(new Change(e.at(), current));
            } else if (e instanceof JournalEntry.SubscriptionCancelled c) {
                if (current != null) {
                    current = current.cancelledAt(c.endsAt());
                    changes.add(new Change(e.at(), current));
                }
            } else if (!e.at().isBefore(from)) {
                period(e, current, features, credits, recharges);
            }
        }
        return new PeriodLines(
                customerId, plans(changes, from, to), featureLines(features), creditLines(credits), recharges);
    }

    /** Adds a usage, credit or grant record applied in the period to its line. */
    private static void period(
            JournalEntry e,
            @Nullable Subscription current,
            Map<FeatureKey, FeatureSum> features,
            Map<String, BigDecimal[]> credits,
            List<RechargeLine> recharges) {
        if (e instanceof JournalEntry.UsageRecorded u) {
            PlanRef plan = current != null && current.activeAt(u.at()) ? current.plan() : null;
            features.computeIfAbsent(new FeatureKey(u.feature(), u.windowStart(), plan), k -> new FeatureSum())
                    .add(u);
        } else if (e instanceof JournalEntry.CreditsMoved m) {
            addCredits(credits, m);
        } else if (e instanceof JournalEntry.GrantCreated g
                && g.grant().source().equals("recharge")) {
            recharges.add(recharge(g));
        }
    }

    /** A subscription as it stood from {@code at} on. */
    private record Change(Instant at, Subscription subscription) {}

    private record FeatureKey(
            String feature, Instant windowStart, @Nullable PlanRef plan) {}

    /** The running sums of one feature line. */
    private static final class FeatureSum {
        BigDecimal used = BigDecimal.ZERO;
        BigDecimal overage = BigDecimal.ZERO;
        long events;

        @Nullable
        BigDecimal included;

        @Nullable
        Instant windowEnd;

        void add(JournalEntry.UsageRecorded u) {
            used = used.add(u.quantity());
            overage = overage.add(u.overage());
            events++;
            included = u.answer().limit();
            windowEnd = u.answer().resetsAt();
        }
    }

    /** The plan version in force over {@code [from, to)}, as consecutive spans; spans with no plan are left out. */
    private static List<PlanLine> plans(List<Change> changes, Instant from, Instant to) {
        TreeSet<Instant> bounds = new TreeSet<>();
        bounds.add(from);
        for (Change c : changes) {
            addWithin(bounds, c.at(), from, to);
            addWithin(bounds, c.subscription().startAt(), from, to);
            Instant cancelAt = c.subscription().cancelAt();
            if (cancelAt != null) {
                addWithin(bounds, cancelAt, from, to);
            }
        }
        List<PlanLine> out = new ArrayList<>();
        List<Instant> starts = new ArrayList<>(bounds);
        @Nullable PlanRef open = null;
        Instant openedAt = from;
        for (int i = 0; i <= starts.size(); i++) {
            Instant t = i < starts.size() ? starts.get(i) : to;
            PlanRef plan = i < starts.size() ? planAt(changes, t) : null;
            if (!Objects.equals(plan, open)) {
                if (open != null) {
                    out.add(new PlanLine(open.key(), open.version(), openedAt, t));
                }
                open = plan;
                openedAt = t;
            }
        }
        return out;
    }

    private static void addWithin(java.util.NavigableSet<Instant> bounds, Instant t, Instant from, Instant to) {
        if (t.isAfter(from) && t.isBefore(to)) {
            bounds.add(t);
        }
    }

    /** The plan in force at {@code t}: the subscription of the last change applied at or before it, if it counts. */
    private static @Nullable PlanRef planAt(List<Change> changes, Instant t) {
        Subscription in = null;
        for (Change c : changes) {
            if (c.at().isAfter(t)) {
                break;
            }
            in = c.subscription();
        }
        return in != null && in.activeAt(t) ? in.plan() : null;
    }

    private static List<FeatureLine> featureLines(Map<FeatureKey, FeatureSum> features) {
        List<Map.Entry<FeatureKey, FeatureSum>> ordered = new ArrayList<>(features.entrySet());
        // stable sort: lines of one feature and window keep the order of their first usage
        ordered.sort(Comparator.comparing(
                        (Map.Entry<FeatureKey, FeatureSum> e) -> e.getKey().feature())
                .thenComparing(e -> e.getKey().windowStart()));
        List<FeatureLine> out = new ArrayList<>();
        for (Map.Entry<FeatureKey, FeatureSum> e : ordered) {
            FeatureKey k = e.getKey();
            FeatureSum s = e.getValue();
            out.add(new FeatureLine(
                    k.feature(),
                    k.plan() == null ? null : k.plan().key(),
                    k.plan() == null ? null : k.plan().version(),
                    k.windowStart(),
                    s.windowEnd,
                    s.included == null ? null : Decimals.normalize(s.included),
                    Decimals.normalize(s.used),
                    Decimals.normalize(s.overage),
                    s.events));
        }
        return out;
    }

    private static void addCredits(Map<String, BigDecimal[]> credits, JournalEntry.CreditsMoved m) {
        if (m.type() != EntryType.CONSUME && m.type() != EntryType.REFUND) {
            return;
        }
        BigDecimal sum = BigDecimal.ZERO;
        for (Movement mv : m.movements()) {
            sum = sum.add(mv.amount());
        }
        BigDecimal[] line =
                credits.computeIfAbsent(m.currency(), c -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
        if (m.type() == EntryType.CONSUME) {
            line[0] = line[0].subtract(sum);
        } else {
            line[1] = line[1].add(sum);
        }
    }

    private static List<CreditLine> creditLines(Map<String, BigDecimal[]> credits) {
        List<CreditLine> out = new ArrayList<>();
        credits.forEach((currency, sums) ->
                out.add(new CreditLine(currency, Decimals.normalize(sums[0]), Decimals.normalize(sums[1]))));
        return out;
    }

    private static RechargeLine recharge(JournalEntry.GrantCreated g) {
        Grant grant = g.grant();
        return new RechargeLine(
                grant.id(),
                g.at(),
                grant.currency(),
                Decimals.normalize(grant.amount()),
                Decimals.normalize(grant.costBasis()),
                Decimals.normalize(grant.amount().multiply(grant.costBasis())),
                grant.reference());
    }
}
