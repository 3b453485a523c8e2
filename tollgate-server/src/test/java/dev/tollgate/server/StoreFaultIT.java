package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.engine.Verifier;
import dev.tollgate.core.store.Store;
import dev.tollgate.store.postgres.PostgresStores;
import dev.tollgate.testkit.PostgresTestSchema;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL goes away under load and comes back: the real server on the real PostgreSQL, reached through a {@link
 * TcpProxy} that the test cuts (every connection dropped, the port refusing) and restores.
 *
 * <p>What must hold: while the database is unreachable, writes fail fast with {@code 503 STORE_UNAVAILABLE} (many
 * answers per second, not one per connection timeout), checks keep answering {@code 200} from memory, {@code /ready}
 * says 503; once it is back, writes resume by themselves; every acknowledged write is there, and after every write
 * is sent again with its key, usage is exactly the sum of all writes; the stored counters agree with the records.
 */
final class StoreFaultIT {
    private static final Instant START = Instant.parse("2026-03-02T09:00:00Z");
    private static final int THREADS = 8;
    private static final int SOCKET_TIMEOUT_SECONDS = 5;

    @TempDir
    Path dir;

    private PostgresTestSchema schema;
    private TcpProxy proxy;
    private Harness h;

    @BeforeEach
    void start() {
        schema = PostgresTestSchema.create();
        URI admin = URI.create(PostgresTestSchema.adminUrl().substring("jdbc:".length()));
        proxy = new TcpProxy(admin.getHost(), admin.getPort());
        // a stalled network holds a statement for the socket timeout: 5 s here instead of the default
        String viaProxy = schema.url().replace(admin.getHost() + ":" + admin.getPort(), "127.0.0.1:" + proxy.port())
                + "&socketTimeout=" + SOCKET_TIMEOUT_SECONDS
                // the proxy sees every statement's text in clear, to stall right after a COMMIT
                + "&sslmode=disable&prepareThreshold=0";
        h = new Harness(
                dir,
                START,
                c -> c.toBuilder().store("postgres").postgresUrl(viaProxy).build());
        assertThat(h.applySampleCatalog().status()).isEqualTo(200);
        h.customerOn("acme", "enterprise");
    }

    @AfterEach
    void stop() {
        h.close();
        proxy.close();
        schema.close();
    }

    private record Sent(String key, int quantity) {}

