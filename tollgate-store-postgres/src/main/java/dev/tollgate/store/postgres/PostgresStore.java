package dev.tollgate.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import dev.tollgate.core.json.IsoInstant;
import dev.tollgate.core.json.Json;
import dev.tollgate.core.store.CommitInDoubtException;
import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.RecordRefusedException;
import dev.tollgate.core.store.StoreException;
import dev.tollgate.core.store.UsageRow;
import dev.tollgate.store.jdbc.Dialect;
import dev.tollgate.store.jdbc.JdbcCredentials;
import dev.tollgate.store.jdbc.JdbcOutbox;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.JournalReads;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;

/**
 * The journal and its counters in PostgreSQL.
 *
 * <p>Group commit: each {@link #append} is one transaction with two statements whatever the batch size: one
 * {@code INSERT ... SELECT FROM unnest(arrays) WITH ORDINALITY ORDER BY ordinality} for the records (their identity
 * ids follow the batch order) and one such upsert for the counters. Every connection runs with {@code
 * synchronous_commit = on}, so a commit returns only once WAL is flushed.
 *
 * <p>Fencing: once {@link PostgresStores#ownership} turned it on, each transaction first locks the owner rows of the
 * batch's customers and checks them ({@link Fencing}): one more statement per batch, and a batch with a customer this
 * node no longer owns is refused whole with {@link dev.tollgate.core.store.FencedException} before anything is
 * inserted.
 *
 * <p>Concurrency: a HikariCP pool; the journal's single writer thread takes one connection per batch, reads (start-up
 * replay, rebuilds, verification, readiness) take others and stream with a cursor, so they never wait for a commit.
 *
 * <p>Failure modes: short timeouts everywhere (connect 2 s, pool wait 2 s, socket {@value #SOCKET_TIMEOUT_SECONDS}
 * s unless the URL says {@code socketTimeout=}), so that a dead or unreachable database (a network that drops every
 * packet answers nothing, it does not refuse) makes {@link #append} fail in seconds, not hang; the engine's circuit
 * breaker then fails writes at once until {@link #ping} answers again. Migrations run on their own connection without
 * the socket timeout, since one may rewrite a table. An error before {@code COMMIT} was sent rolls the transaction
 * back: nothing is stored ({@link StoreException}; {@link RecordRefusedException} for a constraint violation or a value
 * PostgreSQL cannot hold, SQLSTATE classes 23 and 22). An error on {@code COMMIT} itself leaves the batch in doubt:
 * the store then asks another connection whether the batch's sequence numbers are in the table (sequences never
 * hand a number out twice, so the answer is exact), returns normally if they are, answers "not stored" if none is, and
 * throws {@link CommitInDoubtException} if it cannot ask; the engine re-reads those customers once the database
 * answers.
 */
final class PostgresStore extends JdbcStore {
    /** Inserts the records and answers the range of sequence numbers they took, to tell later whether they stayed. */
    private static final String INSERT_RECORDS = "WITH stored AS (INSERT INTO journal (customer_id, type, at,"
            + " idempotency_key, payload) SELECT c, t, a, k, p FROM unnest(?::text[], ?::text[], ?::timestamptz[],"
            + " ?::text[], ?::text[]) WITH ORDINALITY AS r(c, t, a, k, p, n) ORDER BY n RETURNING seq)"
            + " SELECT min(seq), max(seq) FROM stored";

    private static final String UPSERT_COUNTERS =
            "INSERT INTO counters (customer_id, feature, window_start, used, overage)"
                    + " SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::numeric[], ?::numeric[])"
                    + " ON CONFLICT (customer_id, feature, window_start)"
                    + " DO UPDATE SET used = excluded.used, overage = excluded.overage";

    private static final String INSERT_USAGE = "INSERT INTO usage (customer_id, occurred_nanos, feature, quantity,"
            + " currency, credits, scope, dimensions, overage, window_start, limit_quantity, window_end)"
            + " SELECT c, o, f, q, cu, cr, s, d, ov, ws, l, we FROM unnest(?::text[], ?::bigint[], ?::text[],"
            + " ?::numeric[], ?::text[], ?::numeric[], ?::text[], ?::text[], ?::numeric[], ?::text[], ?::numeric[],"
            + " ?::text[]) WITH ORDINALITY AS r(c, o, f, q, cu, cr, s, d, ov, ws, l, we, n) ORDER BY n";

