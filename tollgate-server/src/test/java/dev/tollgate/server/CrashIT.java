package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.testkit.PostgresTestSchema;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crash safety, proven with {@code kill -9}: the packaged server runs in its own process; client threads drive
 * consumes (some priced in a hard credit currency), event batches, credit grants, plan changes and sessions (open,
 * consume inside, close); the process is killed with SIGKILL at a random moment once the first write of the cycle
 * has been acknowledged; {@code tollgate
 * verify} checks the stopped store (records against the counters kept beside them); the server restarts; then every
 * request of the cycle is sent again with its idempotency key.
 *
 * <p>What must hold: every acknowledged write answers as a replay with its first answer (it is present), a write that
 * was not acknowledged is either replayed or applied now (never half-applied), and afterwards usage equals exactly the
 * sum over all writes of the model, so that nothing is there twice; so does every credit balance (grants minus
 * admitted charges), and nothing stays held once every session is closed. The hard limit is never passed and the hard currency never overdrawn.
 *
 * <p>Seeded: {@code -Dtollgate.seed=...} replays a run's choices (the kill moment depends on timing too); the seed is
 * printed at the start and in every failure. {@code -Dtollgate.crash.cycles=N} sets the cycles (default 4 per store).
 */
final class CrashIT {
    private static final int THREADS = 8;
    private static final int CUSTOMERS = 4;
    private static final int CAP = 200;

    @TempDir
    Path dir;

    private enum Kind {
        CONSUME,
        EVENT,
        SUBSCRIBE,
        GRANT,
        SESSION_OPEN,
        SESSION_CONSUME,
        SESSION_CLOSE
    }

    /** A session's three writes share it: its id, once an open answered. */
    private static final class SessionRun {
        volatile @Nullable String id;
    }

    /** One write and what the client learned of it before the crash. */
    private static final class Write {
        final Kind kind;
        final String customer;
        final String feature;
        final int quantity;
        final String key;
        final String plan;

        @Nullable
        SessionRun run;

        volatile boolean acked;
        volatile @Nullable Boolean allowed;

        Write(Kind kind, String customer, String feature, int quantity, String key, String plan) {
            this.kind = kind;
            this.customer = customer;
            this.feature = feature;
            this.quantity = quantity;
            this.key = key;
            this.plan = plan;
        }
    }

    /** Counts over all cycles, for the closing figures. */
    private static final class Figures {
        int cycles;
        int writes;
        int acked;
        int ackedFound;
        int unacked;
        int unackedFoundAfterCrash;
        int verifyDifferences;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void every_acknowledged_write_survives_kill_9_exactly_once(String store) throws Exception {
        long seed = Long.getLong("tollgate.seed", System.nanoTime());
        int cycles = Integer.getInteger("tollgate.crash.cycles", 4);
        System.out.println("CrashIT store=" + store + " seed=" + seed + " cycles=" + cycles);
        PostgresTestSchema schema = store.equals("postgres") ? PostgresTestSchema.create() : null;
        try {
            List<String> flags = new ArrayList<>(List.of("--data-dir", dir.toString()));
            if (schema != null) {
                flags.addAll(List.of("--store", "postgres", "--postgres-url", schema.url()));
            }
            Figures f = run(new Random(seed), flags, cycles);
            System.out.printf(
                    "CrashIT store=%s seed=%d: cycles=%d writes=%d acknowledged=%d acknowledged-found=%d"
                            + " unacknowledged=%d unacknowledged-found-committed=%d verify-differences=%d%n",
                    store,
                    seed,
                    f.cycles,
                    f.writes,
                    f.acked,
                    f.ackedFound,
                    f.unacked,
                    f.unackedFoundAfterCrash,
                    f.verifyDifferences);
            assertThat(f.ackedFound).isEqualTo(f.acked);
            assertThat(f.verifyDifferences).isZero();
            assertThat(f.acked).as("the load must have done something").isPositive();
        } catch (AssertionError e) {
            throw new AssertionError("CrashIT failed with seed=" + seed + " store=" + store + ": " + e.getMessage(), e);
        } finally {
            if (schema != null) {
                schema.close();
            }
        }
    }

