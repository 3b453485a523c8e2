package dev.tollgate.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.Reason;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.decision.Decision;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two engines of two nodes of a cluster on one store: a customer moves from one to the other with its usage and its
 * idempotency keys, and the catalog one publishes is followed by the other.
 */
final class NodeEngineTest {
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-01-06T10:00:00Z"));

    private final ListStore store = new ListStore();
    private final Engine first = Engine.startNode(store, CLOCK, null);
    private Engine second = first;

    @AfterEach
    void stop() {
        first.close();
        second.close();
    }

    private static Map<String, Object> catalog(int limit) {
        return Map.of(
                "features", List.of(Map.of("key", "q", "type", "metered")),
                "plans", List.of(Map.of("key", "p", "entitlements", Map.of("q", Map.of("limit", limit)))));
    }

    private static ConsumeRequest consume(String key, int quantity) {
        return new ConsumeRequest("c", "q", BigDecimal.valueOf(quantity), key, null, Map.of());
    }

    private static BigDecimal used(Engine engine) {
        return engine.check(new CheckRequest("c", "q", null, null, Map.of())).used();
    }

    @Test
    void a_customer_moves_to_another_node_with_its_usage_and_its_idempotency_keys() throws Exception {
        first.adopt(Engine.SYSTEM);
        first.publishCatalog(catalog(100), "ops").get();
        first.adopt("c");
        first.upsertCustomer("c", new CustomerUpdate("C", Map.of(), null), null).get();
        first.subscribe("c", new SubscriptionRequest("p", List.of(), null, null, null))
                .get();
        first.consume(consume("k1", 30)).get();

        second = Engine.startNode(store, CLOCK, null);
        assertThat(second.catalog().version())
                .as("the catalog is loaded at start")
                .isEqualTo(1);
        assertThat(second.customer("c"))
                .as("a node holds no customer it has not adopted")
                .isEmpty();

        first.drop("c").get();
        second.adopt("c");
        assertThat(used(second)).isEqualByComparingTo("30");
        Outcome<Decision> retried = second.consume(consume("k1", 30)).get();
        assertThat(retried.replayed()).as("a retry after the move is a replay").isTrue();
        assertThat(second.consume(consume("k2", 70)).get().value().allowed()).isTrue();
        assertThat(second.consume(consume("k3", 1)).get().value().allowed())
                .as("the limit holds across the move")
                .isFalse();
        assertThat(first.customer("c"))
                .as("the node that gave it up forgets it")
                .isEmpty();
        assertThat(Verifier.verify(store).differences()).isEmpty();
    }

    @Test
    void a_node_follows_the_catalog_another_node_publishes() throws Exception {
        first.adopt(Engine.SYSTEM);
        first.publishCatalog(catalog(100), "ops").get();
        second = Engine.startNode(store, CLOCK, null);
        assertThat(second.followCatalog()).as("nothing new yet").isFalse();

        first.publishCatalog(catalog(200), "ops").get();
        assertThat(second.catalog().version()).isEqualTo(1);
        assertThat(second.followCatalog()).isTrue();
        assertThat(second.catalog().version()).isEqualTo(2);
        assertThat(second.catalogVersions()).hasSize(2);
    }

    @Test
    void the_catalog_owner_taking_over_publishes_the_version_after_the_last_stored_one() throws Exception {
        first.adopt(Engine.SYSTEM);
        first.publishCatalog(catalog(100), "ops").get();
        second = Engine.startNode(store, CLOCK, null);
        first.publishCatalog(catalog(200), "ops").get();
        first.drop(Engine.SYSTEM).get();

        second.adopt(Engine.SYSTEM);
        assertThat(second.publishCatalog(catalog(300), "ops").get().version()).isEqualTo(3);
    }

    @Test
    void a_node_that_dropped_a_customer_answers_nothing_from_its_old_state() throws Exception {
        first.adopt(Engine.SYSTEM);
        first.publishCatalog(catalog(100), "ops").get();
        first.adopt("c");
        first.upsertCustomer("c", new CustomerUpdate("C", Map.of(), null), null).get();
        first.drop("c").get();

        Decision late = first.consume(consume("late", 1)).get().value();
        assertThat(late.allowed()).isFalse();
        assertThat(late.reason()).isEqualTo(Reason.CUSTOMER_NOT_FOUND);
        assertThat(store.entries("c")).hasSize(1);
    }

    @Test
    void a_customer_dropped_while_its_commit_is_in_flight_leaves_the_journal_working() throws Exception {
        first.adopt(Engine.SYSTEM);
        first.publishCatalog(catalog(100), "ops").get();
        for (String id : List.of("c", "d")) {
            first.adopt(id);
            first.upsertCustomer(id, new CustomerUpdate(id, Map.of(), null), null)
                    .get();
            first.subscribe(id, new SubscriptionRequest("p", List.of(), null, null, null))
                    .get();
        }
        List<Throwable> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
        store.holdAppends = hold;
        java.util.concurrent.CompletableFuture<Outcome<Decision>> inFlight = first.consume(consume("k1", 5));
        java.util.concurrent.CompletableFuture<Void> dropped = first.drop("c");
        assertThat(dropped)
                .as("a drop waits for the commits enqueued before it")
                .isNotDone();
        hold.countDown();
        store.holdAppends = null;
        dropped.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(inFlight.get(10, java.util.concurrent.TimeUnit.SECONDS)
                        .value()
                        .allowed())
                .isTrue();
        assertThat(first.consume(new ConsumeRequest("d", "q", BigDecimal.ONE, "k2", null, Map.of()))
                        .get(10, java.util.concurrent.TimeUnit.SECONDS)
                        .value()
                        .allowed())
                .as("the journal goes on after the dropped customer's commit")
                .isTrue();
        Thread.setDefaultUncaughtExceptionHandler(before);
        assertThat(uncaught).as("the journal's follow-up thread threw nothing").isEmpty();
        second = Engine.startNode(store, CLOCK, null);
        second.adopt("c");
        assertThat(used(second)).isEqualByComparingTo("5");
    }
}
