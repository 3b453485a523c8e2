package dev.tollgate.store.sqlite;

import dev.tollgate.core.journal.JournalCodec;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import dev.tollgate.core.json.IsoInstant;
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
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;

/**
 * The journal in one SQLite file.
 *
 * <p>Durability: WAL journal mode with {@code synchronous=FULL}, so a committed transaction survives a crash of the
 * process and of the machine. Each {@link #append} is one transaction, its records inserted {@link
 * WriteConnection#ROWS_PER_INSERT} to a statement: one fsync for the whole group commit.
 *
 * <p>Concurrency: one write connection, used under a lock (the journal calls {@link #append} from its one writer
 * thread); reads use their own connection each, so that start-up replay and rebuilds never wait for a commit (WAL
 * lets readers and the writer run together).
 *
 * <p>Derived state: the {@code counters} table holds each usage counter's value, upserted in the batch's transaction.
 *
 * <p>Failure modes: after any error in {@link #append} the write connection is rolled back, closed and opened afresh
 * for the next batch. SQLite may have rolled the transaction back by itself (a full disk: {@code SQLITE_FULL}); the
 * old connection then ran its next statements outside any transaction, each committed on its own, and every commit
 * after failed with "no transaction is active" until a restart, while the records it was told failed were stored.
 * Then, before it answers, the store asks a fresh connection how many records lie beyond the last sequence number
 * seen before the batch: none means "not stored" ({@link StoreException}, or {@link RecordRefusedException} for a
 * constraint such as a duplicate {@code (customer_id, idempotency_key)}), all of them means the commit happened after
 * all (the append returns normally), and anything else, or no answer, is {@link CommitInDoubtException}. One writer
 * holds the file ({@link DataDirectoryLock}), so nothing else adds records in between.
 */
final class SqliteStore extends JdbcStore {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /**
     * A customer's usage rows in a time range: usage records and sessions' settlements, through the partial index
     * {@code journal_usage}, whose condition the query repeats word for word (SQLite uses a partial index only then).
     */
    static final String USAGE = "SELECT type, payload FROM journal WHERE customer_id = ? AND type IN ('usage',"
            + " 'settlement') AND occurred_nanos >= ? AND occurred_nanos < ? ORDER BY occurred_nanos, seq";

    /** SQLite's primary result code of every constraint violation. */
    private static final int SQLITE_CONSTRAINT = 19;

    /** Decimals are stored as text; a constraint violation is refusal. */
    private static final Dialect DIALECT = new Dialect() {
        @Override
        public BigDecimal decimal(ResultSet rs, int column) throws SQLException {
            return new BigDecimal(rs.getString(column));
        }

        @Override
        public boolean refused(Exception error) {
            return error instanceof SQLiteException e && (e.getResultCode().code & 0xff) == SQLITE_CONSTRAINT;
        }

        /**
         * {@code at} is the text of {@link IsoInstant#format}; a whole second written without its {@code Z} sorts
         * after every record of the second before and before every record of its own second, with or without a
         * fraction ({@code .} and {@code Z} come after the end of the bound).
         */
        @Override
        public Object secondBound(Instant wholeSecond) {
            String text = IsoInstant.format(wholeSecond);
            return text.substring(0, text.length() - 1);
        }

        @Override
        public String byteOrder() {
            return ""; // SQLite compares text with memcmp (BINARY) unless told otherwise
        }

        @Override
        public String skipLocked() {
            return ""; // one writer at a time: a claim is one statement, atomic
        }
    };

    private final String url;
    /** The write connection, or {@code null} until the next append opens one (after a failure); under writeLock. */
    private @Nullable WriteConnection writer;

    private final DataDirectoryLock directory;
    private final Object writeLock = new Object();
    private volatile boolean closed;

    private SqliteStore(String url, WriteConnection writer, DataDirectoryLock directory) {
        super(DIALECT);
        this.url = url;
        this.writer = writer;
        this.directory = directory;
    }