    /** The socket timeout of every pooled connection: the longest a stalled network holds a statement. */
    static final int SOCKET_TIMEOUT_SECONDS = 10;

    /** Decimals are {@code numeric}; SQLSTATE classes 23 (a constraint) and 22 (a value it cannot hold) are refusal. */
    private static final Dialect DIALECT = new Dialect() {
        @Override
        public BigDecimal decimal(ResultSet rs, int column) throws SQLException {
            return rs.getBigDecimal(column);
        }

        @Override
        public boolean refused(Exception error) {
            String state = error instanceof SQLException sql ? sql.getSQLState() : null;
            return state != null && (state.startsWith("23") || state.startsWith("22"));
        }

        @Override
        public Object secondBound(Instant wholeSecond) {
            return java.time.OffsetDateTime.ofInstant(wholeSecond, java.time.ZoneOffset.UTC);
        }

        /** Whatever the database's collation, ids compare by their bytes: the order SQLite and the API use. */
        @Override
        public String byteOrder() {
            return " COLLATE \"C\"";
        }

        @Override
        public String skipLocked() {
            return " FOR UPDATE SKIP LOCKED";
        }
    };

    private final HikariDataSource pool;
    private final String jdbcUrl;
    private volatile @Nullable Fencing fencing;
    private volatile boolean closed;

    private PostgresStore(HikariDataSource pool, String jdbcUrl) {
        super(DIALECT);
        this.pool = pool;
        this.jdbcUrl = jdbcUrl;
    }

    static PostgresStore open(String jdbcUrl) {
        HikariDataSource pool = pool(poolConfig(jdbcUrl, "tollgate-postgres", 4));
        try {
            Flyway.configure()
                    .dataSource(jdbcUrl, null, null)
                    .locations("classpath:db/migration/postgresql")
                    .javaMigrations(new UsageOverage())
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw new StoreException("cannot migrate the schema at " + redact(jdbcUrl), e);
        }
        return new PostgresStore(pool, jdbcUrl);
    }

