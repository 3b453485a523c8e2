package dev.tollgate.testkit.contract;

import static dev.tollgate.testkit.contract.Records.T;
import static dev.tollgate.testkit.contract.Records.all;
import static dev.tollgate.testkit.contract.Records.append;
import static dev.tollgate.testkit.contract.Records.counter;
import static dev.tollgate.testkit.contract.Records.counters;
import static dev.tollgate.testkit.contract.Records.customer;
import static dev.tollgate.testkit.contract.Records.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.catalog.CatalogOrigin;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import dev.tollgate.core.store.UsageRow;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Store} must do, as tests. It runs on every store its test class lists ({@link
 * StoreSuite}); each test method starts from empty data, and reopening within a test must see the same data.
 *
 * <p>In the manner of Bucket4j's backend-agnostic suites: the promises of the SPI are written once, here, and every
 * backend runs them unchanged.
 */
public abstract class StoreContract extends StoreSuite {

    @Test
    void appended_entries_replay_equal_and_in_order_across_batches() {
        List<JournalEntry> written = new ArrayList<>();
        try (Store store = openStore()) {
            for (int b = 0; b < 50; b++) {
                List<JournalEntry> batch = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    batch.add(usage("c" + (i % 3), "k" + b + "-" + i, "1." + (i + 1) % 10 + "5"));
                }
                append(store, batch, List.of());
                written.addAll(batch);
            }
            assertThat(all(store)).containsExactlyElementsOf(written);
            assertThat(store.entries("c1"))
                    .containsExactlyElementsOf(written.stream()
                            .filter(e -> "c1".equals(e.customerId()))
                            .toList());
            assertThat(store.entries("nobody")).isEmpty();
        }
    }

    @Test
    void a_record_is_found_by_its_customer_and_idempotency_key() {
        JournalEntry first = usage("c", "k1", "1.5");
        try (Store store = openStore()) {
            append(store, List.of(first, usage("other", "k1", "2"), customer("c", null)), List.of());
            append(store, List.of(usage("c", "k2", "3")), List.of());
            assertThat(store.entry("c", "k1")).isEqualTo(first);
            assertThat(store.entry("c", "k2")).isEqualTo(usage("c", "k2", "3"));
            assertThat(store.entry("other", "k1")).isEqualTo(usage("other", "k1", "2"));
            assertThat(store.entry("c", "k3")).isNull();
            assertThat(store.entry("nobody", "k1")).isNull();
        }
    }

    @Test
    void a_batch_with_a_repeated_key_fails_whole_and_stores_nothing() {
        try (Store store = openStore()) {
            append(store, List.of(usage("c", "k1", "1")), List.of(counter("c", "1")));
            assertThatThrownBy(() -> append(
                            store, List.of(usage("c", "k2", "1"), usage("c", "k1", "1")), List.of(counter("c", "3"))))
                    .isInstanceOf(StoreException.class);
            assertThat(all(store)).hasSize(1);
            assertThat(counters(store))
                    .singleElement()
                    .satisfies(c -> assertThat(c.used()).isEqualByComparingTo("1"));

            append(store, List.of(usage("other", "k1", "1"), customer("c", null), customer("c", null)), List.of());
            assertThat(all(store))
                    .as("keys are per customer; records without a key repeat freely")
                    .hasSize(4);
        }
    }

    @Test
    void records_are_found_by_many_keys_of_a_customer_at_once() {
        try (Store store = openStore()) {
            List<JournalEntry> batch = new ArrayList<>();
            for (int i = 0; i < 1200; i++) {
                batch.add(usage("c", "k" + i, "1"));
            }
            append(store, batch, List.of());
            append(store, List.of(usage("other", "x", "2"), customer("c", null)), List.of());
            List<String> even = new ArrayList<>();
            for (int i = 0; i < 1200; i += 2) {
                even.add("k" + i); // more keys than one query binds in the SQL stores
            }
            List<String> asked = new ArrayList<>(even);
            asked.addAll(List.of("k0", "x", "never"));

            Map<String, JournalEntry> found = store.entriesByKey("c", asked);

            assertThat(found).containsOnlyKeys(even);
            assertThat(found.get("k0")).isEqualTo(batch.get(0));
            assertThat(found.get("k1198")).isEqualTo(batch.get(1198));
            assertThat(store.entriesByKey("other", List.of("x", "k0"))).containsOnlyKeys("x");
            assertThat(store.entriesByKey("c", List.of())).isEmpty();
        }
    }

    @Test
    void a_large_batch_with_a_repeated_key_near_its_end_fails_whole_and_stores_nothing() {
        try (Store store = openStore()) {
            append(store, List.of(usage("c", "k1", "1")), List.of(counter("c", "1")));
            // a store may write a batch in several statements: the repeat is in a late one, after others ran
            List<JournalEntry> batch = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                batch.add(usage("c", i == 777 ? "k1" : "big-" + i, "1"));
            }
            assertThatThrownBy(() -> append(store, batch, List.of(counter("c", "1000"))))
                    .isInstanceOf(StoreException.class);
            assertThat(all(store)).hasSize(1);
            assertThat(counters(store))
                    .singleElement()
                    .satisfies(c -> assertThat(c.used()).isEqualByComparingTo("1"));
            assertThat(store.entry("c", "big-0")).isNull();
        }
    }

    @Test
    void a_batch_that_fails_outside_sql_leaves_nothing_for_the_next_commit_to_carry() {
        try (Store store = openStore()) {
            JournalEntry first = usage("c", "k1", "1");
            // an entry the store cannot even bind (no time): the failure is the store's code, not the database's
            JournalEntry broken = new JournalEntry.CustomerUpserted("c", null, null, "Acme", Map.of(), "UTC", null);
            JournalRecord unbindable = new JournalRecord(
                    broken, "customer", JournalRecord.of(first).payload());
            assertThatThrownBy(() -> store.append(List.of(JournalRecord.of(first), unbindable), List.of()))
                    .isInstanceOf(StoreException.class);

            JournalEntry next = usage("c", "k2", "1");
            append(store, List.of(next), List.of());
            assertThat(all(store))
                    .as("the failed batch's first record was not committed with the next")
                    .containsExactly(next);
        }
    }

    @Test
    void counters_are_upserted_with_exact_decimals_and_the_last_value_wins() {
        Instant feb = Instant.parse("2026-02-01T00:00:00Z");
        try (Store store = openStore()) {
            append(store, List.of(usage("c", "a", "1")), List.of(counter("c", "0.000000000001")));
            append(
                    store,
                    List.of(usage("c", "b", "1")),
                    List.of(
                            counter("c", "123456789012345678901234.5"),
                            new CounterValue("c", "q", feb, new BigDecimal("2"), new BigDecimal("0.5")),
                            counter("d", "7")));
            append(store, List.of(usage("d", "c", "1")), List.of(counter("d", "0")));

            assertThat(counters(store)).hasSize(3).allSatisfy(c -> {
                if (c.customerId().equals("d")) {
                    assertThat(c.used()).as("a reset counter is stored as zero").isEqualByComparingTo("0");
                } else if (c.windowStart().equals(feb)) {
                    assertThat(c.used()).isEqualByComparingTo("2");
                    assertThat(c.overage()).isEqualByComparingTo("0.5");
                } else {
                    assertThat(c.windowStart()).isEqualTo(T);
                    assertThat(c.used()).isEqualByComparingTo("123456789012345678901234.5");
                }
            });
        }
    }

    @Test
    void entries_and_counters_survive_reopening() {
        JournalEntry tiny = usage("c", "tiny", "0.000000000001");
        JournalEntry big = usage("c", "big", "123456789012345.5");
        Map<String, Object> document = Map.of("features", List.of(Map.of("key", "q", "type", "metered")));
        JournalEntry catalog = new JournalEntry.CatalogPublished(1, T, "ops", document, null);
        try (Store store = openStore()) {
            append(store, List.of(catalog, tiny, big, customer("c", "create-1")), List.of(counter("c", "5")));
        }
        try (Store store = openStore()) {
            assertThat(store.ping()).isTrue();
            List<JournalEntry> back = all(store);
            assertThat(back).hasSize(4);
            assertThat(back.get(1)).isEqualTo(tiny);
            assertThat(back.get(2)).isEqualTo(big);
            assertThat(back.get(3)).isEqualTo(customer("c", "create-1"));
            assertThat(((JournalEntry.CatalogPublished) back.get(0)).document()).isEqualTo(document);
            assertThat(counters(store))
                    .singleElement()
                    .satisfies(c -> assertThat(c.used()).isEqualByComparingTo("5"));
        }
    }

    @Test
    void a_catalog_record_keeps_the_start_up_file_it_came_from() {
        Map<String, Object> document = Map.of("features", List.of(Map.of("key", "q", "type", "metered")));
        CatalogOrigin origin = CatalogOrigin.ofFile("catalog.yaml", document);
        JournalEntry fromFile = new JournalEntry.CatalogPublished(1, T, origin.author(), document, origin);
        JournalEntry fromApi = new JournalEntry.CatalogPublished(2, T, "api", document, null);
        try (Store store = openStore()) {
            append(store, List.of(fromFile, fromApi), List.of());
        }
        try (Store store = openStore()) {
            assertThat(all(store)).containsExactly(fromFile, fromApi);
        }
    }

    @Test
    void a_large_batch_commits_in_one_call() {
        try (Store store = openStore()) {
            List<JournalEntry> batch = new ArrayList<>();
            List<CounterValue> values = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                batch.add(usage("c" + i % 100, "k" + i, "1"));
            }
            for (int c = 0; c < 100; c++) {
                values.add(counter("c" + c, "50"));
            }
            append(store, batch, values);
            assertThat(all(store)).hasSize(5000);
            assertThat(counters(store)).hasSize(100);
        }
    }

    @Test
    void reads_run_beside_a_writer_and_see_whole_batches_only() throws Exception {
        try (Store store = openStore()) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<?> writer = pool.submit(() -> {
                    for (int b = 0; b < 100; b++) {
                        append(
                                store,
                                List.of(usage("c", "a" + b, "1"), usage("c", "b" + b, "1")),
                                List.of(counter("c", String.valueOf(2 * (b + 1)))));
                    }
                });
                int reads = 0;
                do {
                    assertThat(store.entries("c").size() % 2)
                            .as("a reader never sees half a batch")
                            .isZero();
                    reads++;
                } while (!writer.isDone());
                writer.get();
                assertThat(reads).isPositive();
            } finally {
                pool.shutdownNow();
            }
            assertThat(store.entries("c")).hasSize(200);
        }
    }

    @Test
    void usage_rows_are_kept_with_their_records_and_read_by_customer_and_time_range() {
        try (Store store = openStore()) {
            append(store, List.of(usage("c", "u1", "1.5"), usage("d", "u2", "2"), customer("c", null)), List.of());
            assertThatThrownBy(() -> append(store, List.of(usage("c", "u3", "9"), usage("c", "u1", "9")), List.of()))
                    .isInstanceOf(StoreException.class);

            List<UsageRow> rows = store.usage("c", T, T.plusNanos(1));
            assertThat(rows)
                    .as("the failed batch wrote no usage row")
                    .singleElement()
                    .satisfies(r -> {
                        assertThat(r.quantity()).isEqualByComparingTo("1.5");
                        assertThat(r.occurredAt()).isEqualTo(T);
                        assertThat(r.scope()).isEqualTo("team-a");
                        assertThat(r.dimensions())
                                .containsEntry("model", "gpt-4o")
                                .containsEntry("note", "naïve ✓ \"quoted\"");
                    });
            assertThat(store.usage("c", T.plusNanos(1), T.plusSeconds(60)))
                    .as("to is exclusive, from inclusive")
                    .isEmpty();
            assertThat(store.usage("c", T.minusSeconds(60), T)).isEmpty();
        }
    }

    @Test
    void usage_rows_carry_the_overage_period_and_limit_of_their_record_also_after_reopening() {
        JournalEntry.UsageRecorded over = Records.overage("c", "o1", "12", "2.5");
        try (Store store = openStore()) {
            append(store, List.of(over, usage("c", "u1", "1")), List.of());
        }
        try (Store store = openStore()) {
            List<UsageRow> rows = store.usage("c", T, T.plusNanos(1));
            assertThat(rows).hasSize(2);
            assertThat(rows.get(0)).isEqualTo(UsageRow.of(over));
            assertThat(rows.get(0).overage()).isEqualByComparingTo("2.5");
            assertThat(rows.get(0).windowStart()).isEqualTo(T);
            assertThat(rows.get(0).windowEnd()).isEqualTo(T.plus(Duration.ofDays(30)));
            assertThat(rows.get(0).limit()).isEqualByComparingTo("10");
            assertThat(rows.get(1).overage()).isEqualByComparingTo("0");
            assertThat(rows.get(1).windowEnd()).isNull();
        }
    }

    @Test
    void usage_is_read_over_ranges_whose_ends_are_beyond_nanosecond_counts() {
        try (Store store = openStore()) {
            append(store, List.of(usage("c", "u1", "1.5")), List.of());
            // the API's defaults when a query gives no range: nanoseconds since 1970 overflow a long past 2262
            Instant from = Instant.parse("0000-01-01T00:00:00Z");
            Instant to = Instant.parse("9999-12-31T23:59:59Z");
            assertThat(store.usage("c", from, to))
                    .singleElement()
                    .satisfies(r -> assertThat(r.occurredAt()).isEqualTo(T));
            assertThat(store.usage("c", Instant.parse("2263-01-01T00:00:00Z"), to))
                    .isEmpty();
            assertThat(store.usage("c", from, Instant.parse("1600-01-01T00:00:00Z")))
                    .isEmpty();
        }
    }

    @Test
    void a_closed_store_refuses_writes_and_is_not_ready() {
        Store store = openStore();
        store.close();
        store.close();
        assertThat(store.ping()).isFalse();
        assertThatThrownBy(() -> append(store, List.of(customer("c", null)), List.of()))
                .isInstanceOf(StoreException.class);
    }
}
