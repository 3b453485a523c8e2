package dev.tollgate.store.jdbc;

import dev.tollgate.core.journal.JournalCodec;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.RecordRefusedException;
import dev.tollgate.core.store.StoreException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The reads of the {@code journal} and {@code counters} tables that every SQL store runs word for word (both stores'
 * schemas name and index them alike: {@code seq} in append order, a unique index on {@code (customer_id,
 * idempotency_key)}), each decoding the stored payload with {@link JournalCodec}. A store hands it how to run a query
 * (its own connections: a fresh SQLite connection, a pooled read-only PostgreSQL transaction) and its {@link Dialect}.
 *
 * <p>Thread-safe if the store's {@link Queries} is.
 */
public final class JournalReads {
    /** Keys bound in one query of {@link #entriesByKey}: under SQLite's oldest limit of 999 parameters. */
    static final int KEYS_PER_QUERY = 500;

    /** Runs a read-only query on the store's connections and hands each row to a reader. */
    @FunctionalInterface
    public interface Queries {
        /**
         * Runs {@code sql} and hands each row to {@code rows}.
         *
         * @param parameters bound in order with {@link java.sql.PreparedStatement#setObject}
         * @throws StoreException if the store cannot be read
         */
        void query(String sql, RowReader rows, Object... parameters);
    }

    /** Reads one row of a result. */
    @FunctionalInterface
    public interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private final Queries queries;
    private final Dialect dialect;

    /**
     * @param queries runs a query on the store's connections
     * @param dialect what the store's database does differently
     */
    public JournalReads(Queries queries, Dialect dialect) {
        this.queries = queries;
        this.dialect = dialect;
    }

    /** Every record in append order, as {@link dev.tollgate.core.store.Store#replay} says. */
    public void replay(Consumer<JournalEntry> visitor) {
        read("SELECT type, payload FROM journal ORDER BY seq", visitor);
    }

    /** A customer's records in append order, as {@link dev.tollgate.core.store.Store#entries} says. */
    public List<JournalEntry> entries(String customerId) {
        List<JournalEntry> entries = new ArrayList<>();
        read("SELECT type, payload FROM journal WHERE customer_id = ? ORDER BY seq", entries::add, customerId);
        return entries;
    }

    /** The catalog's records in append order, from the index on customer, as {@code Store.catalogEntries} says. */
    public List<JournalEntry> catalogEntries() {
        List<JournalEntry> entries = new ArrayList<>();
        read("SELECT type, payload FROM journal WHERE customer_id IS NULL ORDER BY seq", entries::add);
        return entries;
    }

    /** The record with a customer's key, from the unique index, as {@link dev.tollgate.core.store.Store#entry} says. */
    public @Nullable JournalEntry entry(String customerId, String idempotencyKey) {
        List<JournalEntry> found = new ArrayList<>(1);
        read(
                "SELECT type, payload FROM journal WHERE customer_id = ? AND idempotency_key = ?",
                found::add,
                customerId,
                idempotencyKey);
        return found.isEmpty() ? null : found.get(0);
    }

    /** The records with any of a customer's keys, as {@link dev.tollgate.core.store.Store#entriesByKey} says. */
    public Map<String, JournalEntry> entriesByKey(String customerId, Collection<String> idempotencyKeys) {
        List<String> keys = List.copyOf(new LinkedHashSet<>(idempotencyKeys));
        Map<String, JournalEntry> found = new HashMap<>();
        for (int from = 0; from < keys.size(); from += KEYS_PER_QUERY) {
            List<String> some = keys.subList(from, Math.min(keys.size(), from + KEYS_PER_QUERY));
            Object[] parameters = new Object[some.size() + 1];
            parameters[0] = customerId;
            for (int i = 0; i < some.size(); i++) {
                parameters[i + 1] = some.get(i);
            }
            queries.query(
                    "SELECT idempotency_key, type, payload FROM journal WHERE customer_id = ? AND idempotency_key IN ("
                            + "?,".repeat(some.size() - 1) + "?)",
                    rs -> found.put(rs.getString(1), JournalCodec.decode(rs.getString(2), rs.getString(3))),
                    parameters);
        }
        return found;
    }

    /** The customer's records just before and after the one with a key, as {@code Store.besideKey} says. */
    public List<JournalEntry> besideKey(String customerId, String idempotencyKey) {
        List<JournalEntry> near = new ArrayList<>(2);
        read(
                "SELECT type, payload FROM (SELECT type, payload FROM journal WHERE customer_id = ? AND seq < (SELECT seq"
                        + " FROM journal WHERE customer_id = ? AND idempotency_key = ?) ORDER BY seq DESC LIMIT 1) before"
                        + " UNION ALL SELECT type, payload FROM (SELECT type, payload FROM journal WHERE customer_id = ?"
                        + " AND seq > (SELECT seq FROM journal WHERE customer_id = ? AND idempotency_key = ?) ORDER BY seq"
                        + " LIMIT 1) after",
                near::add,
                customerId,
                customerId,
                idempotencyKey,
                customerId,
                customerId,
                idempotencyKey);
        return near;
    }

    /** Every stored counter value, as {@link dev.tollgate.core.store.Store#counters} says. */
    public void counters(Consumer<CounterValue> visitor) {
        queries.query(
                "SELECT customer_id, feature, window_start, used, overage FROM counters",
                rs -> visitor.accept(new CounterValue(
                        rs.getString(1),
                        rs.getString(2),
                        Instant.parse(rs.getString(3)),
                        dialect.decimal(rs, 4),
                        dialect.decimal(rs, 5))));
    }

    /** Decodes each row's {@code type, payload} into a record. */
    private void read(String sql, Consumer<JournalEntry> visitor, Object... parameters) {
        queries.query(sql, rs -> visitor.accept(JournalCodec.decode(rs.getString(1), rs.getString(2))), parameters);
    }

    /**
     * What to throw for a batch that is not stored: {@link RecordRefusedException} if the {@link Dialect} says the
     * database refused a record, else {@link StoreException}.
     */
    public StoreException notStored(List<JournalRecord> batch, Exception cause) {
        if (dialect.refused(cause)) {
            return new RecordRefusedException(
                    "the store refused a record of a batch of " + batch.size() + ": " + cause.getMessage(), cause);
        }
        return new StoreException("cannot commit a batch of " + batch.size() + " records", cause);
    }
}
