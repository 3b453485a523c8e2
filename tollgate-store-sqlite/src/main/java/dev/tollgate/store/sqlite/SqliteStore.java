package dev.tollgate.store.sqlite;

import dev.tollgate.core.journal.JournalCodec;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.json.Json;
import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import dev.tollgate.core.store.UsageRow;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;

/**
 * The journal in one SQLite file.
 *
 * <p>Durability: WAL journal mode with {@code synchronous=FULL}, so a committed transaction survives a crash of the
 * process and of the machine. Each {@link #append} is one transaction with one batched insert: one fsync for the
 * whole group commit.
 *
 * <p>Concurrency: one write connection, used under a lock (the journal calls {@link #append} from its one writer
 * thread); reads use their own connection each, so that start-up replay and rebuilds never wait for a commit (WAL
 * lets readers and the writer run together).
 *
 * <p>Derived state: the {@code counters} table holds each usage counter's value, upserted in the batch's transaction.
 *
 * <p>Failure modes: any SQL error rolls the transaction back and surfaces as {@link StoreException}; nothing of the
 * batch is stored. A duplicate {@code (customer_id, idempotency_key)} is such an error.
 */
final class SqliteStore implements Store {
    private static final String INSERT =
            "INSERT INTO journal (customer_id, type, at, idempotency_key, payload) VALUES (?, ?, ?, ?, ?)";
    private static final String UPSERT_COUNTER = "INSERT INTO counters (customer_id, feature, window_start, used,"
            + " overage) VALUES (?, ?, ?, ?, ?) ON CONFLICT (customer_id, feature, window_start)"
            + " DO UPDATE SET used = excluded.used, overage = excluded.overage";

    private static final String INSERT_USAGE = "INSERT INTO usage (customer_id, occurred_nanos, feature, quantity,"
            + " currency, credits, scope, dimensions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

    private final String url;
    private final Connection writer;
    private final Object writeLock = new Object();
    private volatile boolean closed;

    private SqliteStore(String url, Connection writer) {
        this.url = url;
        this.writer = writer;
    }

