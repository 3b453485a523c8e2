package dev.tollgate.store.jdbc;

import dev.tollgate.core.store.CredentialStore;
import dev.tollgate.core.store.RecordRefusedException;
import dev.tollgate.core.store.StoredKey;
import dev.tollgate.core.store.StoredPortalSession;
import dev.tollgate.core.store.UsageRow;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The credentials of a SQL store, in the tables {@code api_keys} and {@code portal_sessions}, which both stores' schemas
 * define alike (migration {@code V006}): text, and times as whole nanoseconds since the epoch (exact and sortable, as
 * {@code usage.occurred_nanos}). A store hands it how to read (its {@link JournalReads.Queries}) and how to write (its
 * {@link Updates}: SQLite through its one write connection, PostgreSQL through its pool).
 *
 * <p>Thread-safe if the store's queries and updates are.
 */
public final class JdbcCredentials implements CredentialStore {

    /** Runs one statement that writes, committed when it returns. */
    @FunctionalInterface
    public interface Updates {
        /**
         * Runs {@code sql} with the parameters {@code binder} sets, in a transaction of its own.
         *
         * @return the count of rows it changed
         * @throws RecordRefusedException if a constraint refused it; nothing was written
         * @throws dev.tollgate.core.store.StoreException if it could not be written
         */
        int update(String sql, Binder binder);
    }

    /** Sets a statement's parameters. */
    @FunctionalInterface
    public interface Binder {
        void bind(PreparedStatement s) throws SQLException;
    }

    private static final String KEY_COLUMNS =
            "id, kind, name, prefix, digest, sealed_signing_secret, created_nanos, revoked_nanos";
    private static final String SESSION_COLUMNS =
            "id, digest, customer_id, scope, permissions, created_nanos, expires_nanos, revoked_nanos";

    private final JournalReads.Queries queries;
    private final Updates updates;

    /**
     * @param queries runs a read on the store's connections
     * @param updates runs a write on the store's connections
     */
    public JdbcCredentials(JournalReads.Queries queries, Updates updates) {
        this.queries = queries;
        this.updates = updates;
    }

    @Override
    public void addKey(StoredKey k) {
        updates.update("INSERT INTO api_keys (" + KEY_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)", s -> {
            s.setString(1, k.id());
            s.setString(2, k.kind());
            s.setString(3, k.name());
            s.setString(4, k.prefix());
            s.setString(5, k.digest());
            setText(s, 6, k.sealedSigningSecret());
            s.setLong(7, UsageRow.nanos(k.createdAt()));
            setNanos(s, 8, k.revokedAt());
        });
    }

    @Override
    public boolean revokeKey(String id, Instant at) {
        return updates.update("UPDATE api_keys SET revoked_nanos = ? WHERE id = ? AND revoked_nanos IS NULL", s -> {
                    s.setLong(1, UsageRow.nanos(at));
                    s.setString(2, id);
                })
                == 1;
    }

    @Override
    public List<StoredKey> keys() {
        List<StoredKey> keys = new ArrayList<>();
        queries.query(
                "SELECT " + KEY_COLUMNS + " FROM api_keys ORDER BY created_nanos, id",
                rs -> keys.add(new StoredKey(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        UsageRow.ofNanos(rs.getLong(7)),
                        nullableInstant(rs, 8))));
        return keys;
    }

    @Override
    public void addPortalSession(StoredPortalSession p) {
        updates.update("INSERT INTO portal_sessions (" + SESSION_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)", s -> {
            s.setString(1, p.id());
            s.setString(2, p.digest());
            s.setString(3, p.customerId());
            setText(s, 4, p.scope());
            s.setString(5, String.join(",", p.permissions()));
            s.setLong(6, UsageRow.nanos(p.createdAt()));
            s.setLong(7, UsageRow.nanos(p.expiresAt()));
            setNanos(s, 8, p.revokedAt());
        });
    }

    @Override
    public boolean revokePortalSession(String id, Instant at) {
        return updates.update(
                        "UPDATE portal_sessions SET revoked_nanos = ? WHERE id = ? AND revoked_nanos IS NULL", s -> {
                            s.setLong(1, UsageRow.nanos(at));
                            s.setString(2, id);
                        })
                == 1;
    }

    @Override
    public List<StoredPortalSession> portalSessions(Instant at) {
        List<StoredPortalSession> sessions = new ArrayList<>();
        queries.query(
                "SELECT " + SESSION_COLUMNS
                        + " FROM portal_sessions WHERE expires_nanos > ? ORDER BY created_nanos, id",
                rs -> sessions.add(new StoredPortalSession(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        Arrays.asList(rs.getString(5).split(",", -1)),
                        UsageRow.ofNanos(rs.getLong(6)),
                        UsageRow.ofNanos(rs.getLong(7)),
                        nullableInstant(rs, 8))),
                UsageRow.nanos(at));
        return sessions;
    }

    @Override
    public int deleteExpiredPortalSessions(Instant at) {
        return updates.update(
                "DELETE FROM portal_sessions WHERE expires_nanos <= ?", s -> s.setLong(1, UsageRow.nanos(at)));
    }

    private static void setText(PreparedStatement s, int index, @Nullable String value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.VARCHAR);
        } else {
            s.setString(index, value);
        }
    }

    private static void setNanos(PreparedStatement s, int index, @Nullable Instant value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, UsageRow.nanos(value));
        }
    }

    private static @Nullable Instant nullableInstant(ResultSet rs, int column) throws SQLException {
        long nanos = rs.getLong(column);
        return rs.wasNull() ? null : UsageRow.ofNanos(nanos);
    }
}
