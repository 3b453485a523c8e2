package dev.tollgate.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.CustomerView;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.catalog.CatalogInUseException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The catalog race of the catalog work (issue 15): a subscription that read the catalog just before a publication
 * removing its plan must not commit a reference to the removed plan. The subscription is held, by a hook, between
 * reading the catalog and entering the customer's section while the publication runs.
 */
final class CatalogGateTest {
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-01-06T10:00:00Z"));

    private final ListStore store = new ListStore();
    private Engine engine;

    private static Map<String, Object> catalog(boolean withBig) {
        Map<String, Object> small = Map.of("key", "small", "entitlements", Map.of("q", Map.of("limit", 10)));
        Map<String, Object> big = Map.of("key", "big", "entitlements", Map.of("q", Map.of("limit", 100)));
        return Map.of(
                "features",
                List.of(Map.of("key", "q", "type", "metered")),
                "plans",
                withBig ? List.of(small, big) : List.of(small));
    }

    @BeforeEach
    void start() throws Exception {
        engine = Engine.start(store, CLOCK, null);
        engine.publishCatalog(catalog(true), "test").get();
        engine.upsertCustomer("c", new CustomerUpdate("C", Map.of(), null), null)
                .get();
        engine.subscribe("c", new SubscriptionRequest("small", List.of(), null, null, null))
                .get();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    @Test
    void a_subscription_that_read_the_catalog_before_a_publication_removing_its_plan_is_seen_by_its_check()
            throws Exception {
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        engine.ctx.afterCatalogRead = () -> {
            if (first.getAndSet(false)) {
                read.countDown();
                await(go);
            }
        };
        AtomicReference<CompletableFuture<Outcome<CustomerView>>> subscribed = new AtomicReference<>();
        Thread subscriber = new Thread(() ->
                subscribed.set(engine.subscribe("c", new SubscriptionRequest("big", List.of(), null, null, "to-big"))));
        subscriber.start();
        assertThat(read.await(2, TimeUnit.MINUTES)).isTrue();

        AtomicReference<Throwable> publishFailure = new AtomicReference<>();
        Thread publisher = new Thread(() -> {
            try {
                engine.publishCatalog(catalog(false), "test").get();
            } catch (CatalogInUseException e) {
                publishFailure.set(e);
            } catch (InterruptedException | ExecutionException e) {
                publishFailure.set(e);
            }
        });
        publisher.start();
        // the publication either waits for the subscription (parked) or has finished; it never needs it to go on
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (publisher.getState() != Thread.State.WAITING && publisher.getState() != Thread.State.TERMINATED) {
            assertThat(System.nanoTime()).as("the publisher parks or ends").isLessThan(deadline);
            Thread.onSpinWait();
        }
        go.countDown();
        subscriber.join(10_000);
        publisher.join(10_000);

        assertThat(subscribed.get().get().value().subscription().plan().key()).isEqualTo("big");
        assertThat(publishFailure.get())
                .as("the check saw the subscription to 'big' (before: the catalog lost 'big' under it)")
                .isInstanceOf(CatalogInUseException.class);
        assertThat(engine.catalog().planHistory()).containsKey("big");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(2, TimeUnit.MINUTES)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
