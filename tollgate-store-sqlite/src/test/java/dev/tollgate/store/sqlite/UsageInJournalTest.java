package dev.tollgate.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.journal.JournalCodec;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import dev.tollgate.core.journal.UsageSource;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.UsageRow;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration 004 on a data file written by the schema before it: the usage stored then is still read by time; since
 * migration 005 sessions' settlements are read beside usage, through the same partial index.
 */
final class UsageInJournalTest {
    private static final Instant T = Instant.parse("2026-01-06T10:00:00.123456789Z");

    @TempDir
    Path dir;

    @Test
    void usage_written_before_the_migration_is_read_from_the_journal_after_it() throws SQLException {
        Path file = dir.resolve("tollgate.db");
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:db/migration/sqlite")
                .target("003")
                .load()
                .migrate();
        List<JournalEntry> old = new ArrayList<>();
        for (int i = 0; i < 25_000; i++) {
            old.add(usage("c" + (i % 2), "k" + i, T.plusNanos(i)));
        }
        old.add(new JournalEntry.CustomerUpserted("c0", T, null, "Acme", Map.of(), "UTC", null));
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO journal (customer_id, type, at, idempotency_key, payload) VALUES (?, ?, ?, ?, ?)")) {
                for (JournalEntry e : old) {
                    s.setString(1, e.customerId());
                    s.setString(2, JournalCodec.type(e));
                    s.setString(3, e.at().toString());
                    s.setString(4, e.idempotencyKey());
                    s.setString(5, JournalCodec.encode(e));
                    s.addBatch();
                }
                s.executeBatch();
            }
            c.commit();
        }

        try (Store store = SqliteStores.open(dir)) {
            List<UsageRow> rows = store.usage("c1", T, T.plusNanos(10));
            assertThat(rows)
                    .extracting(UsageRow::occurredAt)
                    .containsExactly(T.plusNanos(1), T.plusNanos(3), T.plusNanos(5), T.plusNanos(7), T.plusNanos(9));
            assertThat(rows.get(0).dimensions()).isEqualTo(Map.of("model", "gpt-4o"));
            assertThat(store.usage("c0", T, T.plusSeconds(1))).hasSize(12_500);
            assertThat(store.entries("c0")).hasSize(12_501);
        }
        try (Connection c = DriverManager.getConnection(url);
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "SELECT count(*) FROM sqlite_master WHERE name IN ('usage', 'journal_customer')")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1))
                    .as("the second copy and the unused index are gone")
                    .isZero();
        }
    }

    @Test
    void usage_and_settlements_are_read_through_the_partial_index() throws SQLException {
        try (Store store = SqliteStores.open(dir)) {
            store.append(
                    List.of(
                            JournalRecord.of(usage("c", "k1", T)),
                            JournalRecord.of(new JournalEntry.SessionSettled(
                                    "c", T.plusSeconds(1), null, "c@s1", "team", "credits", new BigDecimal("0.35")))),
                    List.of());
            assertThat(store.usage("c", T, T.plusSeconds(2)))
                    .extracting(UsageRow::feature, UsageRow::credits, UsageRow::scope)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("q", null, null),
                            org.assertj.core.groups.Tuple.tuple(null, new BigDecimal("0.35"), "team"));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("tollgate.db"));
                PreparedStatement plan = c.prepareStatement("EXPLAIN QUERY PLAN " + SqliteStore.USAGE)) {
            plan.setString(1, "c");
            plan.setLong(2, 0);
            plan.setLong(3, Long.MAX_VALUE);
            StringBuilder steps = new StringBuilder();
            try (ResultSet rs = plan.executeQuery()) {
                while (rs.next()) {
                    steps.append(rs.getString("detail")).append('\n');
                }
            }
            assertThat(steps.toString()).contains("USING INDEX journal_usage");
        }
    }

    private static JournalEntry usage(String customer, String key, Instant occurredAt) {
        return new JournalEntry.UsageRecorded(
                customer,
                T,
                key,
                "q",
                BigDecimal.ONE,
                T,
                BigDecimal.ZERO,
                UsageSource.EVENT,
                occurredAt,
                null,
                Map.of("model", "gpt-4o"),
                Decision.plain(true, null, null, null).asRecorded(),
                null,
                null);
    }
}