    @Test
    void writes_fail_fast_while_postgres_is_down_checks_keep_answering_and_service_resumes_by_itself()
            throws Exception {
        Map<String, Sent> acked = new ConcurrentHashMap<>();
        Map<String, Sent> unacked = new ConcurrentHashMap<>();
        Map<String, Sent> refused = new ConcurrentHashMap<>();
        AtomicInteger unavailable = new AtomicInteger();
        AtomicInteger unavailableWithoutRetryAfter = new AtomicInteger();
        AtomicInteger otherFailures = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            workers.add(new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    Sent s = new Sent("t" + thread + "-" + i, 1 + i % 3);
                    ApiClient.Reply r = h.consume("acme", "ai-queries", s.quantity(), s.key());
                    if (r.status() == 200) {
                        acked.put(s.key(), s);
                    } else {
                        unacked.put(s.key(), s);
                        if (r.status() == 503
                                && "STORE_UNAVAILABLE".equals(r.error().get("code"))) {
                            refused.put(s.key(), s);
                            unavailable.incrementAndGet();
                            if (!List.of("1").equals(r.headers().get("retry-after"))) {
                                unavailableWithoutRetryAfter.incrementAndGet();
                            }
                            pause(); // a real client backs off; every refused write is sent again below
                        } else if (r.status() == 504
                                && "COMMIT_IN_DOUBT".equals(r.error().get("code"))) {
                            // the connection broke on COMMIT and the store could not be asked: sent again below
                            pause();
                        } else {
                            otherFailures.incrementAndGet();
                        }
                    }
                }
            }));
        }
        workers.forEach(Thread::start);
        awaitAtLeast(acked, 200);

        proxy.cut();
        awaitCount(unavailable, 1);
        int ackedAtCut = acked.size();
        int before = unavailable.get();
        Thread.sleep(2_000);
        int failedFast = unavailable.get() - before;
        System.out.printf(
                "StoreFaultIT: %d acknowledged before the cut, %d fast 503s in 2 s of outage%n",
                ackedAtCut, failedFast);
        ApiClient.Reply check = h.check("acme", "ai-queries");
        ApiClient.Reply ready = h.get("/ready");
        int ackedDuringOutage = acked.size() - ackedAtCut;

        proxy.restore();
        long resumeDeadline = System.nanoTime() + 30_000_000_000L;
        int ackedAtRestore = acked.size();
        while (acked.size() < ackedAtRestore + 100) {
            assertThat(System.nanoTime()).as("writes resume within 30 s").isLessThan(resumeDeadline);
            Thread.sleep(50);
        }
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }

        assertThat(failedFast)
                .as("503s in 2 s of outage across %d clients: fast failures, not connection timeouts", THREADS)
                .isGreaterThan(100);
        assertThat(check.status())
                .as("checks answer from memory: %s", check.text())
                .isEqualTo(200);
        assertThat((Boolean) check.get("allowed")).isTrue();
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ackedDuringOutage)
                .as("no write is acknowledged while the database is down")
                .isLessThanOrEqualTo(THREADS);
        assertThat(otherFailures.get())
                .as("every failure is a 503 STORE_UNAVAILABLE or a 504 COMMIT_IN_DOUBT")
                .isZero();
        assertThat(unavailableWithoutRetryAfter.get())
                .as("every 503 STORE_UNAVAILABLE tells when to retry (Retry-After: 1), of %s", unavailable.get())
                .isZero();
        assertThat(h.get("/ready").status()).isEqualTo(200);

        BigDecimal expected = BigDecimal.ZERO;
        List<Callable<Void>> resends = new ArrayList<>();
        for (Sent s : acked.values()) {
            expected = expected.add(BigDecimal.valueOf(s.quantity()));
            resends.add(() -> {
                ApiClient.Reply r = h.consume("acme", "ai-queries", s.quantity(), s.key());
                assertThat(r.replayed())
                        .as("acknowledged %s is stored", s.key())
                        .isTrue();
                return null;
            });
        }
        for (Sent s : unacked.values()) {
            expected = expected.add(BigDecimal.valueOf(s.quantity()));
            resends.add(() -> {
                ApiClient.Reply r = h.consume("acme", "ai-queries", s.quantity(), s.key());
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                assertThat(refused.containsKey(s.key()) && r.replayed())
                        .as("%s was answered 503 but is stored", s.key())
                        .isFalse();
                return null;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (Future<Void> f : pool.invokeAll(resends)) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat((BigDecimal) h.check("acme", "ai-queries").get("used"))
                .as("every write exactly once after retries")
                .isEqualByComparingTo(expected);
        try (Store store = PostgresStores.open(schema.url())) {
            assertThat(Verifier.verify(store).differences()).isEmpty();
        }
    }

    /** Writes from {@link #THREADS} clients, each answer sorted by what it said about the write. */
    private final class Load {
        final Map<String, Sent> acked = new ConcurrentHashMap<>();
        final Map<String, Sent> refused = new ConcurrentHashMap<>();
        final Map<String, Sent> inDoubt = new ConcurrentHashMap<>();
        final List<String> other = new CopyOnWriteArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> workers = new ArrayList<>();

        Load(String prefix) {
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                workers.add(new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        Sent s = new Sent(prefix + thread + "-" + i, 1 + i % 3);
                        ApiClient.Reply r = h.consume("acme", "ai-queries", s.quantity(), s.key());
                        if (r.status() == 200) {
                            acked.put(s.key(), s);
                            continue;
                        }
                        if (r.status() == 503
                                && "STORE_UNAVAILABLE".equals(r.error().get("code"))) {
                            refused.put(s.key(), s);
                        } else if (r.status() == 504
                                && "COMMIT_IN_DOUBT".equals(r.error().get("code"))) {
                            inDoubt.put(s.key(), s);
                        } else {
                            other.add(r.status() + " " + r.text());
                        }
                        pause();
                    }
                }));
            }
            workers.forEach(Thread::start);
        }

        /** Stops the clients and waits for their last answers. */
        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread w : workers) {
                w.join();
            }
        }
    }

    @Test
    void a_stalled_network_to_postgres_fails_writes_within_the_socket_timeout_and_nothing_refused_is_stored()
            throws Exception {
        partition("stall", proxy::stall);
    }

    @Test
    void a_network_that_stalls_right_after_commit_was_sent_answers_in_doubt_never_503_for_a_stored_write()
            throws Exception {
        partition("stall after COMMIT", proxy::stallAfterCommit);
    }

    /**
     * Writes under load, a stalled network to the database from {@code stall} on, resumption: writes are answered
     * within a bound, resume by themselves, every acknowledged one is stored, none answered 503 is, verify is clean.
     */
    private void partition(String name, Runnable stall) throws Exception {
        Load load = new Load("p");
        try {
            awaitAtLeast(load.acked, 200);
            int ackedAtStall = load.acked.size();
            stall.run();
            long stalled = System.nanoTime();
            long deadline = stalled + 60_000_000_000L;
            while (load.refused.isEmpty() && load.inDoubt.isEmpty()) {
                assertThat(System.nanoTime())
                        .as("writes are answered within 60 s of the network stalling, not held forever")
                        .isLessThan(deadline);
                Thread.sleep(10);
            }
            long firstFailureMillis = (System.nanoTime() - stalled) / 1_000_000;
            Thread.sleep(2_000);
            int ackedDuringStall = load.acked.size() - ackedAtStall;
            int failedDuringStall = load.refused.size() + load.inDoubt.size();

            proxy.resume();
            long resumed = System.nanoTime();
            int ackedAtResume = load.acked.size();
            while (load.acked.size() < ackedAtResume + 100) {
                assertThat(System.nanoTime() - resumed)
                        .as("writes resume within 60 s of the network carrying data again")
                        .isLessThan(60_000_000_000L);
                Thread.sleep(10);
            }
            long recoveryMillis = (System.nanoTime() - resumed) / 1_000_000;
            load.stop();

            List<String> lost = new ArrayList<>();
            for (Sent s : load.acked.values()) {
                if (!h.consume("acme", "ai-queries", s.quantity(), s.key()).replayed()) {
                    lost.add(s.key());
                }
            }
            List<String> storedAfter503 = new ArrayList<>();
            for (Sent s : load.refused.values()) {
                if (h.consume("acme", "ai-queries", s.quantity(), s.key()).replayed()) {
                    storedAfter503.add(s.key());
                }
            }
            System.out.printf(
                    "StoreFaultIT partition (%s): %d acknowledged (%d during the stall), %d answered 503, %d answered 504,"
                            + " %d stored after 503, first failure %d ms after the stall, 100 writes acknowledged %d ms"
                            + " after the resume%n",
                    name,
                    load.acked.size(),
                    ackedDuringStall,
                    load.refused.size(),
                    load.inDoubt.size(),
                    storedAfter503.size(),
                    firstFailureMillis,
                    recoveryMillis);
            assertThat(failedDuringStall)
                    .as("writes failed while the network stalled")
                    .isPositive();
            assertThat(load.other)
                    .as("answers other than 200, 503 STORE_UNAVAILABLE, 504 COMMIT_IN_DOUBT")
                    .isEmpty();
            assertThat(lost).as("acknowledged writes missing").isEmpty();
            assertThat(storedAfter503).as("writes answered 503 but stored").isEmpty();
        } finally {
            load.stop();
        }
        try (Store store = PostgresStores.open(schema.url())) {
            assertThat(Verifier.verify(store).differences()).isEmpty();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitAtLeast(Map<?, ?> map, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (map.size() < n) {
            assertThat(System.nanoTime()).as("%d writes within 30 s", n).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void awaitCount(AtomicInteger counter, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (counter.get() < n) {
            assertThat(System.nanoTime())
                    .as("the outage is noticed within 30 s")
                    .isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
