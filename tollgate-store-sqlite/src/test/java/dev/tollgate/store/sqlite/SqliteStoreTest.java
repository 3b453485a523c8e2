package dev.tollgate.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.engine.Decision;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.UsageSource;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SqliteStoreTest {
    private static final Instant T = Instant.parse("2026-01-06T10:00:00Z");

    @TempDir
    Path dir;

    private static JournalEntry usage(String customer, String key, String quantity) {
        Decision answer = new Decision(
                true,
                null,
                null,
                new BigDecimal("10"),
                new BigDecimal(quantity),
                BigDecimal.ZERO,
                null,
                false,
                false,
                BigDecimal.ZERO,
                null,
                null,
                true);
        return new JournalEntry.UsageRecorded(
                customer,
                T,
                key,
                "q",
                new BigDecimal(quantity),
                T,
                BigDecimal.ZERO,
                UsageSource.CONSUME,
                T,
                "team-a",
                Map.of("model", "gpt-4o"),
                answer);
    }

    private static JournalEntry customer(String id, @Nullable String key) {
        return new JournalEntry.CustomerUpserted(id, T, key, "Acme", Map.of("tier", "gold"), "Europe/Paris");
    }

    private static List<JournalEntry> all(Store store) {
        List<JournalEntry> out = new ArrayList<>();
        store.replay(out::add);
        return out;
    }

    @Test
    void appended_entries_replay_equal_and_in_order_across_batches() {
        List<JournalEntry> written = new ArrayList<>();
        try (Store store = SqliteStores.open(dir)) {
            for (int b = 0; b < 50; b++) {
                List<JournalEntry> batch = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    batch.add(usage("c" + (i % 3), "k" + b + "-" + i, "1." + (i + 1) % 10 + "5"));
                }
                store.append(batch);
                written.addAll(batch);
            }
            assertThat(all(store)).containsExactlyElementsOf(written);
            assertThat(store.entries("c1"))
                    .containsExactlyElementsOf(written.stream()
                            .filter(e -> "c1".equals(e.customerId()))
                            .toList());
        }
    }

    @Test
    void a_batch_with_a_repeated_key_fails_whole_and_stores_nothing() {
        try (Store store = SqliteStores.open(dir)) {
            store.append(List.of(usage("c", "k1", "1")));
            assertThatThrownBy(() -> store.append(List.of(usage("c", "k2", "1"), usage("c", "k1", "1"))))
                    .isInstanceOf(StoreException.class);
            assertThat(all(store)).hasSize(1);
            store.append(List.of(usage("other", "k1", "1"), customer("c", null), customer("c", null)));
            assertThat(all(store)).hasSize(4);
        }
    }

    @Test
    void entries_survive_reopening_with_exact_decimals() {
        JournalEntry tiny = usage("c", "tiny", "0.000000000001");
        JournalEntry big = usage("c", "big", "123456789012345.5");
        JournalEntry catalog = new JournalEntry.CatalogPublished(
                1, T, "ops", Map.of("features", List.of(Map.of("key", "q", "type", "metered"))));
        try (Store store = SqliteStores.open(dir)) {
            store.append(List.of(catalog, tiny, big, customer("c", "create-1")));
        }
        try (Store store = SqliteStores.open(dir)) {
            assertThat(store.ping()).isTrue();
            List<JournalEntry> back = all(store);
            assertThat(back).hasSize(4);
            assertThat(back.get(1)).isEqualTo(tiny);
            assertThat(back.get(2)).isEqualTo(big);
            assertThat(((JournalEntry.CatalogPublished) back.get(0)).document())
                    .isEqualTo(Map.of("features", List.of(Map.of("key", "q", "type", "metered"))));
        }
    }

    @Test
    void a_closed_store_refuses_writes_and_is_not_ready() {
        Store store = SqliteStores.open(dir);
        store.close();
        store.close();
        assertThat(store.ping()).isFalse();
        assertThatThrownBy(() -> store.append(List.of(customer("c", null)))).isInstanceOf(StoreException.class);
    }
}
