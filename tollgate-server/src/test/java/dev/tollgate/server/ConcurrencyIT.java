package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/** Many threads on one customer never exceed a hard limit and never refuse what fits. */
final class ConcurrencyIT {
    static final int THREADS = 64;
    static final int PER_THREAD = 25;

    @TempDir
    Path dir;

    Harness h;

    @BeforeEach
    void start() {
        h = new Harness(dir, Instant.parse("2026-01-06T10:00:00Z"));
        h.put(
                "/v1/catalog",
                Map.of(
                        "features", List.of(Map.of("key", "calls", "type", "metered", "reset", "month")),
                        "plans", List.of(Map.of("key", "p", "entitlements", Map.of("calls", Map.of("limit", 1000))))));
        h.customerOn("hot", "p");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @RepeatedTest(3)
    void sixty_four_threads_get_exactly_the_limit_admitted() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<int[]>> results = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            results.add(pool.submit(() -> {
                go.await();
                int allowed = 0;
                int denied = 0;
                for (int i = 0; i < PER_THREAD; i++) {
                    ApiClient.Reply r = h.consume("hot", "calls", 1, "t" + thread + "-" + i);
                    assertThat(r.status()).as(r.text()).isEqualTo(200);
                    if (Boolean.TRUE.equals(r.get("allowed"))) {
                        allowed++;
                    } else {
                        assertThat(r.get("reason")).isEqualTo("LIMIT_EXCEEDED");
                        denied++;
                    }
                }
                return new int[] {allowed, denied};
            }));
        }
        go.countDown();
        int allowed = 0;
        int denied = 0;
        for (Future<int[]> f : results) {
            int[] r = f.get();
            allowed += r[0];
            denied += r[1];
        }
        pool.shutdown();

        assertThat(allowed).isEqualTo(1000);
        assertThat(denied).isEqualTo(THREADS * PER_THREAD - 1000);
        assertThat(h.check("hot", "calls").decimal("used")).isEqualByComparingTo(new BigDecimal(1000));
        h.restart();
        assertThat(h.check("hot", "calls").decimal("used")).isEqualByComparingTo(new BigDecimal(1000));
    }
}