    private Figures run(Random random, List<String> flags, int cycles) throws Exception {
        Path log = dir.resolve("server.log");
        Figures figures = new Figures();
        Map<String, BigDecimal> expectedQ = new HashMap<>();
        Map<String, BigDecimal> expectedCredits = new HashMap<>();
        BigDecimal[] expectedCapped = {BigDecimal.ZERO};
        try (ServerProcess first = ServerProcess.start(log, flags)) {
            ApiClient.Reply catalog = first.put("/v1/catalog", catalog());
            assertThat(catalog.status()).as(catalog.text()).isEqualTo(200);
            for (int c = 0; c < CUSTOMERS; c++) {
                first.customerOn("c" + c, "a");
                expectedQ.put("c" + c, BigDecimal.ZERO);
                expectedCredits.put("c" + c, BigDecimal.ZERO);
            }
        }
        for (int cycle = 0; cycle < cycles; cycle++) {
            List<Write> writes = Collections.synchronizedList(new ArrayList<>());
            ServerProcess server = ServerProcess.start(log, flags);
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Random r = new Random(random.nextLong());
                String prefix = "y" + cycle + "-t" + t + "-";
                workers.add(new Thread(() -> drive(server, r, prefix, writes, stop), "crash-client-" + t));
            }
            workers.forEach(Thread::start);
            await().atMost(Duration.ofMinutes(5)).until(() -> anyAcknowledged(writes));
            Thread.sleep(400 + random.nextInt(1600));
            server.kill();
            stop.set(true);
            for (Thread w : workers) {
                w.join();
            }

            ServerProcess.Result verify = ServerProcess.run(log, verifyArgs(flags));
            assertThat(verify.output())
                    .as("verify after kill -9 in cycle " + cycle)
                    .contains("\"differences\":0");
            assertThat(verify.exitCode()).isZero();

            try (ServerProcess again = ServerProcess.start(log, flags)) {
                for (Write w : writes) {
                    resend(again, w, figures);
                    if (w.kind == Kind.CONSUME && Boolean.TRUE.equals(w.allowed)) {
                        if (w.feature.equals("q")) {
                            expectedQ.merge(w.customer, BigDecimal.valueOf(w.quantity), BigDecimal::add);
                        } else if (w.feature.equals("capped")) {
                            expectedCapped[0] = expectedCapped[0].add(BigDecimal.valueOf(w.quantity));
                        } else if (w.feature.equals("priced")) {
                            expectedCredits.merge(w.customer, BigDecimal.valueOf(-w.quantity), BigDecimal::add);
                        }
                    } else if (w.kind == Kind.GRANT) {
                        expectedCredits.merge(w.customer, BigDecimal.valueOf(w.quantity), BigDecimal::add);
                    } else if (w.kind == Kind.EVENT) {
                        expectedQ.merge(w.customer, BigDecimal.valueOf(w.quantity), BigDecimal::add);
                    } else if (w.kind == Kind.SESSION_CLOSE) {
                        // the session's total: what was consumed inside it and the rest reported at close
                        expectedQ.merge(w.customer, BigDecimal.valueOf(w.quantity), BigDecimal::add);
                    }
                }
                for (int c = 0; c < CUSTOMERS; c++) {
                    assertThat(used(again, "c" + c, "q"))
                            .as("usage of c%d after cycle %d: every write exactly once", c, cycle)
                            .isEqualByComparingTo(expectedQ.get("c" + c));
                    assertThat(entitlement(again, "c" + c, "q").get("held"))
                            .as("every session of c%d is closed: nothing held", c)
                            .satisfies(held -> assertThat((BigDecimal) held).isEqualByComparingTo("0"));
                }
                for (int c = 0; c < CUSTOMERS; c++) {
                    BigDecimal available = available(again, "c" + c);
                    assertThat(available)
                            .as("credits of c%d after cycle %d: grants minus admitted charges, once each", c, cycle)
                            .isEqualByComparingTo(expectedCredits.get("c" + c));
                    assertThat(available.signum())
                            .as("a hard currency is never overdrawn")
                            .isNotNegative();
                }
                BigDecimal capped = used(again, "c0", "capped");
                assertThat(capped).isEqualByComparingTo(expectedCapped[0]);
                assertThat(capped).isLessThanOrEqualTo(BigDecimal.valueOf(CAP));
            }
            ServerProcess.Result after = ServerProcess.run(log, verifyArgs(flags));
            assertThat(after.exitCode()).as(after.output()).isZero();
            figures.cycles++;
            figures.writes += writes.size();
        }
        return figures;
    }

