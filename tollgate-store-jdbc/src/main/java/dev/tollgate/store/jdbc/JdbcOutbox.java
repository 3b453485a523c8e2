package dev.tollgate.store.jdbc;

import dev.tollgate.core.billing.ExportItem;
import dev.tollgate.core.billing.OutboxEntry;
import dev.tollgate.core.billing.OutboxEntry.Status;
import dev.tollgate.core.json.Json;
import dev.tollgate.core.store.ExportOutbox;
import dev.tollgate.core.store.StoreException;
import dev.tollgate.core.store.UsageRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ExportOutbox} of the SQL stores, over the {@code export_outbox} and {@code export_settings} tables of
 * migration 7, word for word on both.
 *
 * <p>Claims: one statement, {@code UPDATE ... WHERE id IN (SELECT ... LIMIT n [FOR UPDATE SKIP LOCKED]) RETURNING},
 * so that a claim is atomic on SQLite (one writer at a time) and two servers claiming at once on PostgreSQL skip each
 * other's rows instead of waiting for them or taking them twice. A claim lasts a lease; a server that dies holding one
 * leaves the items to whoever claims after the lease. Settling checks {@code claimed_by}, so a sender whose claim ran
 * out and was taken over changes nothing. Times are nanoseconds since the epoch, from the caller's clock.
 *
 * <p>Thread-safe: every call runs on a connection of its own.
 */
public final class JdbcOutbox implements ExportOutbox {
    private static final String COLUMNS = "id, kind, customer_id, period, payload, item_key, status, attempts,"
            + " next_attempt, error, result, created, done";

    /** Runs work on a writable connection in one transaction, committed when it returns. */
    @FunctionalInterface
    public interface Writes {
        /**
         * Runs {@code work} and commits, or rolls back if it throws.
         *
         * @throws StoreException if the store cannot be written
         */
        <T> T inTransaction(Work<T> work);
    }

    /** What runs in the transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final Writes writes;
    private final Dialect dialect;

    public JdbcOutbox(Writes writes, Dialect dialect) {
        this.writes = writes;
        this.dialect = dialect;
    }

    @Override
    public int enqueue(List<ExportItem> items, Instant now) {
        if (items.isEmpty()) {
            return 0;
        }
        return writes.inTransaction(c -> {
            int added = 0;
            try (PreparedStatement s = c.prepareStatement("INSERT INTO export_outbox (id, kind, customer_id, period,"
                    + " payload, item_key, status, attempts, next_attempt, created) VALUES (?, ?, ?, ?, ?, ?,"
                    + " 'pending', 0, ?, ?) ON CONFLICT (id) DO NOTHING")) {
                for (ExportItem item : items) {
                    s.setString(1, item.id());
                    s.setString(2, item.kind().name().toLowerCase(java.util.Locale.ROOT));
                    s.setString(3, item.customerId());
                    s.setString(4, item.period());
                    s.setString(5, Json.write(new LinkedHashMap<String, Object>(item.fields())));
                    s.setString(6, item.key());
                    s.setLong(7, UsageRow.nanos(now));
                    s.setLong(8, UsageRow.nanos(now));
                    added += s.executeUpdate();
                }
            }
            return added;
        });
    }

    @Override
    public List<OutboxEntry> claim(String claimer, Instant now, Duration lease, int max) {
        long at = UsageRow.nanos(now);
        return writes.inTransaction(c -> {
            List<OutboxEntry> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("UPDATE export_outbox SET claimed_by = ?, claimed_until = ?"
                    + " WHERE id IN (SELECT id FROM export_outbox WHERE status = 'pending' AND next_attempt <= ? AND"
                    + " (claimed_until IS NULL OR claimed_until <= ?) ORDER BY next_attempt, id LIMIT ?"
                    + dialect.skipLocked() + ") RETURNING " + COLUMNS)) {
                s.setString(1, claimer);
                s.setLong(2, UsageRow.nanos(now.plus(lease)));
                s.setLong(3, at);
                s.setLong(4, at);
                s.setInt(5, max);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(entry(rs));
                    }
                }
            }
            out.sort(Comparator.comparing(OutboxEntry::nextAttemptAt)
                    .thenComparing(e -> e.item().id()));
            return out;
        });
    }

    @Override
    public boolean settle(
            String id,
            String claimer,
            Status status,
            Instant at,
            Instant nextAttemptAt,
            @Nullable String result,
            @Nullable String error) {
        boolean retry = status == Status.PENDING;
        return writes.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE export_outbox SET status = ?, attempts = attempts"
                    + " + ?, next_attempt = ?, done = ?, result = ?, error = ?, claimed_by = NULL, claimed_until ="
                    + " NULL WHERE id = ? AND claimed_by = ?")) {
                s.setString(1, status.wire());
                s.setInt(2, retry ? 1 : 0);
                s.setLong(3, UsageRow.nanos(retry ? nextAttemptAt : at));
                if (retry) {
                    s.setNull(4, Types.BIGINT);
                } else {
                    s.setLong(4, UsageRow.nanos(at));
                }
                s.setString(5, result);
                s.setString(6, error);
                s.setString(7, id);
                s.setString(8, claimer);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<OutboxEntry> entries(@Nullable Status status, @Nullable String afterId, int limit) {
        return writes.inTransaction(c -> {
            List<OutboxEntry> out = new ArrayList<>();
            String id = "id" + dialect.byteOrder();
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM export_outbox WHERE " + id
                    + " > ?" + (status == null ? "" : " AND status = ?") + " ORDER BY " + id + " LIMIT ?")) {
                int p = 1;
                s.setString(p++, afterId == null ? "" : afterId);
                if (status != null) {
                    s.setString(p++, status.wire());
                }
                s.setInt(p, limit);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(entry(rs));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public @Nullable String setting(String key) {
        return writes.inTransaction(c -> java.util.Optional.ofNullable(read(c, key)))
                .orElse(null);
    }

    @Override
    public String putSetting(String key, String value, boolean onlyIfAbsent) {
        return writes.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO export_settings (key, value) VALUES (?, ?) ON"
                    + " CONFLICT (key) DO " + (onlyIfAbsent ? "NOTHING" : "UPDATE SET value = excluded.value"))) {
                s.setString(1, key);
                s.setString(2, value);
                s.executeUpdate();
            }
            String now = read(c, key);
            if (now == null) {
                throw new StoreException("export setting " + key + " was not kept");
            }
            return now;
        });
    }

    private static @Nullable String read(Connection c, String key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT value FROM export_settings WHERE key = ?")) {
            s.setString(1, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static OutboxEntry entry(ResultSet rs) throws SQLException {
        Map<String, String> fields = new LinkedHashMap<>();
        if (Json.parse(rs.getString(5)) instanceof Map<?, ?> m) {
            m.forEach((k, v) -> fields.put(String.valueOf(k), String.valueOf(v)));
        }
        ExportItem item = new ExportItem(
                rs.getString(1),
                ExportItem.Kind.valueOf(rs.getString(2).toUpperCase(java.util.Locale.ROOT)),
                rs.getString(3),
                rs.getString(4),
                fields,
                rs.getString(6));
        long done = rs.getLong(13);
        boolean hasDone = !rs.wasNull();
        return new OutboxEntry(
                item,
                Status.ofWire(rs.getString(7)),
                rs.getInt(8),
                UsageRow.ofNanos(rs.getLong(9)),
                rs.getString(10),
                rs.getString(11),
                UsageRow.ofNanos(rs.getLong(12)),
                hasDone ? UsageRow.ofNanos(done) : null);
    }
}