    /**
     * The settings of a pool of connections to {@code jdbcUrl}: the store's short timeouts and {@code
     * synchronous_commit = on}.
     *
     * @param name the pool's name, in its threads and logs
     * @param size the most connections it opens
     */
    static HikariConfig poolConfig(String jdbcUrl, String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName(name);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(2_000);
        config.setValidationTimeout(1_000);
        config.setConnectionInitSql("SET synchronous_commit = on");
        config.addDataSourceProperty("connectTimeout", "2");
        config.addDataSourceProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT_SECONDS));
        config.addDataSourceProperty("tcpKeepAlive", "true");
        return config;
    }

    /**
     * Opens a pool.
     *
     * @throws StoreException if the database cannot be reached
     */
    static HikariDataSource pool(HikariConfig config) {
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to PostgreSQL at " + redact(config.getJdbcUrl()), e);
        }
    }

    /** The URL this store was opened with, for the membership's own connections. */
    String jdbcUrl() {
        return jdbcUrl;
    }

    /**
     * Turns fencing on: from now on every {@link #append} checks, in its transaction, that {@code fencing}'s node owns
     * every customer of the batch at the epoch it holds.
     *
     * @throws IllegalStateException if fencing is on already
     */
    synchronized void fence(Fencing fencing) {
        if (this.fencing != null) {
            throw new IllegalStateException("this store has an ownership already");
        }
        this.fencing = fencing;
    }

    /** The URL without its query string, which may hold a password. */
    private static String redact(String jdbcUrl) {
        int q = jdbcUrl.indexOf('?');
        return q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
    }

    @Override
    public void append(List<JournalRecord> batch, List<CounterValue> counters) {
        if (batch.isEmpty()) {
            return;
        }
        ensureOpen();
        Fencing fence = fencing;
        Map<String, Long> epochs = fence == null ? Map.of() : fence.epochs(batch, counters);
        long[] seqs = null;
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (fence != null) {
                    fence.lock(c, epochs);
                }
                long[] taken = insertRecords(c, batch);
                if (!counters.isEmpty()) {
                    upsertCounters(c, counters);
                }
                insertUsage(c, usageRows(batch));
                seqs = taken;
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(c);
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            if (e instanceof StoreException se) {
                throw se;
            }
            StoreException failure = seqs == null ? reads.notStored(batch, e) : resolve(batch, seqs, e);
            if (failure != null) {
                throw failure;
            }
        }
    }

    /**
     * Whether a batch whose {@code COMMIT} failed is stored after all, asked on another connection.
     *
     * @param seqs the first and last sequence number the batch's records took
     * @return {@code null} if the whole batch is stored, else what to throw
     */
    private @Nullable StoreException resolve(List<JournalRecord> batch, long[] seqs, Exception cause) {
        long stored;
        try (Connection c = pool.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM journal WHERE seq BETWEEN ? AND ?")) {
            s.setLong(1, seqs[0]);
            s.setLong(2, seqs[1]);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                stored = rs.getLong(1);
            }
        } catch (SQLException | RuntimeException e) {
            cause.addSuppressed(e);
            return new CommitInDoubtException(
                    "the commit of a batch of " + batch.size() + " records failed and the"
                            + " store cannot be asked whether it was stored",
                    cause);
        }
        if (stored == 0) {
            return new StoreException("cannot commit a batch of " + batch.size() + " records", cause);
        }
        if (stored == batch.size()) {
            return null;
        }
        return new CommitInDoubtException(
                "the commit of a batch of " + batch.size() + " records failed but " + stored + " were stored", cause);
    }

    /** @return the first and last sequence number the records took */
    private static long[] insertRecords(Connection c, List<JournalRecord> batch) throws SQLException {
        int n = batch.size();
        String[] customers = new String[n];
        String[] types = new String[n];
        String[] ats = new String[n];
        String[] keys = new String[n];
        String[] payloads = new String[n];
        for (int i = 0; i < n; i++) {
            JournalRecord r = batch.get(i);
            JournalEntry e = r.entry();
            customers[i] = e.customerId();
            types[i] = r.type();
            ats[i] = IsoInstant.format(e.at());
            keys[i] = e.idempotencyKey();
            payloads[i] = r.payload();
        }
        try (PreparedStatement s = c.prepareStatement(INSERT_RECORDS)) {
            s.setArray(1, c.createArrayOf("text", customers));
            s.setArray(2, c.createArrayOf("text", types));
            s.setArray(3, c.createArrayOf("text", ats));
            s.setArray(4, c.createArrayOf("text", keys));
            s.setArray(5, c.createArrayOf("text", payloads));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    private static void upsertCounters(Connection c, List<CounterValue> counters) throws SQLException {
        int n = counters.size();
        String[] customers = new String[n];
        String[] features = new String[n];
        String[] windows = new String[n];
        String[] used = new String[n];
        String[] overage = new String[n];
        for (int i = 0; i < n; i++) {
            CounterValue v = counters.get(i);
            customers[i] = v.customerId();
            features[i] = v.feature();
            windows[i] = IsoInstant.format(v.windowStart());
            used[i] = v.used().toPlainString();
            overage[i] = v.overage().toPlainString();
        }
        try (PreparedStatement s = c.prepareStatement(UPSERT_COUNTERS)) {
            s.setArray(1, c.createArrayOf("text", customers));
            s.setArray(2, c.createArrayOf("text", features));
            s.setArray(3, c.createArrayOf("text", windows));
            s.setArray(4, c.createArrayOf("text", used));
            s.setArray(5, c.createArrayOf("text", overage));
            s.executeUpdate();
        }
    }

    private static List<UsageRow> usageRows(List<JournalRecord> batch) {
        List<UsageRow> rows = new ArrayList<>();
        for (JournalRecord r : batch) {
            UsageRow row = UsageRow.from(r.entry());
            if (row != null) {
                rows.add(row);
            }
        }
        return rows;
    }

    /** Inserts usage rows in their order, in the connection's transaction (also migration 003's). */
    static void insertUsage(Connection c, List<UsageRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        int n = rows.size();
        String[] customers = new String[n];
        Long[] nanos = new Long[n];
        String[] features = new String[n];
        String[] quantities = new String[n];
        String[] currencies = new String[n];
        String[] credits = new String[n];
        String[] scopes = new String[n];
        String[] dims = new String[n];
        String[] overages = new String[n];
        String[] windowStarts = new String[n];
        String[] limits = new String[n];
        String[] windowEnds = new String[n];
        for (int i = 0; i < n; i++) {
            UsageRow r = rows.get(i);
            customers[i] = r.customerId();
            nanos[i] = r.occurredNanos();
            features[i] = r.feature();
            quantities[i] = r.quantity().toPlainString();
            currencies[i] = r.currency();
            credits[i] = r.credits() == null ? null : r.credits().toPlainString();
            scopes[i] = r.scope();
            dims[i] = Json.write(new TreeMap<String, Object>(r.dimensions()));
            overages[i] = r.overage().toPlainString();
            windowStarts[i] = IsoInstant.format(r.windowStart());
            limits[i] = r.limit() == null ? null : r.limit().toPlainString();
            windowEnds[i] = r.windowEnd() == null ? null : IsoInstant.format(r.windowEnd());
        }
        try (PreparedStatement s = c.prepareStatement(INSERT_USAGE)) {
            s.setArray(1, c.createArrayOf("text", customers));
            s.setArray(2, c.createArrayOf("bigint", nanos));
            s.setArray(3, c.createArrayOf("text", features));
            s.setArray(4, c.createArrayOf("text", quantities));
            s.setArray(5, c.createArrayOf("text", currencies));
            s.setArray(6, c.createArrayOf("text", credits));
            s.setArray(7, c.createArrayOf("text", scopes));
            s.setArray(8, c.createArrayOf("text", dims));
            s.setArray(9, c.createArrayOf("text", overages));
            s.setArray(10, c.createArrayOf("text", windowStarts));
            s.setArray(11, c.createArrayOf("text", limits));
            s.setArray(12, c.createArrayOf("text", windowEnds));
            s.executeUpdate();
        }
    }

    @Override
    public List<UsageRow> usage(String customerId, Instant from, Instant to) {
        List<UsageRow> rows = new ArrayList<>();
        ensureOpen();
        try (Connection c = pool.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT customer_id, occurred_nanos, feature, quantity,"
                        + " currency, credits, scope, dimensions, overage, window_start, limit_quantity, window_end FROM usage"
                        + " WHERE customer_id = ? AND occurred_nanos >= ?"
                        + " AND occurred_nanos < ? ORDER BY occurred_nanos, id")) {
            s.setString(1, customerId);
            s.setLong(2, UsageRow.nanos(from));
            s.setLong(3, UsageRow.nanos(to));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> dims = new TreeMap<>();
                    if (Json.parse(rs.getString(8)) instanceof Map<?, ?> m) {
                        m.forEach((k, v) -> dims.put((String) k, (String) v));
                    }
                    rows.add(new UsageRow(
                            rs.getString(1),
                            UsageRow.ofNanos(rs.getLong(2)),
                            rs.getString(3),
                            rs.getBigDecimal(4),
                            rs.getString(5),
                            rs.getBigDecimal(6),
                            rs.getString(7),
                            dims,
                            rs.getBigDecimal(9),
                            Instant.parse(rs.getString(10)),
                            rs.getBigDecimal(11),
                            rs.getString(12) == null ? null : Instant.parse(rs.getString(12))));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read usage", e);
        }
        return rows;
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // the connection is broken; the pool discards it
        }
    }

    @Override
    protected <T> T inTransaction(JdbcOutbox.Work<T> work) {
        ensureOpen();
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(c);
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot write the export outbox", e);
        }
    }

    /** Streams a query's rows with a cursor (PostgreSQL needs a transaction for that), read-only. */
    @Override
    protected void query(String sql, JournalReads.RowReader rows, Object... parameters) {
        ensureOpen();
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < parameters.length; i++) {
                    s.setObject(i + 1, parameters[i]);
                }
                s.setFetchSize(1000);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        rows.read(rs);
                    }
                }
            } finally {
                rollback(c);
                c.setReadOnly(false);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the store", e);
        }
    }

    /**
     * A write of credentials on a pooled connection, in a transaction of its own. Every node of a cluster reads what
     * it commits. A commit that fails may have happened: the caller is told it failed (a key it never saw, which no
     * one can use, or a revocation to repeat).
     */
    @Override
    protected int update(String sql, JdbcCredentials.Binder binder) {
        ensureOpen();
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(sql)) {
                binder.bind(s);
                int changed = s.executeUpdate();
                c.commit();
                return changed;
            } catch (SQLException | RuntimeException e) {
                rollback(c);
                if (DIALECT.refused(e)) {
                    throw new RecordRefusedException("the store refused a credential: " + e.getMessage(), e);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot write credentials: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean ping() {
        if (closed) {
            return false;
        }
        try (Connection c = pool.getConnection();
                Statement s = c.createStatement()) {
            s.setQueryTimeout(1);
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                return rs.next();
            }
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreException("the store is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.close();
    }
}
