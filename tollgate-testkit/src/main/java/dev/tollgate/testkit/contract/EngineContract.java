package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.engine.CheckRequest;
import dev.tollgate.core.engine.ConsumeRequest;
import dev.tollgate.core.engine.CustomerUpdate;
import dev.tollgate.core.engine.CustomerView;
import dev.tollgate.core.engine.Decision;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.engine.EventResult;
import dev.tollgate.core.engine.Outcome;
import dev.tollgate.core.engine.SubscriptionRequest;
import dev.tollgate.core.engine.UsageEvent;
import dev.tollgate.core.engine.Verifier;
import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.MutableClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's promises that depend on the store, run on every store: exact admission under concurrency, state and
 * idempotency answers rebuilt after a restart, counters kept beside the records that {@link Verifier} agrees with.
 * A store's test class extends this and implements {@link #openStore()} as for {@link StoreContract}.
 */
public abstract class EngineContract {
    private static final Instant START = Instant.parse("2026-01-31T12:00:00Z");
    private static final Map<String, Object> CATALOG = Map.of(
            "features",
            List.of(
                    Map.of("key", "q", "type", "metered", "reset", "month"),
                    Map.of("key", "runs", "type", "metered", "reset", "day", "resetOnPlanChange", "always")),
            "plans",
            List.of(
                    Map.of(
                            "key",
                            "small",
                            "entitlements",
                            Map.of("q", Map.of("limit", 500), "runs", Map.of("limit", 9))),
                    Map.of(
                            "key",
                            "big",
                            "entitlements",
                            Map.of("q", Map.of("limit", 5000), "runs", Map.of("limit", 90)))));

    private final MutableClock clock = MutableClock.at(START);
    private @Nullable Store store;
    private @Nullable Engine engine;

    /**
     * Opens the store of the current test.
     *
     * @return an open store on this test's data; the suite closes it
     */
    protected abstract Store openStore();

    @BeforeEach
    void startEngine() throws Exception {
        restart();
        engine().publishCatalog(CATALOG, "contract").get();
        engine().upsertCustomer("acme", new CustomerUpdate("Acme", Map.of(), null), "create")
                .get();
        engine().subscribe("acme", new SubscriptionRequest("small", List.of(), null, null, "sub-1"))
                .get();
        engine().setScope("acme", "team", "team", null, "The team").get();
    }

