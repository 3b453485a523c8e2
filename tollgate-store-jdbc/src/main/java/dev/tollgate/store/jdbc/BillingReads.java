package dev.tollgate.store.jdbc;

import dev.tollgate.core.journal.JournalCodec;
import dev.tollgate.core.journal.JournalEntry;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The reads of a billing period's export that every SQL store runs word for word: a customer's records by time
 * ({@code Store.billingEntries}) and the customers, page by page ({@code Store.customerIds}).
 *
 * <p>Indexes (migration 7 of both stores): {@code journal_customer_at (customer_id, at)} reads the records of a period
 * without the customer's earlier ones; the partial {@code journal_subscriptions} reads its subscription records alone.
 * The customers come from a loose index scan of {@code journal_customer}: one probe of the index per customer, for the
 * next id above the last.
 *
 * <p>Thread-safe if the store's queries are.
 */
public final class BillingReads {
    private final JournalReads.Queries queries;
    private final Dialect dialect;

    BillingReads(JournalReads.Queries queries, Dialect dialect) {
        this.queries = queries;
        this.dialect = dialect;
    }

    /** As {@code Store.billingEntries} says. */
    public List<JournalEntry> billingEntries(String customerId, Instant from, Instant to) {
        Object low = dialect.secondBound(from.truncatedTo(ChronoUnit.SECONDS));
        Instant toSecond = to.truncatedTo(ChronoUnit.SECONDS);
        Object high = dialect.secondBound(toSecond.equals(to) ? to : toSecond.plusSeconds(1));
        List<JournalEntry> out = new ArrayList<>();
        queries.query(
                "SELECT seq, type, payload FROM journal WHERE customer_id" + dialect.byteOrder()
                        + " = ? AND type IN ('subscription',"
                        + " 'cancellation') AND at < ? UNION ALL SELECT seq, type, payload FROM journal WHERE customer_id"
                        + dialect.byteOrder()
                        + " = ? AND at >= ? AND at < ? AND type IN ('usage', 'credits', 'grant') ORDER"
                        + " BY 1",
                rs -> {
                    JournalEntry e = JournalCodec.decode(rs.getString(2), rs.getString(3));
                    boolean history = e instanceof JournalEntry.SubscriptionSet
                            || e instanceof JournalEntry.SubscriptionCancelled;
                    if (e.at().isBefore(to) && (history || !e.at().isBefore(from))) {
                        out.add(e);
                    }
                },
                customerId,
                high,
                customerId,
                low,
                high);
        return out;
    }

    /** As {@code Store.customerIds} says. */
    public List<String> customerIds(@Nullable String after, int limit) {
        String id = "customer_id" + dialect.byteOrder();
        List<String> out = new ArrayList<>();
        queries.query(
                "WITH RECURSIVE ids(id, n) AS (SELECT (SELECT min(" + id + ") FROM journal WHERE " + id + " > ?), 1"
                        + " UNION ALL SELECT (SELECT min(" + id + ") FROM journal WHERE " + id + " > ids.id), n + 1"
                        + " FROM ids WHERE ids.id IS NOT NULL AND n < ?) SELECT id FROM ids WHERE id IS NOT NULL",
                rs -> out.add(rs.getString(1)),
                after == null ? "" : after,
                limit);
        return out;
    }

    /** As {@code Store.profile} says: the last record of type customer, reading the customer's records backwards. */
    public JournalEntry.@Nullable CustomerUpserted profile(String customerId) {
        List<JournalEntry> found = new ArrayList<>(1);
        queries.query(
                "SELECT type, payload FROM journal WHERE customer_id = ? AND type = 'customer' ORDER BY seq DESC"
                        + " LIMIT 1",
                rs -> found.add(JournalCodec.decode(rs.getString(1), rs.getString(2))),
                customerId);
        return found.isEmpty() ? null : (JournalEntry.CustomerUpserted) found.get(0);
    }
}
