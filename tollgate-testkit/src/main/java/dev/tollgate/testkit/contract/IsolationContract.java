package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.commit.GroupCommitJournal;
import dev.tollgate.core.engine.Verifier;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A write whose record the store refuses fails alone (issue 16 item 3): another customer writing in the same group
 * commits loses nothing and is never told the store is unavailable. It runs on every store its test class lists
 * ({@link StoreSuite}).
 */
public abstract class IsolationContract extends EngineSuite {
    private static final Instant START = Instant.parse("2026-01-31T12:00:00Z");
    private static final Map<String, Object> CATALOG = Map.of(
            "features",
            List.of(Map.of("key", "q", "type", "metered", "reset", "month")),
            "plans",
            List.of(Map.of("key", "big", "entitlements", Map.of("q", Map.of("limit", 1_000_000)))));

    protected IsolationContract() {
        super(START, AfterEachTest.NOTHING);
    }

    @BeforeEach
    void startEngine() throws Exception {
        restart();
        engine().publishCatalog(CATALOG, "contract").get();
        for (String customer : List.of("good", "bad")) {
            engine().upsertCustomer(customer, new CustomerUpdate(customer, Map.of(), null), null)
                    .get();
            engine().subscribe(customer, new SubscriptionRequest("big", List.of(), null, null, null))
                    .get();
        }
    }

    private CompletableFuture<?> consume(String customer, String key) {
        return attempt(() -> engine().consume(new ConsumeRequest(customer, "q", BigDecimal.ONE, key, null, Map.of())));
    }

    /** The write's future, or a failed one if it was refused before it was enqueued. */
    private static CompletableFuture<?> attempt(Supplier<CompletableFuture<?>> write) {
        try {
            return write.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static @Nullable Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
            return null;
        } catch (Exception e) {
            Throwable t = e;
            while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                    && t.getCause() != null) {
                t = t.getCause();
            }
            return t;
        }
    }

    private static boolean unavailable(@Nullable Throwable t) {
        return t instanceof GroupCommitJournal.StoreUnavailableException
                || (t instanceof TollgateException te && te.kind() == TollgateException.Kind.UNAVAILABLE);
    }

    @Test
    void a_customer_upsert_reusing_a_consumes_key_fails_alone_and_another_customer_loses_nothing() throws Exception {
        consume("bad", "used-by-a-consume").get(30, TimeUnit.SECONDS);
        int rounds = 300;
        List<CompletableFuture<?>> good = new ArrayList<>();
        List<CompletableFuture<?>> bad = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            bad.add(attempt(() -> engine().upsertCustomer(
                            "bad", new CustomerUpdate("renamed", Map.of(), null), "used-by-a-consume")));
            good.add(consume("good", "g-" + i));
        }
        List<Throwable> goodFailures = new ArrayList<>();
        for (CompletableFuture<?> f : good) {
            Throwable t = failure(f);
            if (t != null) {
                goodFailures.add(t);
            }
        }
        assertThat(goodFailures)
                .as("the other customer's writes while one sends records the store refuses")
                .isEmpty();
        for (CompletableFuture<?> f : bad) {
            Throwable t = failure(f);
            assertThat(unavailable(t))
                    .as("a refused record is not an outage: %s", String.valueOf(t))
                    .isFalse();
        }
        assertThat(engine().writable()).isTrue();
        assertThat(consume("bad", "after").get(30, TimeUnit.SECONDS))
                .as("the offender's next good write")
                .isNotNull();

        restart();
        assertThat(engine().check(new CheckRequest("good", "q", null, null, Map.of()))
                        .used())
                .isEqualByComparingTo(BigDecimal.valueOf(rounds));
        assertThat(engine().check(new CheckRequest("bad", "q", null, null, Map.of()))
                        .used())
                .isEqualByComparingTo(BigDecimal.valueOf(2));
        assertThat(engine().customer("bad").orElseThrow().name())
                .as("no refused upsert is stored")
                .isEqualTo("bad");
        assertThat(Verifier.verify(store()).differences()).isEmpty();
    }
}