    /**
     * Whether the server acknowledged a write of the cycle yet: the kill waits for the first, then a random moment, so
     * that every cycle kills a server under load. Before, the kill came a random 0.4 to 2 s after the start, and on a
     * loaded machine (two cores, load 15) no PostgreSQL commit had been answered by then in any cycle.
     */
    private static boolean anyAcknowledged(List<Write> writes) {
        synchronized (writes) {
            return writes.stream().anyMatch(w -> w.acked);
        }
    }

    private static List<String> verifyArgs(List<String> flags) {
        List<String> args = new ArrayList<>(List.of("verify"));
        args.addAll(flags);
        return args;
    }

    /** One client: random writes until the server is gone. */
    private static void drive(ServerProcess server, Random r, String prefix, List<Write> writes, AtomicBoolean stop) {
        int n = 0;
        while (!stop.get()) {
            int dice = r.nextInt(100);
            String customer = "c" + r.nextInt(CUSTOMERS);
            try {
                if (dice < 50) {
                    Write w = new Write(Kind.CONSUME, customer, "q", 1 + r.nextInt(5), prefix + n++, "");
                    writes.add(w);
                    consume(server, w);
                } else if (dice < 55) {
                    // a feature that plan changes reset: its counters are zeroed in the store, which verify checks
                    Write w = new Write(Kind.CONSUME, customer, "runs", 1, prefix + n++, "");
                    writes.add(w);
                    consume(server, w);
                } else if (dice < 65) {
                    Write w = new Write(Kind.CONSUME, "c0", "capped", 1 + r.nextInt(3), prefix + n++, "");
                    writes.add(w);
                    consume(server, w);
                } else if (dice < 70) {
                    Write w = new Write(Kind.GRANT, customer, "", 5 + r.nextInt(20), prefix + n++, "");
                    writes.add(w);
                    if (grant(server, w).status() == 201) {
                        w.acked = true;
                    }
                } else if (dice < 78) {
                    // priced in a hard currency: never overdrawn, whatever the crash
                    Write w = new Write(Kind.CONSUME, customer, "priced", 1 + r.nextInt(4), prefix + n++, "");
                    writes.add(w);
                    consume(server, w);
                } else if (dice < 90) {
                    List<Write> batch = new ArrayList<>();
                    List<Map<String, Object>> events = new ArrayList<>();
                    for (int i = 0; i < 1 + r.nextInt(8); i++) {
                        Write w = new Write(
                                Kind.EVENT, "c" + r.nextInt(CUSTOMERS), "q", 1 + r.nextInt(3), prefix + n++, "");
                        batch.add(w);
                        events.add(event(w));
                    }
                    writes.addAll(batch);
                    ApiClient.Reply reply = server.post("/v1/events", Map.of("events", events));
                    if (reply.status() == 200) {
                        assertThat(reply.get("accepted")).isEqualTo(BigDecimal.valueOf(batch.size()));
                        batch.forEach(w -> w.acked = true);
                    }
                } else if (dice < 95) {
                    // written down before any is sent, so that the resend opens, consumes in and closes every session
                    SessionRun run = new SessionRun();
                    int amount = 5 + r.nextInt(10);
                    int inside = 1 + r.nextInt(amount);
                    int used = inside + r.nextInt(amount);
                    Write open = new Write(Kind.SESSION_OPEN, customer, "q", amount, prefix + n++, "");
                    Write in = new Write(Kind.SESSION_CONSUME, customer, "q", inside, prefix + n++, "");
                    Write close = new Write(Kind.SESSION_CLOSE, customer, "q", used, prefix + n++, "");
                    open.run = run;
                    in.run = run;
                    close.run = run;
                    writes.addAll(List.of(open, in, close));
                    ApiClient.Reply opened = openSession(server, open);
                    if (opened.status() != 201) {
                        continue;
                    }
                    run.id = (String) opened.get("sessionId");
                    open.acked = true;
                    consume(server, in);
                    if (closeSession(server, close).status() == 200) {
                        close.acked = true;
                    }
                } else {
                    Write w = new Write(Kind.SUBSCRIBE, customer, "", 0, prefix + n++, r.nextBoolean() ? "a" : "b");
                    writes.add(w);
                    if (subscribe(server, w).status() == 200) {
                        w.acked = true;
                    }
                }
            } catch (RuntimeException e) {
                // the server died under this request: its write is unacknowledged
            }
        }
    }