    @AfterEach
    void stopEngine() {
        if (engine != null) {
            engine.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private void restart() {
        stopEngine();
        store = openStore();
        engine = Engine.start(store, clock, null);
    }

    private Engine engine() {
        assertThat(engine).isNotNull();
        return engine;
    }

    private CompletableFuture<Outcome<Decision>> consume(String feature, String key, long quantity) {
        return engine().consume(
                        new ConsumeRequest("acme", feature, BigDecimal.valueOf(quantity), key, "team", Map.of()));
    }

    private BigDecimal used(String feature) {
        return engine().check(new CheckRequest("acme", feature, null, null, Map.of()))
                .used();
    }

    private void assertVerified() {
        Verifier.Report report = Verifier.verify(store);
        assertThat(report.differences())
                .as("verify after " + report.records() + " records")
                .isEmpty();
    }

    @Test
    void many_threads_on_one_customer_admit_exactly_the_hard_limit_and_a_restart_agrees() throws Exception {
        int threads = 16;
        int each = 50;
        ConcurrentLinkedQueue<CompletableFuture<Outcome<Decision>>> answers = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            workers.add(new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < each; i++) {
                    answers.add(consume("q", "t" + thread + "-" + i, 1));
                }
            }));
        }
        workers.forEach(Thread::start);
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        long allowed = 0;
        for (CompletableFuture<Outcome<Decision>> a : answers) {
            if (a.get().value().allowed()) {
                allowed++;
            }
        }
        assertThat(answers).hasSize(threads * each);
        assertThat(allowed).isEqualTo(500);
        assertThat(used("q")).isEqualByComparingTo("500");
        assertVerified();

        restart();
        assertThat(used("q")).isEqualByComparingTo("500");
        assertThat(consume("q", "t0-0", 1).get().replayed()).isTrue();
        assertThat(consume("q", "one-more", 1).get().value().allowed()).isFalse();
    }

    @Test
    void a_restart_answers_repeated_keys_with_the_first_decision() throws Exception {
        Decision first = consume("q", "k1", 120).get().value();
        Decision denied = consume("q", "k2", 900).get().value();
        assertThat(denied.allowed()).isFalse();

        restart();

        Outcome<Decision> again = consume("q", "k1", 120).get();
        assertThat(again.replayed()).isTrue();
        assertThat(again.value()).isEqualTo(first);
        assertThat(consume("q", "k2", 900).get().value()).isEqualTo(denied);
        assertThat(used("q")).isEqualByComparingTo("120");
        assertVerified();
    }

    @Test
    void events_with_duplicates_count_once_and_survive_a_restart() throws Exception {
        List<UsageEvent> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            batch.add(new UsageEvent("e" + (i % 150), "acme", "q", new BigDecimal("0.5"), "team", Map.of(), null));
        }
        List<EventResult> results = engine().report(batch).get();
        assertThat(results.stream().filter(r -> r.status() == EventResult.Status.ACCEPTED))
                .hasSize(150);
        assertThat(used("q")).isEqualByComparingTo("75");

        restart();
        assertThat(used("q")).isEqualByComparingTo("75");
        assertThat(engine().report(batch.subList(0, 10)).get())
                .extracting(EventResult::status)
                .containsOnly(EventResult.Status.DUPLICATE);
        assertVerified();
    }

    @Test
    void counters_follow_windows_and_plan_change_resets() throws Exception {
        consume("q", "jan", 100).get();
        consume("runs", "r1", 4).get();
        clock.advance(Duration.ofDays(1));
        assertThat(used("q"))
                .as("a new month (anchored on Jan 31: Feb 28 is the next start)")
                .isEqualByComparingTo("100");
        clock.set(Instant.parse("2026-02-28T12:00:00Z"));
        assertThat(used("q")).isEqualByComparingTo("0");
        consume("q", "feb", 30).get();
        consume("runs", "r2", 5).get();
        engine().subscribe("acme", new SubscriptionRequest("big", List.of(), null, null, "sub-2"))
                .get();
        assertThat(used("runs")).as("runs reset on a plan change").isEqualByComparingTo("0");
        assertThat(used("q")).isEqualByComparingTo("30");
        assertVerified();

        restart();
        assertThat(used("runs")).isEqualByComparingTo("0");
        assertThat(used("q")).isEqualByComparingTo("30");
        assertVerified();
    }

    @Test
    void customers_are_listed_by_id_a_page_at_a_time_filtered_by_plan_and_survive_a_restart() throws Exception {
        engine().upsertCustomer("zed", new CustomerUpdate("Zed", Map.of(), null), null)
                .get();
        engine().subscribe("zed", new SubscriptionRequest("big", List.of(), null, null, null))
                .get();
        engine().upsertCustomer("bob", new CustomerUpdate("Bob", Map.of(), null), null)
                .get();
        engine().setWebhook(new Webhook("ops", "http://127.0.0.1:9/ops", List.of("*"), "0123456789abcdef"))
                .get();

        for (int pass = 0; pass < 2; pass++) {
            assertThat(engine().customers(null, null, 2))
                    .extracting(CustomerView::id)
                    .containsExactly("acme", "bob");
            assertThat(engine().customers(null, "bob", 2))
                    .as("the page after bob; no reserved ids")
                    .extracting(CustomerView::id)
                    .containsExactly("zed");
            assertThat(engine().customers("big", null, 10)).singleElement().satisfies(c -> {
                assertThat(c.id()).isEqualTo("zed");
                assertThat(c.subscription()).isNotNull();
                assertThat(c.subscription().plan().version()).isEqualTo(1);
            });
            assertThat(engine().customers("small", "acme", 10)).isEmpty();
            restart();
        }
    }
}
