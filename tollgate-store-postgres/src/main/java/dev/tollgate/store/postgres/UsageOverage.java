package dev.tollgate.store.postgres;

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
 * Migration 003: usage rows carry what billing reads back, their overage and the window (period) they counted in with
 * its limit and end.
 *
 * <p>Why: the overage of soft limits, and of usage reported past hard ones, was kept only in the journal's usage
 * records and the live counters, so neither attribution nor a billing export could show it per feature and period.
 *
 * <p>What it does, in one transaction: adds the columns, then rebuilds the whole {@code usage} table from the journal's
 * usage records, decoded by the same codec that wrote them ({@link UsageRow#of}), in append order. The table is
 * derived state, so the rebuild invents nothing; it also adds any usage record stored before the table existed.
 * Written in Java because the values come from the records' JSON payloads and nanosecond instants.
 */
final class UsageOverage implements JavaMigration {
    private static final int CHUNK = 10_000;

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("003");
    }

    @Override
    public String getDescription() {
        return "usage overage and window";
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
            s.execute("ALTER TABLE usage ADD COLUMN overage numeric NOT NULL DEFAULT 0,"
                    + " ADD COLUMN window_start text, ADD COLUMN limit_quantity numeric, ADD COLUMN window_end text");
            s.execute("DELETE FROM usage");
        }
        long after = 0;
        while (true) {
            List<UsageRow> rows = new ArrayList<>(CHUNK);
            try (PreparedStatement read = c.prepareStatement(
                    "SELECT seq, payload FROM journal WHERE type = 'usage' AND seq > ? ORDER BY seq LIMIT " + CHUNK)) {
                read.setLong(1, after);
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        after = rs.getLong(1);
                        rows.add(UsageRow.of(
                                (JournalEntry.UsageRecorded) JournalCodec.decode("usage", rs.getString(2))));
                    }
                }
            }
            if (rows.isEmpty()) {
                break;
            }
            PostgresStore.insertUsage(c, rows);
        }
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE usage ALTER COLUMN window_start SET NOT NULL");
        }
    }
}