    static SqliteStore open(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new StoreException("cannot create the data directory for " + file, e);
        }
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:db/migration/sqlite")
                .load()
                .migrate();
        try {
            Connection writer = connect(url);
            writer.setAutoCommit(false);
            return new SqliteStore(url, writer);
        } catch (SQLException e) {
            throw new StoreException("cannot open " + file, e);
        }
    }

    private static Connection connect(String url) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(10_000);
        return DriverManager.getConnection(url, config.toProperties());
    }

    @Override
    public void append(List<JournalEntry> batch, List<CounterValue> counters) {
        if (batch.isEmpty()) {
            return;
        }
        synchronized (writeLock) {
            ensureOpen();
            try (PreparedStatement insert = writer.prepareStatement(INSERT);
                    PreparedStatement upsert = writer.prepareStatement(UPSERT_COUNTER);
                    PreparedStatement usage = writer.prepareStatement(INSERT_USAGE)) {
                for (JournalEntry e : batch) {
                    insert.setString(1, e.customerId());
                    insert.setString(2, JournalCodec.type(e));
                    insert.setString(3, e.at().toString());
                    insert.setString(4, e.idempotencyKey());
                    insert.setString(5, JournalCodec.encode(e));
                    insert.addBatch();
                }
                insert.executeBatch();
                for (CounterValue c : counters) {
                    upsert.setString(1, c.customerId());
                    upsert.setString(2, c.feature());
                    upsert.setString(3, c.windowStart().toString());
                    upsert.setString(4, c.used().toPlainString());
                    upsert.setString(5, c.overage().toPlainString());
                    upsert.addBatch();
                }
                if (!counters.isEmpty()) {
                    upsert.executeBatch();
                }
                boolean anyUsage = false;
                for (JournalEntry e : batch) {
                    if (e instanceof JournalEntry.UsageRecorded u) {
                        UsageRow row = UsageRow.of(u);
                        usage.setString(1, row.customerId());
                        usage.setLong(2, row.occurredNanos());
                        usage.setString(3, row.feature());
                        usage.setString(4, row.quantity().toPlainString());
                        usage.setString(5, row.currency());
                        usage.setString(
                                6, row.credits() == null ? null : row.credits().toPlainString());
                        usage.setString(7, row.scope());
                        usage.setString(8, Json.write(new TreeMap<String, Object>(row.dimensions())));
                        usage.addBatch();
                        anyUsage = true;
                    }
                }
                if (anyUsage) {
                    usage.executeBatch();
                }
                writer.commit();
            } catch (SQLException e) {
                rollback();
                throw new StoreException("cannot commit a batch of " + batch.size() + " records", e);
            }
        }
    }

    private void rollback() {
        try {
            writer.rollback();
        } catch (SQLException e) {
            // the connection is broken; the next append reports it
        }
    }

    @Override
    public void replay(Consumer<JournalEntry> visitor) {
        read("SELECT type, payload FROM journal ORDER BY seq", visitor);
    }

    @Override
    public List<JournalEntry> entries(String customerId) {
        List<JournalEntry> entries = new ArrayList<>();
        read("SELECT type, payload FROM journal WHERE customer_id = ? ORDER BY seq", entries::add, customerId);
        return entries;
    }

    @Override
    public @Nullable JournalEntry entry(String customerId, String idempotencyKey) {
        List<JournalEntry> found = new ArrayList<>(1);
        read(
                "SELECT type, payload FROM journal WHERE customer_id = ? AND idempotency_key = ?",
                found::add,
                customerId,
                idempotencyKey);
        return found.isEmpty() ? null : found.get(0);
    }

    @Override
    public List<UsageRow> usage(String customerId, Instant from, Instant to) {
        List<UsageRow> rows = new ArrayList<>();
        ensureOpen();
        try (Connection c = connect(url);
                PreparedStatement s =
                        c.prepareStatement("SELECT customer_id, occurred_nanos, feature, quantity, currency,"
                                + " credits, scope, dimensions FROM usage WHERE customer_id = ? AND occurred_nanos >= ? AND"
                                + " occurred_nanos < ? ORDER BY occurred_nanos, id")) {
            s.setString(1, customerId);
            s.setLong(
                    2, new UsageRow(customerId, from, "", BigDecimal.ZERO, null, null, null, Map.of()).occurredNanos());
            s.setLong(3, new UsageRow(customerId, to, "", BigDecimal.ZERO, null, null, null, Map.of()).occurredNanos());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String credits = rs.getString(6);
                    rows.add(new UsageRow(
                            rs.getString(1),
                            UsageRow.ofNanos(rs.getLong(2)),
                            rs.getString(3),
                            new BigDecimal(rs.getString(4)),
                            rs.getString(5),
                            credits == null ? null : new BigDecimal(credits),
                            rs.getString(7),
                            dimensions(rs.getString(8))));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read usage", e);
        }
        return rows;
    }

    static Map<String, String> dimensions(String json) {
        Map<String, String> out = new TreeMap<>();
        Object tree = Json.parse(json);
        if (tree instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put((String) k, (String) v));
        }
        return out;
    }

    @Override
    public void counters(Consumer<CounterValue> visitor) {
        query(
                "SELECT customer_id, feature, window_start, used, overage FROM counters",
                rs -> visitor.accept(new CounterValue(
                        rs.getString(1),
                        rs.getString(2),
                        Instant.parse(rs.getString(3)),
                        new BigDecimal(rs.getString(4)),
                        new BigDecimal(rs.getString(5)))));
    }

    private void read(String sql, Consumer<JournalEntry> visitor, String... parameters) {
        query(sql, rs -> visitor.accept(JournalCodec.decode(rs.getString(1), rs.getString(2))), parameters);
    }

    /** Reads one row of a result. */
    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, RowReader rows, String... parameters) {
        ensureOpen();
        try (Connection c = connect(url);
                PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setString(i + 1, parameters[i]);
            }
            s.setFetchSize(1000);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.read(rs);
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the store", e);
        }
    }

    @Override
    public boolean ping() {
        if (closed) {
            return false;
        }
        try (Connection c = connect(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1")) {
            return rs.next();
        } catch (SQLException e) {
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
        synchronized (writeLock) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                writer.close();
            } catch (SQLException e) {
                throw new StoreException("cannot close the store", e);
            }
        }
    }
}
