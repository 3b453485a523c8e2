package dev.tollgate.store.sqlite;

import dev.tollgate.core.journal.JournalCodec;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.store.UsageRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.jspecify.annotations.Nullable;

/**
 * Migration 004: attribution reads usage from the journal itself instead of a second table.
 *
 * <p>Why: every usage record was written twice, once in the journal and once as a {@code usage} row with its own
 * index, and the journal had an index on {@code (customer_id, seq)} that only a rare rebuild used. On the group
 * commit's one writer those were five B-tree inserts per usage; now there are three (the row, the idempotency index
 * and a partial index on customer and time over usage records only). A customer's entries are read through the
 * idempotency index, whose first column is the customer.
 *
 * <p>What it does, in one transaction: adds {@code occurred_nanos} to the journal, fills it for every stored usage
 * record from its own payload (decoded by the same codec that wrote it, so no row depends on the old table), indexes
 * it, and drops the {@code usage} table and the {@code journal_customer} index. Written in Java because nanoseconds
 * since the epoch cannot be computed exactly from an ISO-8601 text in SQLite's SQL.
 */
final class UsageInJournal implements JavaMigration {
    private static final int CHUNK = 10_000;

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("004");
    }

    @Override
    public String getDescription() {
        return "usage in journal";
    }

    @Override
    public @Nullable Integer getChecksum() {
        return null;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE journal ADD COLUMN occurred_nanos INTEGER");
        }
        long after = 0;
        while (true) {
            List<long[]> chunk = new ArrayList<>(CHUNK);
            try (PreparedStatement read = c.prepareStatement(
                    "SELECT seq, payload FROM journal WHERE type = 'usage' AND seq > ? ORDER BY seq LIMIT " + CHUNK)) {
                read.setLong(1, after);
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        JournalEntry.UsageRecorded u =
                                (JournalEntry.UsageRecorded) JournalCodec.decode("usage", rs.getString(2));
                        chunk.add(new long[] {rs.getLong(1), UsageRow.of(u).occurredNanos()});
                    }
                }
            }
            if (chunk.isEmpty()) {
                break;
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE journal SET occurred_nanos = ? WHERE seq = ?")) {
                for (long[] row : chunk) {
                    update.setLong(1, row[1]);
                    update.setLong(2, row[0]);
                    update.addBatch();
                }
                update.executeBatch();
            }
            after = chunk.get(chunk.size() - 1)[0];
        }
        try (Statement s = c.createStatement()) {
            s.execute("CREATE INDEX journal_usage ON journal (customer_id, occurred_nanos) WHERE type = 'usage'");
            s.execute("DROP INDEX journal_customer");
            s.execute("DROP TABLE usage");
        }
    }
}
