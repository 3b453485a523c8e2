package dev.tollgate.bench;

import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.store.Store;
import dev.tollgate.store.sqlite.SqliteStores;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * Bytes the calling thread allocates per engine call, counted with {@link com.sun.management.ThreadMXBean} (exact
 * and independent of the machine's load, unlike a time): the figures of "Issue 15/16 review: hot-path allocations"
 * in {@code docs/benchmarks.md}. The engine runs in this process on SQLite in a fresh directory.
 *
 * <p>Scenarios: the check of {@link dev.tollgate.bench.jmh.CheckBenchmark}; a priced check of a customer who moved
 * to a version of its plan with a smaller allotment mid-period (the period's allotment already given in full), and
 * of one who did not move (its allotment recorded too);
 * a consumption refused by a hard budget and one refused by the feature's hard limit (a fresh idempotency key each,
 * so each is decided and recorded).
 *
 * <p>Usage, after {@code mvn -B -q -pl tollgate-bench -am package -DskipTests}: {@code java -cp
 * "tollgate-bench/target/classes:$(cat tollgate-bench/target/classpath.txt)" dev.tollgate.bench.AllocationProbe}.
 */
public final class AllocationProbe {
    private static final Instant T = Instant.parse("2026-01-06T10:00:00Z");

    private AllocationProbe() {}

    /** An instant source the probe moves by hand. */
    private static final class Clock implements InstantSource {
        private volatile Instant now = T;

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static Map<String, Object> catalog(int credits) {
        return Map.of(
                "currencies",
                List.of(Map.of("key", "credits", "depletion", "hard")),
                "features",
                List.of(
                        Map.of("key", "q", "type", "metered", "reset", "month"),
                        Map.of("key", "capped", "type", "metered", "reset", "month"),
                        Map.of("key", "llm", "type", "metered", "reset", "month")),
                "rateCards",
                List.of(Map.of("feature", "llm", "currency", "credits", "per", 1, "rate", 1)),
                "plans",
                List.of(Map.of(
                        "key",
                        "monthly",
                        "entitlements",
                        Map.of(
                                "q", Map.of("limit", 1_000_000),
                                "capped", Map.of("limit", 5),
                                "llm", Map.of("limit", "unlimited")),
                        "credits",
                        List.of(Map.of(
                                "currency",
                                "credits",
                                "amount",
                                credits,
                                "every",
                                "month",
                                "category",
                                "promotional",
                                "expires",
                                "period-end")))));
    }

    /**
     * Runs the probe.
     *
     * @param args none
     */
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("tollgate-alloc-probe");
        Clock clock = new Clock();
        Store store = SqliteStores.open(dir);
        Engine engine = Engine.start(store, clock, null);
        try {
            engine.publishCatalog(catalog(100), "probe").get();
            for (String c : List.of("acme", "moved", "stayed")) {
                engine.upsertCustomer(c, new CustomerUpdate(c, Map.of(), null), null)
                        .get();
                engine.subscribe(c, new SubscriptionRequest("monthly", List.of(), null, null, null))
                        .get();
            }
            String parent = null;
            for (String scope : List.of("org", "dept", "team", "agent")) {
                engine.setScope("acme", scope, scope, parent, null).get();
                engine.setBudget("acme", scope, "cap", budget("q", "1000000")).get();
                parent = scope;
            }
            engine.setScope("acme", "tight", "tight", null, null).get();
            engine.setBudget("acme", "tight", "cap", budget("q", "1")).get();
            engine.consume(new ConsumeRequest("acme", "q", BigDecimal.ONE, "fill-budget", "tight", Map.of()))
                    .get();
            engine.consume(new ConsumeRequest("acme", "capped", new BigDecimal("5"), "fill-limit", null, Map.of()))
                    .get();
            engine.publishCatalog(catalog(80), "probe").get();
            clock.now = T.plus(Duration.ofDays(3));
            engine.subscribe(
                            "moved",
                            new SubscriptionRequest(
                                    "monthly", SubscriptionRequest.VersionChoice.LATEST, List.of(), null, null, null))
                    .get();
            for (String c : List.of("moved", "stayed")) {
                // a priced write records what is due (the period's allotment): reads never write
                engine.consume(new ConsumeRequest(c, "llm", BigDecimal.ONE, "record-due", null, Map.of()))
                        .get();
            }

            CheckRequest check = new CheckRequest("acme", "q", BigDecimal.ONE, "agent", Map.of());
            CheckRequest moved = new CheckRequest("moved", "llm", BigDecimal.ONE, null, Map.of());
            CheckRequest stayed = new CheckRequest("stayed", "llm", BigDecimal.ONE, null, Map.of());
            require(engine.check(check).allowed()
                    && engine.check(moved).allowed()
                    && engine.check(stayed).allowed());
            for (int round = 0; round < 3; round++) {
                int n = round;
                System.out.printf(
                        Locale.ROOT,
                        "round %d: check %d B, priced check after a version move %d B, priced check %d B,"
                                + " consume refused by a budget %d B, by the limit %d B, for credits %d B%n",
                        round,
                        perCall(200_000, i -> engine.check(check)),
                        perCall(200_000, i -> engine.check(moved)),
                        perCall(200_000, i -> engine.check(stayed)),
                        perConsume(
                                engine,
                                4_000,
                                i -> new ConsumeRequest(
                                        "acme", "q", BigDecimal.ONE, "b" + n + "-" + i, "tight", Map.of())),
                        perConsume(
                                engine,
                                4_000,
                                i -> new ConsumeRequest(
                                        "acme", "capped", BigDecimal.ONE, "l" + n + "-" + i, null, Map.of())),
                        perConsume(
                                engine,
                                4_000,
                                i -> new ConsumeRequest(
                                        "stayed", "llm", new BigDecimal("1000"), "c" + n + "-" + i, null, Map.of())));
            }
        } finally {
            engine.close();
            store.close();
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Budget budget(String feature, String limit) {
        return new Budget(
                "cap",
                null,
                feature,
                new BigDecimal(limit),
                ResetPeriod.MONTH,
                true,
                List.of(new BigDecimal("0.8")),
                Map.of());
    }

    private static void require(boolean condition) {
        if (!condition) {
            throw new IllegalStateException("the probe's set-up does not answer as expected");
        }
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private static long perCall(int calls, IntFunction<Decision> call) {
        long sink = 0;
        long before = allocated();
        for (int i = 0; i < calls; i++) {
            sink += call.apply(i).used().signum();
        }
        long bytes = (allocated() - before) / calls;
        require(sink >= 0);
        return bytes;
    }

    /**
     * Refused consumptions, 200 in flight at a time; only the calls are counted (the requests are built beforehand,
     * and the waits for the commits, whose allocation depends on timing, fall outside the count).
     */
    private static long perConsume(Engine engine, int calls, IntFunction<ConsumeRequest> request) throws Exception {
        List<ConsumeRequest> requests = new ArrayList<>(calls);
        for (int i = 0; i < calls; i++) {
            requests.add(request.apply(i));
        }
        List<CompletableFuture<Outcome<Decision>>> inFlight = new ArrayList<>(calls);
        long counted = 0;
        for (int from = 0; from < calls; from += 200) {
            long before = allocated();
            for (int i = from; i < Math.min(calls, from + 200); i++) {
                inFlight.add(engine.consume(requests.get(i)));
            }
            counted += allocated() - before;
            for (int i = from; i < inFlight.size(); i++) {
                require(!inFlight.get(i).get().value().allowed());
            }
        }
        return counted / calls;
    }
}