    /**
     * @param file the database file, in the directory {@code directory} claims
     * @param directory the claim on the data directory; released when this store closes
     */
    static SqliteStore open(Path file, DataDirectoryLock directory) {
        createOwnerOnly(file);
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        try {
            Flyway.configure()
                    .dataSource(url, null, null)
                    .locations("classpath:db/migration/sqlite")
                    .javaMigrations(new UsageInJournal())
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new StoreException("cannot migrate " + file + ": " + e.getMessage(), e);
        }
        try {
            WriteConnection writer = new WriteConnection(connect(url));
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                restrictToOwner(file.resolveSibling(file.getFileName() + suffix));
            }
            return new SqliteStore(url, writer, directory);
        } catch (SQLException e) {
            throw new StoreException("cannot open " + file, e);
        }
    }

    /**
     * Creates the database file empty (an empty file is an empty SQLite database) and {@code 0600}, unless it exists:
     * SQLite would create it {@code 0644}, and creates its {@code -wal} and {@code -shm} files with the database file's
     * permissions.
     */
    private static void createOwnerOnly(Path file) {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException | UnsupportedOperationException e) {
            // an existing store (made private by restrictToOwner), or not a POSIX file system: SQLite creates it
        } catch (IOException e) {
            throw new StoreException("cannot create " + file, e);
        }
    }

    /** Makes an existing file {@code 0600}: stores created before files were private were {@code 0644}. */
    private static void restrictToOwner(Path file) {
        try {
            if (Files.exists(file) && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        } catch (IOException e) {
            throw new StoreException("cannot make " + file + " readable by its owner only", e);
        }
    }

    private static Connection connect(String url) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(10_000);
        // never read; otherwise every INSERT is matched against a regular expression to find them
        config.setGetGeneratedKeys(false);
        return DriverManager.getConnection(url, config.toProperties());
    }

    @Override
    public void append(List<JournalRecord> batch, List<CounterValue> counters) {
        if (batch.isEmpty()) {
            return;
        }
        synchronized (writeLock) {
            ensureOpen();
            WriteConnection w = writer();
            long before = -1;
            try {
                before = lastSeq(w);
                insertRecords(w, batch);
                if (!counters.isEmpty()) {
                    PreparedStatement upsert = w.upsertCounter();
                    for (CounterValue c : counters) {
                        upsert.setString(1, c.customerId());
                        upsert.setString(2, c.feature());
                        upsert.setString(3, IsoInstant.format(c.windowStart()));
                        upsert.setString(4, c.used().toPlainString());
                        upsert.setString(5, c.overage().toPlainString());
                        upsert.addBatch();
                    }
                    upsert.executeBatch();
                }
                w.connection().commit();
            } catch (SQLException | RuntimeException e) {
                // whatever failed, nothing of the batch may stay in the open transaction for the next commit to carry,
                // and a connection whose transaction SQLite ended by itself must not run the next batch
                discardWriter();
                StoreException failure = before < 0 ? reads.notStored(batch, e) : resolve(batch, before, e);
                if (failure != null) {
                    throw failure;
                }
            }
        }
    }

    private WriteConnection writer() {
        WriteConnection w = writer;
        if (w == null) {
            try {
                w = new WriteConnection(connect(url));
            } catch (SQLException e) {
                throw new StoreException("cannot open the write connection", e);
            }
            writer = w;
        }
        return w;
    }

    private static long lastSeq(WriteConnection w) throws SQLException {
        try (ResultSet rs = w.lastSeq().executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Whether a failed batch is stored after all, asked on a fresh connection.
     *
     * @param before the last sequence number before the batch
     * @return {@code null} if the whole batch is stored, else what to throw
     */
    private @Nullable StoreException resolve(List<JournalRecord> batch, long before, Exception cause) {
        long stored;
        try (Connection c = connect(url);
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM journal WHERE seq > ?")) {
            s.setLong(1, before);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                stored = rs.getLong(1);
            }
        } catch (SQLException e) {
            cause.addSuppressed(e);
            return new CommitInDoubtException(
                    "a batch of " + batch.size() + " records failed to commit and the"
                            + " store cannot be read to tell whether it was stored",
                    cause);
        }
        if (stored == 0) {
            return reads.notStored(batch, cause);
        }
        if (stored == batch.size()) {
            return null;
        }
        return new CommitInDoubtException(
                "a batch of " + batch.size() + " records failed to commit but " + stored + " records were stored",
                cause);
    }

    private static void insertRecords(WriteConnection writer, List<JournalRecord> batch) throws SQLException {
        int chunk = WriteConnection.ROWS_PER_INSERT;
        for (int from = 0; from < batch.size(); from += chunk) {
            int rows = Math.min(chunk, batch.size() - from);
            PreparedStatement insert = writer.insert(rows);
            bind(insert, batch, from, rows);
            insert.executeUpdate();
        }
    }

    private static void bind(PreparedStatement insert, List<JournalRecord> batch, int from, int rows)
            throws SQLException {
        int p = 1;
        for (int i = from; i < from + rows; i++) {
            JournalRecord r = batch.get(i);
            JournalEntry e = r.entry();
            insert.setString(p++, e.customerId());
            insert.setString(p++, r.type());
            insert.setString(p++, IsoInstant.format(e.at()));
            insert.setString(p++, e.idempotencyKey());
            insert.setString(p++, r.payload());
            if (e instanceof JournalEntry.UsageRecorded u) {
                insert.setLong(p++, UsageRow.nanos(u.occurredAt()));
            } else if (e instanceof JournalEntry.SessionSettled settled) {
                insert.setLong(p++, UsageRow.nanos(settled.at()));
            } else {
                insert.setNull(p++, Types.INTEGER);
            }
        }
    }

    private void discardWriter() {
        WriteConnection w = writer;
        writer = null;
        if (w == null) {
            return;
        }
        w.discard();
    }

    @Override
    public List<UsageRow> usage(String customerId, Instant from, Instant to) {
        List<UsageRow> rows = new ArrayList<>();
        query(
                USAGE,
                rs -> rows.add(
                        Objects.requireNonNull(UsageRow.from(JournalCodec.decode(rs.getString(1), rs.getString(2))))),
                customerId,
                UsageRow.nanos(from),
                UsageRow.nanos(to));
        return rows;
    }

    @Override
    protected void query(String sql, JournalReads.RowReader rows, Object... parameters) {
        ensureOpen();
        try (Connection c = connect(url);
                PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
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

    /**
     * A write of credentials, through the one write connection under the write lock (SQLite has one writer: another
     * connection would wait for the journal's commits), committed at once; after a failure the connection is opened
     * afresh, as after a failed batch.
     */
    @Override
    protected int update(String sql, JdbcCredentials.Binder binder) {
        synchronized (writeLock) {
            ensureOpen();
            Connection w = writer().connection();
            try (PreparedStatement s = w.prepareStatement(sql)) {
                binder.bind(s);
                int changed = s.executeUpdate();
                w.commit();
                return changed;
            } catch (SQLException | RuntimeException e) {
                discardWriter();
                if (DIALECT.refused(e)) {
                    throw new RecordRefusedException("the store refused a credential: " + e.getMessage(), e);
                }
                throw new StoreException("cannot write credentials: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Under the write lock: the journal's writer reads the last sequence number and then inserts in one transaction, and
     * SQLite fails such a transaction at once (SQLITE_BUSY_SNAPSHOT, no busy wait) if another connection committed in
     * between; an outbox write between the two failed a whole journal batch (BillingIT saw STORE_UNAVAILABLE).
     */
    @Override
    protected <T> T inTransaction(JdbcOutbox.Work<T> work) {
        synchronized (writeLock) {
            return outboxTransaction(work);
        }
    }

    private <T> T outboxTransaction(JdbcOutbox.Work<T> work) {
        ensureOpen();
        try (Connection c = connect(url)) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot write the export outbox", e);
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
                if (writer != null) {
                    writer.close();
                }
            } catch (SQLException e) {
                throw new StoreException("cannot close the store", e);
            } finally {
                directory.close();
            }
        }
    }
}