    private static void consume(ApiClient server, Write w) {
        ApiClient.Reply reply = sendConsume(server, w);
        if (reply.status() == 200) {
            w.allowed = (Boolean) reply.get("allowed");
            w.acked = true;
        }
    }

    /** A consume, inside the write's session if it has one. */
    private static ApiClient.Reply sendConsume(ApiClient server, Write w) {
        return w.run == null
                ? server.consume(w.customer, w.feature, w.quantity, w.key)
                : server.post(
                        "/v1/consume",
                        Map.of(
                                "customerId",
                                w.customer,
                                "feature",
                                w.feature,
                                "quantity",
                                w.quantity,
                                "sessionId",
                                String.valueOf(w.run.id),
                                "idempotencyKey",
                                w.key));
    }

    private static ApiClient.Reply subscribe(ApiClient server, Write w) {
        return server.put(
                "/v1/customers/" + w.customer + "/subscription", Map.of("plan", w.plan, "idempotencyKey", w.key));
    }

    private static ApiClient.Reply openSession(ApiClient server, Write w) {
        return server.post(
                "/v1/sessions",
                Map.of(
                        "customerId",
                        w.customer,
                        "feature",
                        w.feature,
                        "amount",
                        w.quantity,
                        "ttlSeconds",
                        600,
                        "idempotencyKey",
                        w.key));
    }

    private static ApiClient.Reply closeSession(ApiClient server, Write w) {
        return server.post("/v1/sessions/" + w.run.id + "/close", Map.of("used", w.quantity));
    }

    private static ApiClient.Reply grant(ApiClient server, Write w) {
        return server.post(
                "/v1/customers/" + w.customer + "/grants",
                Map.of("currency", "credits", "amount", w.quantity, "category", "paid", "idempotencyKey", w.key));
    }

    private static Map<String, Object> event(Write w) {
        return Map.of("idempotencyKey", w.key, "customerId", w.customer, "feature", w.feature, "quantity", w.quantity);
    }

