package dev.tollgate.store.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * The one write connection of a SQLite store and the statements each journal commit runs on it, prepared once per
 * connection rather than once per commit: a commit of one record prepared three statements, and parsing them was a good
 * part of the journal thread's CPU per commit. The connection and its statements go together: one discarded after a
 * failure ({@link #close}) takes its statements with it, and the next is prepared afresh.
 *
 * <p>Not thread-safe: used under the store's write lock.
 */
final class WriteConnection implements AutoCloseable {
    /** Records per INSERT statement: one statement's overhead (and AUTOINCREMENT's bookkeeping) per chunk. */
    static final int ROWS_PER_INSERT = 64;

    private static final String UPSERT_COUNTER = "INSERT INTO counters (customer_id, feature, window_start, used,"
            + " overage) VALUES (?, ?, ?, ?, ?) ON CONFLICT (customer_id, feature, window_start)"
            + " DO UPDATE SET used = excluded.used, overage = excluded.overage";

    private static final String LAST_SEQ = "SELECT coalesce(max(seq), 0) FROM journal";

    private final Connection connection;
    /** The INSERT of {@code n} records at index {@code n}, prepared when first used. */
    private final @Nullable PreparedStatement[] inserts = new PreparedStatement[ROWS_PER_INSERT + 1];

    private final PreparedStatement upsertCounter;
    private final PreparedStatement lastSeq;

    /**
     * @param connection a new connection, owned from now on: taken out of auto-commit here
     * @throws SQLException if it cannot be taken out of auto-commit or the statements every commit runs cannot be
     *     prepared on it; the connection is closed then
     */
    WriteConnection(Connection connection) throws SQLException {
        this.connection = connection;
        try {
            connection.setAutoCommit(false);
            this.upsertCounter = connection.prepareStatement(UPSERT_COUNTER);
            this.lastSeq = connection.prepareStatement(LAST_SEQ);
        } catch (SQLException e) {
            try {
                connection.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    Connection connection() {
        return connection;
    }

    /** The INSERT of {@code rows} journal records, 1 to {@link #ROWS_PER_INSERT}, with six parameters per record. */
    PreparedStatement insert(int rows) throws SQLException {
        PreparedStatement s = inserts[rows];
        if (s == null) {
            s = connection.prepareStatement(insertSql(rows));
            inserts[rows] = s;
        }
        return s;
    }

    /** The upsert of one usage counter: customer, feature, window start, used, overage. */
    PreparedStatement upsertCounter() {
        return upsertCounter;
    }

    /** The query of the journal's last sequence number ({@code 0} when empty), one row of one column. */
    PreparedStatement lastSeq() {
        return lastSeq;
    }

    /**
     * Rolls back whatever is open and closes the connection, after a failure: a connection with no transaction (SQLite
     * ended it) or a broken one is closed all the same, and nothing is thrown.
     */
    void discard() {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // no transaction (SQLite ended it) or a broken connection: closing settles both
        }
        try {
            connection.close();
        } catch (SQLException e) {
            // nothing more to release
        }
    }

    /** Closes the connection, and so its statements. */
    @Override
    public void close() throws SQLException {
        connection.close();
    }

    private static String insertSql(int rows) {
        StringBuilder sql = new StringBuilder(
                "INSERT INTO journal (customer_id, type, at, idempotency_key, payload, occurred_nanos) VALUES ");
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?)");
        }
        return sql.toString();
    }
}
