package dev.tollgate.testkit.contract;

import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import dev.tollgate.core.journal.UsageSource;
import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.Store;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Ready-made records and counters for store tests. */
final class Records {
    static final Instant T = Instant.parse("2026-01-06T10:00:00Z");

    private Records() {}

    static JournalEntry usage(String customer, String key, String quantity) {
        return usage(
                customer, key, quantity, "0", null, "team-a", Map.of("model", "gpt-4o", "note", "naïve ✓ \"quoted\""));
    }

    /** Usage past a limit of 10 in the window [T, T + 30 days): {@code overage} of {@code quantity} beyond it. */
    static JournalEntry.UsageRecorded overage(String customer, String key, String quantity, String overage) {
        return usage(customer, key, quantity, overage, T.plus(Duration.ofDays(30)), null, Map.of());
    }

    private static JournalEntry.UsageRecorded usage(
            String customer,
            String key,
            String quantity,
            String overage,
            @Nullable Instant windowEnd,
            @Nullable String scope,
            Map<String, String> dimensions) {
        BigDecimal over = new BigDecimal(overage);
        Decision answer = new Decision(
                true,
                null,
                null,
                new BigDecimal("10"),
                new BigDecimal(quantity),
                BigDecimal.ZERO,
                null,
                false,
                over.signum() > 0,
                over,
                windowEnd,
                null,
                true,
                null);
        return new JournalEntry.UsageRecorded(
                customer,
                T,
                key,
                "q",
                new BigDecimal(quantity),
                T,
                over,
                UsageSource.CONSUME,
                T,
                scope,
                dimensions,
                answer,
                null,
                null);
    }

    static JournalEntry customer(String id, @Nullable String key) {
        return new JournalEntry.CustomerUpserted(id, T, key, "Acme", Map.of("tier", "gold"), "Europe/Paris", null);
    }

    static CounterValue counter(String customer, String used) {
        return new CounterValue(customer, "q", T, new BigDecimal(used), BigDecimal.ZERO);
    }

    /** Encodes {@code entries} as the group commit does and appends them. */
    static void append(Store store, List<? extends JournalEntry> entries, List<CounterValue> values) {
        store.append(JournalRecord.all(entries), values);
    }

    static List<JournalEntry> all(Store store) {
        List<JournalEntry> out = new ArrayList<>();
        store.replay(out::add);
        return out;
    }

    static List<CounterValue> counters(Store store) {
        List<CounterValue> out = new ArrayList<>();
        store.counters(out::add);
        return out;
    }
}