    /** Sends a write again with its key; checks what its first answer promised. */
    private static void resend(ApiClient server, Write w, Figures figures) {
        boolean found;
        switch (w.kind) {
            case CONSUME, SESSION_CONSUME -> {
                ApiClient.Reply reply = sendConsume(server, w);
                assertThat(reply.status()).as(reply.text()).isEqualTo(200);
                found = reply.replayed();
                Boolean allowed = (Boolean) reply.get("allowed");
                if (w.acked) {
                    assertThat(allowed).as("the first answer of %s", w.key).isEqualTo(w.allowed);
                }
                if (w.kind == Kind.SESSION_CONSUME) {
                    assertThat(allowed).as("inside its hold: %s", w.key).isEqualTo(true);
                }
                w.allowed = allowed;
            }
            case SESSION_OPEN -> {
                String known = w.run.id;
                ApiClient.Reply reply = openSession(server, w);
                assertThat(reply.status()).as(reply.text()).isIn(200, 201);
                found = reply.replayed();
                w.run.id = (String) reply.get("sessionId");
                if (w.acked) {
                    assertThat(w.run.id).isEqualTo(known);
                }
            }
            case SESSION_CLOSE -> {
                ApiClient.Reply reply = closeSession(server, w);
                assertThat(reply.status()).as(reply.text()).isEqualTo(200);
                assertThat(reply.get("status")).isEqualTo("closed");
                assertThat((BigDecimal) reply.get("consumed")).isEqualByComparingTo(BigDecimal.valueOf(w.quantity));
                found = reply.replayed();
            }
            case EVENT -> {
                ApiClient.Reply reply = server.post("/v1/events", Map.of("events", List.of(event(w))));
                assertThat(reply.status()).as(reply.text()).isEqualTo(200);
                @SuppressWarnings("unchecked")
                Map<String, Object> result = ((List<Map<String, Object>>) reply.get("results")).get(0);
                assertThat(result.get("status")).isIn("accepted", "duplicate");
                found = "duplicate".equals(result.get("status"));
            }
            case GRANT -> {
                ApiClient.Reply reply = grant(server, w);
                assertThat(reply.status()).as(reply.text()).isIn(200, 201);
                found = reply.replayed();
            }
            default -> {
                ApiClient.Reply reply = subscribe(server, w);
                assertThat(reply.status()).as(reply.text()).isEqualTo(200);
                found = reply.replayed();
            }
        }
        if (w.acked) {
            figures.acked++;
            assertThat(found)
                    .as("acknowledged write %s (%s) is present after kill -9", w.key, w.kind)
                    .isTrue();
            figures.ackedFound++;
        } else {
            figures.unacked++;
            if (found) {
                figures.unackedFoundAfterCrash++;
            }
        }
    }

    private static BigDecimal used(ApiClient server, String customer, String feature) {
        return (BigDecimal) entitlement(server, customer, feature).get("used");
    }

    private static Map<String, Object> entitlement(ApiClient server, String customer, String feature) {
        ApiClient.Reply reply = server.get("/v1/customers/" + customer + "/entitlements");
        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) reply.get("entitlements");
        return list.stream()
                .filter(e -> feature.equals(e.get("feature")))
                .findFirst()
                .orElseThrow();
    }

    private static BigDecimal available(ApiClient server, String customer) {
        ApiClient.Reply reply = server.get("/v1/customers/" + customer + "/balance");
        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) reply.get("balances");
        return (BigDecimal) list.get(0).get("available");
    }

    private static Map<String, Object> catalog() {
        Map<String, Object> a = Map.of(
                "q", Map.of("limit", 1_000_000_000),
                "capped", Map.of("limit", CAP),
                "runs", Map.of("limit", 1000),
                "priced", Map.of("limit", "unlimited"));
        Map<String, Object> b = Map.of(
                "q", Map.of("limit", 1_000_000_000),
                "capped", Map.of("limit", CAP),
                "runs", Map.of("limit", 2000),
                "priced", Map.of("limit", "unlimited"));
        return Map.of(
                "currencies",
                List.of(Map.of("key", "credits", "depletion", "hard")),
                "rateCards",
                List.of(Map.of("feature", "priced", "currency", "credits", "per", 1, "rate", 1)),
                "features",
                List.of(
                        Map.of("key", "q", "type", "metered", "reset", "month"),
                        Map.of("key", "capped", "type", "metered", "reset", "month"),
                        Map.of("key", "runs", "type", "metered", "reset", "day", "resetOnPlanChange", "always"),
                        Map.of("key", "priced", "type", "metered", "reset", "month")),
                "plans",
                List.of(Map.of("key", "a", "entitlements", a), Map.of("key", "b", "entitlements", b)));
    }
}
