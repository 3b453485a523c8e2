package dev.tollgate.bench.jmh;

import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.store.Store;
import dev.tollgate.store.sqlite.SqliteStores;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The in-process decision: {@link Engine#check} of a metered feature at the leaf of a four-level scope path with a
 * hard budget at every level, on an engine loaded from a real SQLite store (a check reads memory only).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CheckBenchmark {
    private Path dir;
    private Store store;
    private Engine engine;
    private CheckRequest request;

    /** Publishes a catalog, a customer and the scope path. */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("tollgate-jmh");
        store = SqliteStores.open(dir);
        engine = Engine.start(store, InstantSource.fixed(Instant.parse("2026-04-10T09:00:00Z")), null);
        engine.publishCatalog(
                        Map.of(
                                "features",
                                List.of(Map.of("key", "q", "type", "metered", "reset", "month")),
                                "plans",
                                List.of(Map.of("key", "p", "entitlements", Map.of("q", Map.of("limit", 1_000_000))))),
                        "bench")
                .get();
        engine.upsertCustomer("acme", new CustomerUpdate("Acme", Map.of(), null), null)
                .get();
        engine.subscribe("acme", new SubscriptionRequest("p", List.of(), null, null, null))
                .get();
        String parent = null;
        for (String scope : List.of("org", "dept", "team", "agent")) {
            engine.setScope("acme", scope, scope, parent, null).get();
            engine.setBudget(
                            "acme",
                            scope,
                            "cap",
                            new Budget(
                                    "cap",
                                    null,
                                    "q",
                                    new BigDecimal("1000000"),
                                    ResetPeriod.MONTH,
                                    true,
                                    List.of(new BigDecimal("0.8")),
                                    Map.of()))
                    .get();
            parent = scope;
        }
        request = new CheckRequest("acme", "q", BigDecimal.ONE, "agent", Map.of());
        if (!engine.check(request).allowed()) {
            throw new IllegalStateException("the benchmark's check must be admitted");
        }
    }

    @Benchmark
    public Decision check() {
        return engine.check(request);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        engine.close();
        store.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
