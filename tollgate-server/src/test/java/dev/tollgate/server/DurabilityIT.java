package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acknowledged writes survive a restart; idempotency keys too. */
final class DurabilityIT {
    @TempDir
    Path dir;

    Harness h;

    @BeforeEach
    void start() {
        h = new Harness(dir, Instant.parse("2026-01-06T10:00:00Z"));
        assertThat(h.applySampleCatalog().status()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void usage_customers_and_idempotency_keys_survive_a_restart() {
        h.customerOn("acme", "pro");
        h.post("/v1/customers/acme/promotions", Map.of("feature", "sso", "entitlement", Map.of("enabled", true)));
        ApiClient.Reply first = h.consume("acme", "llm-tokens", 1500, "call-1");
        h.consume("acme", "llm-tokens", 500, "call-2");
        h.post(
                "/v1/events",
                Map.of(
                        "events",
                        List.of(Map.of(
                                "idempotencyKey",
                                "ev-1",
                                "customerId",
                                "acme",
                                "feature",
                                "llm-tokens",
                                "quantity",
                                250))));

        h.restart();

        assertThat(h.check("acme", "llm-tokens").decimal("used")).isEqualByComparingTo("2250");
        ApiClient.Reply replay = h.consume("acme", "llm-tokens", 1500, "call-1");
        assertThat(replay.replayed()).isTrue();
        assertThat(replay.body()).isEqualTo(first.body());
        assertThat((List<?>) h.get("/v1/customers/acme").get("promotions")).hasSize(1);
        ApiClient.Reply dup = h.post(
                "/v1/events",
                Map.of(
                        "events",
                        List.of(Map.of(
                                "idempotencyKey",
                                "ev-1",
                                "customerId",
                                "acme",
                                "feature",
                                "llm-tokens",
                                "quantity",
                                250))));
        assertThat(dup.get("duplicates")).isEqualTo(BigDecimal.ONE);
        assertThat(h.check("acme", "llm-tokens").decimal("used")).isEqualByComparingTo("2250");
    }

    @Test
    void every_write_acknowledged_under_load_is_there_after_a_restart() throws Exception {
        h.customerOn("acme", "enterprise");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger acknowledged = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<List<String>>> workers = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int thread = t;
            workers.add(pool.submit(() -> {
                List<String> acked = new ArrayList<>();
                for (int i = 0; !stop.get() && i < 10_000; i++) {
                    String key = "t" + thread + "-" + i;
                    ApiClient.Reply r;
                    try {
                        r = h.consume("acme", "ai-queries", 1, key);
                    } catch (RuntimeException e) {
                        break;
                    }
                    if (r.status() != 200) {
                        break;
                    }
                    assertThat(r.get("allowed")).isEqualTo(true);
                    acked.add(key);
                    acknowledged.incrementAndGet();
                }
                return acked;
            }));
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.get() >= 500);
        h.server().close();
        stop.set(true);
        List<String> acked = new ArrayList<>();
        for (Future<List<String>> w : workers) {
            acked.addAll(w.get());
        }
        pool.shutdown();

        h.restart();

        BigDecimal used = h.check("acme", "ai-queries").decimal("used");
        assertThat(acked).hasSizeGreaterThanOrEqualTo(500);
        assertThat(used.intValue()).isGreaterThanOrEqualTo(acked.size());
        for (String key : acked) {
            assertThat(h.consume("acme", "ai-queries", 1, key).replayed())
                    .as("acknowledged %s", key)
                    .isTrue();
        }
        assertThat(h.check("acme", "ai-queries").decimal("used")).isEqualByComparingTo(used);
    }
}
