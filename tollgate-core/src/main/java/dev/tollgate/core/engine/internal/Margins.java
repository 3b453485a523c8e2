package dev.tollgate.core.engine.internal;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.MarginQuery;
import dev.tollgate.core.api.MarginReport;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogReader;
import dev.tollgate.core.catalog.Cost;
import dev.tollgate.core.catalog.OveragePrice;
import dev.tollgate.core.catalog.PlanVersion;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.journal.JournalEntry;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The margin report: revenue against cost, folded from the journal's records in append order (every customer's, and
 * the catalog's). Pure: it reads the records it is given and nothing else.
 *
 * <p>Revenue: each credit a usage consumed, times the cost basis of the grant it came from (the ledger's {@code
 * CONSUME} movements name the grant; promotional grants have a cost basis of 0, so they bring no revenue). Credits
 * consumed on overdraft (no grant) bring revenue when a grant pays them back ({@code OVERDRAFT_REPAID}), at that
 * grant's cost basis, first consumed first paid; until then they are {@code unpaidCredits}. A refund deducts what
 * went back to each grant at its cost basis, in the range of the refund's own time. Overage (the part of a usage
 * beyond the limit, as recorded) adds {@code overage × the overage price} of the plan version the customer was on.
 *
 * <p>Cost: the {@code costs} of the catalog in force when the usage was <em>recorded</em> (the catalog that priced it),
 * by the usage's dimensions. Usage without a defined cost is {@code uncostedQuantity}: unknown, never zero; a row with
 * any of it (or with unpaid credits) has no {@code margin}.
 *
 * <p>Range: usage that happened in {@code [from, to)} (its {@code occurredAt}, as the usage reports count it), with
 * whatever paid for it, also later. Money: each amount is in the money currency of the catalog in force when it was
 * recorded (its costs' and overage prices' one currency; an overage in the plan version's price currency); rows are
 * split by it, so amounts in two currencies are never added.
 *
 * <p>Not thread-safe: one instance per report, fed from one thread.
 */
public final class Margins {
    private final MarginQuery query;
    private Catalog catalog = Catalog.empty();
    private final Map<String, Customer> customers = new HashMap<>();
    private final Map<Key, Acc> rows = new HashMap<>();

    /** One row's identity: its group values (in the order of {@code groupBy}) and money currency. */
    private record Key(
            List<@Nullable String> values, @Nullable String currency) {}

    /** A row's sums. */
    private static final class Acc {
        BigDecimal quantity = BigDecimal.ZERO;
        BigDecimal overage = BigDecimal.ZERO;
        long events;
        final Map<String, BigDecimal> credits = new TreeMap<>();
        BigDecimal creditRevenue = BigDecimal.ZERO;
        BigDecimal overageRevenue = BigDecimal.ZERO;
        BigDecimal cost = BigDecimal.ZERO;
        BigDecimal uncosted = BigDecimal.ZERO;
        final Map<String, BigDecimal> unpaid = new TreeMap<>();
    }

    /**
     * Credits consumed on overdraft, waiting for a grant to pay them back: how many are {@code left}, and the {@code
     * row} of the usage that consumed them ({@code null} if that usage is outside the range).
     */
    private static final class Unpaid {
        final @Nullable Key row;
        BigDecimal left;

        Unpaid(@Nullable Key row, BigDecimal left) {
            this.row = row;
            this.left = left;
        }
    }

    /** What the report keeps of one customer while folding. */
    private static final class Customer {
        @Nullable
        Subscription subscription;

        final Map<String, BigDecimal> costBasis = new HashMap<>();
        final Map<String, Deque<Unpaid>> overdraft = new HashMap<>();
        /** The last usage record's key and when it happened: its charge follows it. */
        @Nullable
        String lastKey;

        Instant lastOccurredAt = Instant.EPOCH;
    }

    /**
     * @param query the range and grouping
     * @throws TollgateException {@code INVALID_GROUP_BY} naming a grouping that is not {@code customer}, {@code
     *     feature} or {@code dimension.<name>}; {@code INVALID_QUERY} if {@code from} is not before {@code to}
     */
    public Margins(MarginQuery query) {
        validate(query);
        this.query = query;
    }

    static void validate(MarginQuery query) {
        for (String g : query.groupBy()) {
            boolean ok = g.equals("customer")
                    || g.equals("feature")
                    || (g.startsWith("dimension.") && g.length() > "dimension.".length());
            if (!ok) {
                throw TollgateException.invalid(
                        "INVALID_GROUP_BY",
                        "groupBy takes customer, feature or dimension.<name>, not '" + g + "'",
                        "groupBy");
            }
        }
        if (query.groupBy().size() != query.groupBy().stream().distinct().count()) {
            throw TollgateException.invalid("INVALID_GROUP_BY", "groupBy names a grouping twice", "groupBy");
        }
        if (!query.from().isBefore(query.to())) {
            throw TollgateException.invalid("INVALID_QUERY", "from must be before to", "to");
        }
    }

    /** Folds one record; records come in append order. */
    public void add(JournalEntry e) {
        if (e instanceof JournalEntry.CatalogPublished c) {
            catalog = catalog.publish(CatalogReader.read(c.document()), c.document(), c.at(), c.author());
            return;
        }
        String id = e.customerId();
        if (id == null || id.equals(EngineContext.SYSTEM)) {
            return;
        }
        Customer customer = customers.computeIfAbsent(id, k -> new Customer());
        if (e instanceof JournalEntry.UsageRecorded u) {
            usage(id, customer, u);
        } else if (e instanceof JournalEntry.SessionSettled s) {
            customer.lastKey = s.idempotencyKey();
            customer.lastOccurredAt = s.at();
        } else if (e instanceof JournalEntry.CreditsMoved m) {
            moved(id, customer, m);
        } else if (e instanceof JournalEntry.GrantCreated g) {
            customer.costBasis.put(g.grant().id(), g.grant().costBasis());
        } else if (e instanceof JournalEntry.SubscriptionSet s) {
            customer.subscription = s.subscription();
        } else if (e instanceof JournalEntry.SubscriptionCancelled s && customer.subscription != null) {
            customer.subscription = customer.subscription.cancelledAt(s.endsAt());
        }
    }

    private boolean inRange(Instant t) {
        return !t.isBefore(query.from()) && t.isBefore(query.to());
    }

    private Key key(
            String customerId, @Nullable String feature, Map<String, String> dimensions, @Nullable String currency) {
        List<@Nullable String> values = new ArrayList<>(query.groupBy().size());
        for (String g : query.groupBy()) {
            if (g.equals("customer")) {
                values.add(customerId);
            } else if (g.equals("feature")) {
                values.add(feature);
            } else {
                values.add(dimensions.get(g.substring("dimension.".length())));
            }
        }
        return new Key(values, currency);
    }

    private Acc row(Key key) {
        return rows.computeIfAbsent(key, k -> new Acc());
    }

    private void usage(String id, Customer customer, JournalEntry.UsageRecorded u) {
        customer.lastKey = u.idempotencyKey();
        customer.lastOccurredAt = u.occurredAt();
        if (!inRange(u.occurredAt())) {
            return;
        }
        Acc acc = row(key(id, u.feature(), u.dimensions(), catalog.definition().moneyCurrency()));
        acc.quantity = acc.quantity.add(u.quantity());
        acc.overage = acc.overage.add(u.overage());
        acc.events++;
        Cost cost = catalog.definition().costs().get(u.feature());
        BigDecimal money = cost == null ? null : cost.of(u.quantity(), u.dimensions());
        if (money == null) {
            acc.uncosted = acc.uncosted.add(u.quantity());
        } else {
            acc.cost = acc.cost.add(money); // costs are in the catalog's money currency (validated)
        }
        if (u.overage().signum() > 0) {
            overage(id, customer, u);
        }
    }

    /** The overage of a usage, at the overage price of the plan version the customer was on, if it prices one. */
    private void overage(String id, Customer customer, JournalEntry.UsageRecorded u) {
        Subscription s = customer.subscription;
        PlanVersion plan = s == null
                ? null
                : catalog.planVersion(s.plan().key(), s.plan().version()).orElse(null);
        if (plan == null || plan.price() == null) {
            return;
        }
        OveragePrice price = plan.price().overage().get(u.feature());
        if (price != null) {
            Acc acc = row(key(id, u.feature(), u.dimensions(), plan.price().currency()));
            acc.overageRevenue = acc.overageRevenue.add(price.of(u.overage()));
        }
    }

    private void moved(String id, Customer customer, JournalEntry.CreditsMoved m) {
        if (m.type() == EntryType.CONSUME) {
            Instant happened = m.reference() != null && m.reference().equals(customer.lastKey)
                    ? customer.lastOccurredAt
                    : m.time();
            Key key = inRange(happened)
                    ? key(id, m.feature(), m.dimensions(), catalog.definition().moneyCurrency())
                    : null;
            for (Movement mv : m.movements()) {
                BigDecimal credits = mv.amount().negate();
                if (mv.grantId() == null) {
                    customer.overdraft
                            .computeIfAbsent(m.currency(), c -> new ArrayDeque<>())
                            .addLast(new Unpaid(key, credits));
                }
                if (key != null) {
                    Acc acc = row(key);
                    acc.credits.merge(m.currency(), credits, BigDecimal::add);
                    if (mv.grantId() != null) {
                        acc.creditRevenue = acc.creditRevenue.add(credits.multiply(costBasis(customer, mv)));
                    }
                }
            }
        } else if (m.type() == EntryType.OVERDRAFT_REPAID) {
            for (Movement mv : m.movements()) {
                if (mv.grantId() != null) {
                    payBack(customer, m.currency(), mv.amount().negate(), costBasis(customer, mv));
                }
            }
        } else if (m.type() == EntryType.REFUND && inRange(m.time())) {
            refund(id, customer, m);
        } else if (m.type() == EntryType.REFUND) {
            m.movements().stream()
                    .filter(mv -> mv.grantId() == null)
                    .forEach(mv -> payBack(customer, m.currency(), mv.amount(), BigDecimal.ZERO));
        }
    }

    private void refund(String id, Customer customer, JournalEntry.CreditsMoved m) {
        Acc acc = row(key(id, m.feature(), m.dimensions(), catalog.definition().moneyCurrency()));
        for (Movement mv : m.movements()) {
            acc.credits.merge(m.currency(), mv.amount().negate(), BigDecimal::add);
            if (mv.grantId() != null) {
                acc.creditRevenue = acc.creditRevenue.subtract(mv.amount().multiply(costBasis(customer, mv)));
            } else {
                // a refund of overdrawn credits cancels them: nothing is paid for them
                payBack(customer, m.currency(), mv.amount(), BigDecimal.ZERO);
            }
        }
    }

    private static BigDecimal costBasis(Customer customer, Movement mv) {
        return customer.costBasis.getOrDefault(mv.grantId(), BigDecimal.ZERO);
    }

    /** Settles {@code amount} credits of the overdraft, oldest first, each at {@code costBasis}. */
    private void payBack(Customer customer, String currency, BigDecimal amount, BigDecimal costBasis) {
        Deque<Unpaid> queue = customer.overdraft.get(currency);
        BigDecimal left = amount;
        while (queue != null && !queue.isEmpty() && left.signum() > 0) {
            Unpaid first = queue.peekFirst();
            BigDecimal paid = Decimals.min(first.left, left);
            first.left = first.left.subtract(paid);
            left = left.subtract(paid);
            if (first.row != null) {
                Acc acc = row(first.row);
                acc.creditRevenue = acc.creditRevenue.add(paid.multiply(costBasis));
            }
            if (first.left.signum() == 0) {
                queue.removeFirst();
            }
        }
    }

    /** The report of everything folded so far. */
    public MarginReport report() {
        customers
                .values()
                .forEach(c -> c.overdraft.forEach((currency, queue) -> queue.forEach(u -> {
                    if (u.row != null) {
                        row(u.row).unpaid.merge(currency, u.left, BigDecimal::add);
                    }
                })));
        Comparator<@Nullable String> nullsFirst = Comparator.nullsFirst(Comparator.<String>naturalOrder());
        Comparator<Key> order = (a, b) -> {
            for (int i = 0; i < a.values().size(); i++) {
                int c = nullsFirst.compare(a.values().get(i), b.values().get(i));
                if (c != 0) {
                    return c;
                }
            }
            return nullsFirst.compare(a.currency(), b.currency());
        };
        List<MarginReport.Row> out = new ArrayList<>();
        Map<@Nullable String, Acc> totals = new TreeMap<>(nullsFirst);
        rows.entrySet().stream().sorted(Map.Entry.comparingByKey(order)).forEach(e -> {
            out.add(row(e.getKey().values(), e.getKey().currency(), e.getValue()));
            addTo(totals.computeIfAbsent(e.getKey().currency(), c -> new Acc()), e.getValue());
        });
        List<MarginReport.Row> sums = new ArrayList<>();
        totals.forEach((currency, acc) -> sums.add(row(List.of(), currency, acc)));
        return new MarginReport(query.from(), query.to(), query.groupBy(), out, sums);
    }

    private static void addTo(Acc total, Acc acc) {
        total.quantity = total.quantity.add(acc.quantity);
        total.overage = total.overage.add(acc.overage);
        total.events += acc.events;
        acc.credits.forEach((c, v) -> total.credits.merge(c, v, BigDecimal::add));
        acc.unpaid.forEach((c, v) -> total.unpaid.merge(c, v, BigDecimal::add));
        total.creditRevenue = total.creditRevenue.add(acc.creditRevenue);
        total.overageRevenue = total.overageRevenue.add(acc.overageRevenue);
        total.cost = total.cost.add(acc.cost);
        total.uncosted = total.uncosted.add(acc.uncosted);
    }

    private MarginReport.Row row(List<@Nullable String> values, @Nullable String currency, Acc acc) {
        Map<String, @Nullable String> group = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            group.put(query.groupBy().get(i), values.get(i));
        }
        BigDecimal revenue = acc.creditRevenue.add(acc.overageRevenue);
        Map<String, BigDecimal> unpaid = normalized(acc.unpaid);
        boolean known = acc.uncosted.signum() == 0 && unpaid.values().stream().allMatch(v -> v.signum() == 0);
        return new MarginReport.Row(
                group,
                currency,
                Decimals.normalize(acc.quantity),
                Decimals.normalize(acc.overage),
                acc.events,
                normalized(acc.credits),
                unpaid,
                Decimals.normalize(acc.creditRevenue),
                Decimals.normalize(acc.overageRevenue),
                Decimals.normalize(revenue),
                Decimals.normalize(acc.cost),
                Decimals.normalize(acc.uncosted),
                known ? Decimals.normalize(revenue.subtract(acc.cost)) : null);
    }

    private static Map<String, BigDecimal> normalized(Map<String, BigDecimal> amounts) {
        Map<String, BigDecimal> out = new TreeMap<>();
        amounts.forEach((k, v) -> out.put(k, Decimals.normalize(v)));
        return out;
    }
}
