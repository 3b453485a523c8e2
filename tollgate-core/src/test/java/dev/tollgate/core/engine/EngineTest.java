package dev.tollgate.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.EventResult;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.PromotionRequest;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.api.UsageEvent;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.engine.internal.IdempotencyKeys;
import dev.tollgate.core.store.StoreException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class EngineTest {
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-01-06T10:00:00Z"));

    private final ListStore store = new ListStore();
    private Engine engine;

    @BeforeEach
    void start() throws Exception {
        engine = Engine.start(store, CLOCK, null);
        Map<String, Object> catalog = Map.of(
                "features", List.of(Map.of("key", "q", "type", "metered")),
                "plans", List.of(Map.of("key", "p", "entitlements", Map.of("q", Map.of("limit", 1_000_000)))));
        engine.publishCatalog(catalog, "test").get();
        engine.upsertCustomer("c", new CustomerUpdate("C", Map.of(), null), null)
                .get();
        engine.subscribe("c", new SubscriptionRequest("p", List.of(), null, null, null))
                .get();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private CompletableFuture<Outcome<Decision>> consume(String key, int quantity) {
        return engine.consume(new ConsumeRequest("c", "q", BigDecimal.valueOf(quantity), key, null, Map.of()));
    }

    private BigDecimal used() {
        return engine.check(new CheckRequest("c", "q", null, null, Map.of())).used();
    }

    @Test
    void a_failed_commit_fails_the_write_and_its_effect_disappears_from_memory() throws Exception {
        consume("ok-1", 5).get();
        store.failAppends = true;

        assertThatThrownBy(() -> consume("lost", 7).get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StoreException.class);

        assertThat(used())
                .as("checks answer from memory, without the lost write")
                .isEqualByComparingTo("5");
        assertThat(engine.writable()).isFalse();
        assertThatThrownBy(() -> consume("while-down", 1))
                .as("writes fail fast while the store is down")
                .isInstanceOfSatisfying(
                        TollgateException.class, e -> assertThat(e.code()).isEqualTo("STORE_UNAVAILABLE"));
        assertThat(engine.consume(new ConsumeRequest("c", "q", BigDecimal.valueOf(5), "ok-1", null, Map.of()))
                        .get()
                        .replayed())
                .as("a durable key still replays from memory")
                .isTrue();

        store.failAppends = false;
        awaitWritable();
        Outcome<Decision> retried = consume("lost", 7).get();
        assertThat(retried.replayed())
                .as("the lost key was never stored, so it is new")
                .isFalse();
        assertThat(used()).isEqualByComparingTo("12");
        assertThat(Verifier.verify(store).differences()).isEmpty();
    }

    @Test
    void a_commit_in_doubt_is_resolved_from_the_store_when_it_answers_again() throws Exception {
        consume("ok-1", 5).get();
        store.storeThenFail = true;

        assertThatThrownBy(() -> consume("in-doubt", 7).get()).hasCauseInstanceOf(StoreException.class);
        assertThat(used()).as("restored from the durable shadow at once").isEqualByComparingTo("5");

        store.storeThenFail = false;
        awaitWritable();
        assertThat(used())
                .as("the store holds the record, so after resync it counts")
                .isEqualByComparingTo("12");
        assertThat(consume("in-doubt", 7).get().replayed()).isTrue();
        assertThat(Verifier.verify(store).differences()).isEmpty();
    }

    private void awaitWritable() throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!engine.writable()) {
            assertThat(System.nanoTime()).as("writable again within 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void verify_finds_a_stored_counter_that_disagrees_with_the_records() throws Exception {
        consume("k1", 3).get();
        consume("k2", 4).get();
        assertThat(Verifier.verify(store).consistent()).isTrue();

        store.tamperCounters(new BigDecimal("8"));

        Verifier.Report report = Verifier.verify(store);
        assertThat(report.differences())
                .singleElement()
                .asString()
                .contains("customer c feature q")
                .contains("stored used=8")
                .contains("records give used=7");
    }

    @Test
    void a_key_older_than_the_recent_ones_replays_its_first_answer_from_the_store() throws Exception {
        Decision first = consume("old", 3).get().value();
        for (int i = 0; i < IdempotencyKeys.RECENT + 10; i++) {
            consume("later-" + i, 1).get();
        }
        BigDecimal before = used();

        Outcome<Decision> again = consume("old", 3).get();
        assertThat(again.replayed()).isTrue();
        assertThat(again.value()).isEqualTo(first);
        assertThat(used()).as("a replay changes nothing").isEqualByComparingTo(before);
        assertThat(consume("new", 2).get().replayed()).isFalse();
        assertThat(used()).isEqualByComparingTo(before.add(BigDecimal.valueOf(2)));

        engine.close();
        engine = Engine.start(store, CLOCK, null);
        assertThat(consume("old", 3).get().value()).as("also after a restart").isEqualTo(first);
        assertThat(Verifier.verify(store).differences()).isEmpty();
    }

    @Test
    void a_key_older_than_the_recent_ones_is_refused_to_another_kind_of_write_from_the_store() throws Exception {
        consume("old", 3).get();
        for (int i = 0; i < IdempotencyKeys.RECENT + 10; i++) {
            consume("later-" + i, 1).get();
        }
        BigDecimal before = used();

        assertThat(engine.report(List.of(event("old", 3))).get())
                .as("an event with a consume's key")
                .containsExactly(new EventResult(EventResult.Status.REJECTED, Reason.IDEMPOTENCY_KEY_REUSED, false));
        assertThatThrownBy(() -> engine.subscribe("c", new SubscriptionRequest("p", List.of(), null, null, "old")))
                .isInstanceOfSatisfying(
                        TollgateException.class, e -> assertThat(e.code()).isEqualTo("IDEMPOTENCY_KEY_REUSED"));
        assertThatThrownBy(() -> engine.promote(
                        "c", new PromotionRequest("q", Map.of("limit", BigDecimal.TEN), null, null, "old")))
                .as("a promotion read the consume's record as its own before (ClassCastException, 500)")
                .isInstanceOfSatisfying(
                        TollgateException.class, e -> assertThat(e.code()).isEqualTo("IDEMPOTENCY_KEY_REUSED"));
        assertThatThrownBy(() -> engine.upsertCustomer("c", new CustomerUpdate("C", Map.of(), null), "old"))
                .isInstanceOfSatisfying(
                        TollgateException.class, e -> assertThat(e.code()).isEqualTo("IDEMPOTENCY_KEY_REUSED"));
        assertThat(consume("old", 3).get().replayed()).isTrue();
        assertThat(used()).isEqualByComparingTo(before);
        assertThat(Verifier.verify(store).differences()).isEmpty();
    }

    @Test
    void an_old_key_the_store_cannot_confirm_rejects_that_event_only_and_leaves_nothing_half_applied()
            throws Exception {
        // an event's key: repeated by an event it is a duplicate (a consume's key would be IDEMPOTENCY_KEY_REUSED)
        engine.report(List.of(event("old", 3))).get();
        for (int i = 0; i < IdempotencyKeys.RECENT + 10; i++) {
            consume("later-" + i, 1).get();
        }
        BigDecimal before = used();
        store.failReads = true;

        List<EventResult> results =
                engine.report(List.of(event("new", 2), event("old", 3))).get(10, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(results.get(0).status()).isEqualTo(EventResult.Status.ACCEPTED);
        assertThat(results.get(1))
                .as("regression: the store error escaped after 'new' was applied but never journaled")
                .isEqualTo(new EventResult(EventResult.Status.REJECTED, Reason.STORE_UNAVAILABLE, false));
        assertThat(used()).isEqualByComparingTo(before.add(BigDecimal.valueOf(2)));

        store.failReads = false;
        List<EventResult> again =
                engine.report(List.of(event("new", 2), event("old", 3))).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(again)
                .extracting(EventResult::status)
                .containsExactly(EventResult.Status.DUPLICATE, EventResult.Status.DUPLICATE);
        assertThat(used()).isEqualByComparingTo(before.add(BigDecimal.valueOf(2)));
        assertThat(Verifier.verify(store).differences()).isEmpty();
    }

    @Test
    void a_resent_batch_of_events_reads_the_keys_no_longer_in_memory_from_the_store_at_once() throws Exception {
        List<UsageEvent> batch = new ArrayList<>();
        for (int i = 0; i < IdempotencyKeys.RECENT + 172; i++) {
            batch.add(event("e" + i, 1));
        }
        assertThat(engine.report(batch).get())
                .extracting(EventResult::status)
                .containsOnly(EventResult.Status.ACCEPTED);
        consume("later", 1).get(); // the recent records are trimmed as a key is added: 173 of the batch's leave
        BigDecimal before = used();
        int reads = store.keyReads.get();

        List<EventResult> again = engine.report(batch).get();

        assertThat(again)
                .hasSize(batch.size())
                .extracting(EventResult::status)
                .containsOnly(EventResult.Status.DUPLICATE);
        assertThat(store.keyReads.get() - reads)
                .as("one read for every key no longer in memory, not one read a key (173 before)")
                .isEqualTo(1);
        assertThat(used()).isEqualByComparingTo(before);

        List<EventResult> mixed = engine.report(
                        List.of(event("e0", 1), event("e1", 5), event("fresh", 1), event("fresh", 1), event("e299", 1)))
                .get();
        assertThat(mixed)
                .as("old and same, old and different, new, new again in the batch, old and in memory")
                .containsExactly(
                        new EventResult(EventResult.Status.DUPLICATE, null, false),
                        new EventResult(EventResult.Status.REJECTED, Reason.IDEMPOTENCY_KEY_REUSED, false),
                        new EventResult(EventResult.Status.ACCEPTED, null, false),
                        new EventResult(EventResult.Status.DUPLICATE, null, false),
                        new EventResult(EventResult.Status.DUPLICATE, null, false));
        assertThat(used()).isEqualByComparingTo(before.add(BigDecimal.ONE));
        assertThat(Verifier.verify(store).differences()).isEmpty();
    }

    private static UsageEvent event(String key, int quantity) {
        return new UsageEvent(key, "c", "q", BigDecimal.valueOf(quantity), null, Map.of(), null, null);
    }

    @Test
    void a_restarted_engine_rebuilds_usage_and_answers_repeated_keys() throws Exception {
        Decision first = consume("k1", 3).get().value();
        consume("k2", 4).get();
        engine.close();

        engine = Engine.start(store, CLOCK, null);

        assertThat(used()).isEqualByComparingTo("7");
        Outcome<Decision> again = consume("k1", 3).get();
        assertThat(again.replayed()).isTrue();
        assertThat(again.value()).isEqualTo(first);
    }

    @Test
    void a_key_repeated_inside_one_events_batch_is_a_duplicate_and_the_batch_completes() throws Exception {
        UsageEvent e = new UsageEvent("dup", "c", "q", BigDecimal.ONE, null, Map.of(), null);
        List<EventResult> results = engine.report(List.of(e, e)).get();
        assertThat(results)
                .extracting(EventResult::status)
                .containsExactly(EventResult.Status.ACCEPTED, EventResult.Status.DUPLICATE);
        assertThat(used()).isEqualByComparingTo("1");
    }

    @Test
    void concurrent_writes_share_commits() throws Exception {
        int before = store.appends.get();
        List<Thread> threads = new ArrayList<>();
        List<CompletableFuture<Outcome<Decision>>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 16; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    futures.add(consume("t" + thread + "-" + i, 1));
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get();
        assertThat(used()).isEqualByComparingTo("3200");
        assertThat(store.appends.get() - before).isLessThan(3200);
    }
}
