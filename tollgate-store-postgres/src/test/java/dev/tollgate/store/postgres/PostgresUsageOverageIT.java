package dev.tollgate.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.journal.JournalCodec;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.UsageSource;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.UsageRow;
import dev.tollgate.testkit.PostgresTestSchema;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Migration 003 on a schema written before it: usage rows stored then get their overage, window and limit from the
 * journal's own records (the rows are derived state), and a usage record older than the usage table is indexed too.
 */
final class PostgresUsageOverageIT {
    private static final Instant T = Instant.parse("2026-01-06T10:00:00.123456789Z");
    private static final Instant END = Instant.parse("2026-02-06T00:00:00Z");

    @Test
    void usage_written_before_the_migration_is_read_back_with_its_overage_and_period() throws SQLException {
        try (PostgresTestSchema schema = PostgresTestSchema.create()) {
            Flyway.configure()
                    .dataSource(schema.url(), null, null)
                    .locations("classpath:db/migration/postgresql")
                    .target("002")
                    .load()
                    .migrate();
            JournalEntry.UsageRecorded indexed = usage("k1", "12", "2", T);
            JournalEntry.UsageRecorded unindexed = usage("k2", "3", "3", T.plusNanos(1));
            try (Connection c = DriverManager.getConnection(schema.url())) {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO journal (customer_id, type, at,"
                        + " idempotency_key, payload) VALUES (?, 'usage', now(), ?, ?)")) {
                    for (JournalEntry.UsageRecorded e : List.of(indexed, unindexed)) {
                        s.setString(1, e.customerId());
                        s.setString(2, e.idempotencyKey());
                        s.setString(3, JournalCodec.encode(e));
                        s.executeUpdate();
                    }
                }
                try (PreparedStatement s = c.prepareStatement("INSERT INTO usage (customer_id, occurred_nanos, feature,"
                        + " quantity, currency, credits, scope, dimensions) VALUES ('c', ?, 'q', 12, NULL, NULL,"
                        + " 'team', '{}')")) {
                    s.setLong(1, UsageRow.nanos(T));
                    s.executeUpdate();
                }
            }

            try (Store store = PostgresStores.open(schema.url())) {
                List<UsageRow> rows = store.usage("c", T, T.plusSeconds(1));
                assertThat(rows).containsExactly(UsageRow.of(indexed), UsageRow.of(unindexed));
                assertThat(rows.get(0).overage()).isEqualByComparingTo("2");
                assertThat(rows.get(0).windowEnd()).isEqualTo(END);
                assertThat(rows.get(1).overage()).isEqualByComparingTo("3");
            }
        }
    }

    private static JournalEntry.UsageRecorded usage(String key, String quantity, String overage, Instant at) {
        Decision answer = new Decision(
                true,
                null,
                null,
                new BigDecimal("10"),
                new BigDecimal(quantity),
                BigDecimal.ZERO,
                BigDecimal.ZERO,
                false,
                true,
                new BigDecimal(overage),
                END,
                null,
                true,
                null);
        return new JournalEntry.UsageRecorded(
                "c",
                at,
                key,
                "q",
                new BigDecimal(quantity),
                Instant.parse("2026-01-06T00:00:00Z"),
                new BigDecimal(overage),
                UsageSource.EVENT,
                at,
                "team",
                Map.of(),
                answer,
                null,
                null);
    }
}
