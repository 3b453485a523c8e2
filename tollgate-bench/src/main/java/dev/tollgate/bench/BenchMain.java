package dev.tollgate.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The benchmark run: starts the baselines and Tollgate (SQLite, then PostgreSQL) as processes, runs every scenario
 * alternating baseline and subject (A B A B A B), checks the correctness gates on the same servers, runs the JMH
 * benchmarks, and writes {@code result.json} and {@code result.md}.
 *
 * <p>Every speed figure is a ratio to a baseline measured in the same invocation, reported as median, min and max
 * over the repetitions; a figure from a run whose gates failed is marked as not counting. {@code --smoke} runs every
 * scenario once, briefly: it exercises the whole harness and its gates (exit code 1 if a gate fails) and never judges
 * speed.
 *
 * <p>Usage: {@code BenchMain [--smoke] [--server-jar PATH] [--out DIR] [--no-jmh] [--sqlite-only] [--only
 * client|cluster|what-if|subscribers] [--server-jvm "OPTIONS"]} ({@code --server-jvm} passes JVM options to the Tollgate server
 * processes, e.g. a JFR recording; {@code --only client} runs the client side's scenarios alone, {@link ClientBench};
 * {@code --only cluster} the several-servers scenario alone, {@link ClusterBench}; {@code --only what-if} the pricing
 * what-if's replay alone, in this process, {@link WhatIfBench}; {@code --only subscribers} the check's p99 with
 * change-feed subscribers alone, {@link SubscriberP99}).
 */
public final class BenchMain {
    private static final int GATE_CAP = 500;
    static final int EVENT_BATCH = 1000;

    private final boolean smoke;
    private final double seconds;
    private final double warmup;
    private final int reps;
    private final Path serverJar;
    private final Path out;
    private final boolean jmh;
    private boolean sqliteOnly;
    private boolean clientOnly;
    private boolean clusterOnly;
    private boolean whatIfOnly;
    private boolean subscribersOnly;
    private List<String> serverJvm = List.of();
    private final Results results = new Results();

    private BenchMain(boolean smoke, Path serverJar, Path out, boolean jmh) {
        this.smoke = smoke;
        this.seconds = smoke ? 1 : 5;
        this.warmup = smoke ? 0.5 : 2;
        this.reps = smoke ? 1 : 3;
        this.serverJar = serverJar;
        this.out = out;
        this.jmh = jmh;
    }

    /**
     * Runs the benchmarks.
     *
     * @param args {@code --smoke}, {@code --server-jar PATH}, {@code --out DIR}, {@code --no-jmh}
     */
    public static void main(String[] args) throws Exception {
        boolean smoke = false;
        boolean jmh = true;
        boolean sqliteOnly = false;
        boolean clientOnly = false;
        boolean clusterOnly = false;
        boolean whatIfOnly = false;
        boolean subscribersOnly = false;
        List<String> serverJvm = List.of();
        Path jar = Path.of("tollgate-server/target/tollgate-server.jar");
        Path out = Path.of("tollgate-bench/target/bench");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--no-jmh" -> jmh = false;
                case "--sqlite-only" -> sqliteOnly = true;
                case "--only" -> {
                    switch (args[++i]) {
                        case "client" -> clientOnly = true;
                        case "cluster" -> clusterOnly = true;
                        case "what-if" -> whatIfOnly = true;
                        case "subscribers" -> subscribersOnly = true;
                        default ->
                            throw new IllegalArgumentException(
                                    "--only takes client, cluster, what-if or subscribers, not " + args[i]);
                    }
                }
                case "--server-jvm" -> serverJvm = List.of(args[++i].trim().split("\\s+"));
                case "--server-jar" -> jar = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        BenchMain bench = new BenchMain(smoke, jar, out, jmh);
        bench.sqliteOnly = sqliteOnly;
        bench.clientOnly = clientOnly;
        bench.clusterOnly = clusterOnly;
        bench.whatIfOnly = whatIfOnly;
        bench.subscribersOnly = subscribersOnly;
        bench.serverJvm = serverJvm;
        bench.run();
        System.out.println(Files.readString(out.resolve("result.md")));
        if (!bench.gatesPassed()) {
            System.err.println("a correctness gate failed: the speed figures of this run do not count");
            System.exit(1);
        }
    }

    /** Runs everything and writes the results; answers whether every gate passed. */
    static boolean runAll(boolean smoke, Path serverJar, Path out, boolean jmh) throws Exception {
        BenchMain bench = new BenchMain(smoke, serverJar, out, jmh);
        bench.run();
        return bench.gatesPassed();
    }

    boolean gatesPassed() {
        return results.gatesPassed();
    }

    private void run() throws Exception {
        Files.createDirectories(out);
        Path work = Files.createTempDirectory("tollgate-bench");
        Instant started = Instant.now();
        if (clusterOnly) {
            new ClusterBench(results, smoke, serverJar, serverJvm, work).run();
            results.write(out, started, smoke);
            return;
        }
        if (whatIfOnly) {
            new WhatIfBench(results, smoke).run();
            results.write(out, started, smoke);
            return;
        }
        if (subscribersOnly) {
            new SubscriberP99(results, smoke, serverJar, serverJvm, work).run();
            results.write(out, started, smoke);
            return;
        }
        Proc.Started bareStarted = startBare(null, 2, work.resolve("bare.log"));
        Proc bare = bareStarted.proc();
        try (bare;
                Baselines baselines = Baselines.start(work)) {
            int barePort = Integer.parseInt(bareStarted.said());
            HttpLoad bareLoad = new HttpLoad("127.0.0.1", barePort);
            byte[] bareRequest = HttpLoad.request("POST", "/v1/check", checkBody(), null);
            if (!clientOnly) {
                try (TollgateProcess tg = TollgateProcess.start(serverJar, work.resolve("sqlite"), null, serverJvm)) {
                    setUp(tg);
                    sqliteScenarios(tg, baselines, bareLoad, bareRequest, work);
                }
            }
            new ClientBench(results, smoke, serverJar, serverJvm, baselines.redisPort(), work).run();
            if (sqliteOnly || clientOnly) {
                results.write(out, started, smoke);
                return;
            }
            String schema = "bench_" + Long.toString(System.nanoTime(), 36);
            Proc.psql("127.0.0.1", "CREATE SCHEMA " + schema);
            try (TollgateProcess pg = TollgateProcess.start(
                    serverJar,
                    work.resolve("postgres"),
                    "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&currentSchema=" + schema,
                    serverJvm)) {
                setUp(pg);
                postgresScenarios(pg, baselines);
            } finally {
                Proc.psql("127.0.0.1", "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
        new ClusterBench(results, smoke, serverJar, serverJvm, work).run();
        new WhatIfBench(results, smoke).run();
        if (jmh) {
            jmhScenarios();
        }
        results.write(out, started, smoke);
    }

    // ---- setup ----

    /**
     * Starts the bare-HTTP baseline with {@code ioThreads} I/O threads, on the server cores of {@code pinning} if given
     * (else on any core).
     */
    static Proc.Started startBare(@Nullable Pinning pinning, int ioThreads, Path log)
            throws IOException, InterruptedException {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                BareHttpServer.class.getName(),
                "0",
                Integer.toString(ioThreads));
        return Proc.start(
                pinning == null ? command : pinning.onServerCpus(command),
                Map.of(),
                log,
                Pattern.compile("port=(\\d+)"),
                60);
    }

    static String checkBody() {
        return "{\"customerId\":\"chk\",\"feature\":\"q\",\"quantity\":1,\"scope\":\"agent\"}";
    }

    /** The catalog, the customers and the four-level scope path with a budget at every level. */
    static void setUp(TollgateProcess tg) {
        tg.ok(
                "PUT",
                "/v1/catalog",
                Map.of(
                        "currencies",
                        List.of(Map.of("key", "credits", "depletion", "hard")),
                        "features",
                        List.of(
                                Map.of("key", "q", "type", "metered", "reset", "month"),
                                Map.of("key", "capped", "type", "metered", "reset", "month"),
                                Map.of("key", "priced", "type", "metered", "reset", "month")),
                        "rateCards",
                        List.of(Map.of("feature", "priced", "currency", "credits", "per", 1, "rate", 1)),
                        "plans",
                        List.of(Map.of(
                                "key",
                                "p",
                                "entitlements",
                                Map.of(
                                        "q", Map.of("limit", "unlimited"),
                                        "capped", Map.of("limit", GATE_CAP),
                                        "priced", Map.of("limit", "unlimited"))))));
        List<String> customers = new ArrayList<>(List.of("chk", "hot", "gate", "ledger"));
        for (int i = 0; i < 10; i++) {
            customers.add("ev" + i);
        }
        for (String c : customers) {
            tg.ok("PUT", "/v1/customers/" + c, Map.of("name", c));
            tg.ok("PUT", "/v1/customers/" + c + "/subscription", Map.of("plan", "p"));
        }
        String parent = null;
        for (String scope : List.of("org", "dept", "team", "agent")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("kind", scope);
            if (parent != null) {
                body.put("parent", parent);
            }
            tg.ok("PUT", "/v1/customers/chk/scopes/" + scope, body);
            tg.ok(
                    "PUT",
                    "/v1/customers/chk/scopes/" + scope + "/budgets/cap",
                    Map.of("feature", "q", "limit", 1_000_000_000L, "period", "month"));
            parent = scope;
        }
        tg.ok(
                "POST",
                "/v1/customers/ledger/grants",
                Map.of("currency", "credits", "amount", 2000, "category", "paid", "idempotencyKey", "bench-grant"));
    }

    static LongFunction<byte[]> consumes(String customer, String prefix) {
        return seq -> HttpLoad.request(
                "POST",
                "/v1/consume",
                "{\"customerId\":\"" + customer + "\",\"feature\":\"q\",\"quantity\":1,\"idempotencyKey\":\"" + prefix
                        + seq + "\"}",
                TollgateProcess.API_KEY);
    }

    /** Batches of 1000 events over ten customers; 5 % of each batch repeat keys of the batch before. */
    static LongFunction<byte[]> eventBatches(String prefix) {
        return seq -> {
            StringBuilder sb = new StringBuilder(EVENT_BATCH * 96).append("{\"events\":[");
            for (int j = 0; j < EVENT_BATCH; j++) {
                long batch = j < EVENT_BATCH / 20 && seq > 0 ? seq - 1 : seq;
                if (j > 0) {
                    sb.append(',');
                }
                sb.append("{\"idempotencyKey\":\"")
                        .append(prefix)
                        .append(batch)
                        .append('-')
                        .append(j)
                        .append("\",\"customerId\":\"ev")
                        .append(j % 10)
                        .append("\",\"feature\":\"q\",\"quantity\":1}");
            }
            return HttpLoad.request("POST", "/v1/events", sb.append("]}").toString(), TollgateProcess.API_KEY);
        };
    }

    // ---- scenarios ----

    private void sqliteScenarios(
            TollgateProcess tg, Baselines baselines, HttpLoad bareLoad, byte[] bareRequest, Path work)
            throws Exception {
        HttpLoad load = new HttpLoad("127.0.0.1", tg.port);
        byte[] check = HttpLoad.request("POST", "/v1/check", checkBody(), TollgateProcess.API_KEY);
        LongFunction<byte[]> checks = seq -> check;
        LongFunction<byte[]> bare = seq -> bareRequest;
        long[] consumed = {0};
        // JIT warm-up of both servers and the generator before anything is measured
        bareLoad.saturate(64, 0, 2 * warmup, bare);
        load.saturate(64, 0, 2 * warmup, checks);
        consumed[0] += load.saturate(64, 0, 2 * warmup, consumes("hot", "w-")).ok();

        List<Double> checkRates = new ArrayList<>();
        List<Double> bareRates = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            bareRates.add(bareLoad.saturate(64, warmup, seconds, bare).rate());
            checkRates.add(load.saturate(64, warmup, seconds, checks).rate());
        }
        results.ratio(
                "/v1/check c=64, 4-level scope path / bare Netty c=64", checkRates, bareRates, ">= 0.6", 0.6, true);

        List<Double> redisRates = new ArrayList<>();
        List<Double> checkRates2 = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            redisRates.add(baselines.redisGet(smoke ? 50_000 : 400_000));
            checkRates2.add(load.saturate(64, warmup, seconds, checks).rate());
        }
        results.ratio("/v1/check c=64 / redis-benchmark GET c=50", checkRates2, redisRates, ">= 0.7", 0.7, true);

        checkLatency(tg, bareLoad, check, bareRequest, Results.median(checkRates), work);

        List<Double> oneBare = new ArrayList<>();
        List<Double> oneCheck = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            oneBare.add(bareLoad.saturate(1, warmup, seconds, bare).percentileMillis(50));
            oneCheck.add(load.saturate(1, warmup, seconds, checks).percentileMillis(50));
        }
        results.ratio("/v1/check one client p50 / bare Netty one client p50", oneCheck, oneBare, "<= 1.8", 1.8, false);

        List<Double> fsync = new ArrayList<>();
        List<Double> consumeRates = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            fsync.add(Baselines.fsyncLoop(work, seconds));
            HttpLoad.Run r = load.saturate(64, warmup, seconds, consumes("hot", "s" + i + "-"));
            consumed[0] += r.ok();
            consumeRates.add(r.rate());
        }
        results.ratio(
                "/v1/consume durable, one hot customer, SQLite, c=64 / fsync loop",
                consumeRates,
                fsync,
                ">= 4",
                4,
                true);

        List<Double> evalsha = new ArrayList<>();
        List<Double> consumeRates2 = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            evalsha.add(baselines.redisEvalshaDecrement(smoke ? 50_000 : 300_000));
            HttpLoad.Run r = load.saturate(64, warmup, seconds, consumes("hot", "e" + i + "-"));
            consumed[0] += r.ok();
            consumeRates2.add(r.rate());
        }
        results.ratio(
                "/v1/consume SQLite c=64 / redis EVALSHA decrement c=50 (no target; for orientation)",
                consumeRates2,
                evalsha,
                "-",
                0,
                true);

        double consumeSaturation = Results.median(consumeRates);
        List<Double> consumeP99 = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            HttpLoad.Run r =
                    load.constantRate(64, 0.8 * consumeSaturation, warmup, seconds, consumes("hot", "o" + i + "-"));
            consumed[0] += r.ok();
            consumeP99.add(r.percentileMillis(99));
        }
        results.absolute(
                "/v1/consume SQLite p99 at 80 % of saturation (" + Math.round(0.8 * consumeSaturation)
                        + "/s, open loop)",
                "ms",
                consumeP99,
                "<= 5 ms",
                5,
                false);

        List<Double> at16 = new ArrayList<>();
        List<Double> at256 = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            HttpLoad.Run a = load.saturate(16, warmup, seconds, consumes("hot", "a" + i + "-"));
            HttpLoad.Run b = load.saturate(256, warmup, seconds, consumes("hot", "b" + i + "-"));
            consumed[0] += a.ok() + b.ok();
            at16.add(a.rate());
            at256.add(b.rate());
        }
        results.ratio("contention: /v1/consume at 256 clients / at 16 clients", at256, at16, ">= 0.9", 0.9, true);

        List<Double> eventRates = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            HttpLoad.Run r = load.saturate(4, warmup, seconds, eventBatches("v" + i + "-"));
            results.gate("events batches answered 2xx (run " + i + ")", r.errors() == 0, "errors=" + r.errors());
            eventRates.add(r.rate() * EVENT_BATCH);
        }
        results.absolute(
                "/v1/events batches of 1000, 5 % duplicates, durable, SQLite",
                "events/s", eventRates, ">= 100,000/s", 100_000, true);

        hotCustomerGate(tg, "SQLite", consumed[0]);
        overAdmissionGate(tg);
        ledgerGate(tg);
    }

    private void postgresScenarios(TollgateProcess pg, Baselines baselines) throws Exception {
        HttpLoad load = new HttpLoad("127.0.0.1", pg.port);
        long consumed = load.saturate(64, 0, 2 * warmup, consumes("hot", "w-")).ok();
        List<Double> pgbench = new ArrayList<>();
        List<Double> consumeRates = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            pgbench.add(baselines.pgbenchHotRow(16, (int) Math.ceil(seconds)));
            HttpLoad.Run r = load.saturate(64, warmup, seconds, consumes("hot", "p" + i + "-"));
            consumed += r.ok();
            consumeRates.add(r.rate());
        }
        results.ratio(
                "/v1/consume durable, one hot customer, PostgreSQL, c=64 / pgbench hot-row update c=16",
                consumeRates,
                pgbench,
                ">= 5",
                5,
                true);
        hotCustomerGate(pg, "PostgreSQL", consumed);
        overAdmissionGate(pg);
    }

    /**
     * The check's p99 at 80 % of saturation, and the bare server's at the same rate as the floor under it. With a
     * {@link Pinning}, both run on servers of their own confined to the server cores (one I/O thread per core), the
     * check's saturation is measured again in that arrangement, and the generator spins on its own core; without one,
     * on the shared servers at the saturation measured above.
     */
    private void checkLatency(
            TollgateProcess shared,
            HttpLoad sharedBare,
            byte[] check,
            byte[] bareRequest,
            double checkSaturation,
            Path work)
            throws Exception {
        Pinning pinning = Pinning.detect();
        if (pinning == null) {
            checkP99(
                    new HttpLoad("127.0.0.1", shared.port),
                    sharedBare,
                    check,
                    bareRequest,
                    checkSaturation,
                    "generator and server share every core");
            return;
        }
        Proc.Started bareStarted = startBare(pinning, pinning.serverCores(), work.resolve("bare-pinned.log"));
        Proc bare = bareStarted.proc();
        try (bare;
                TollgateProcess tg = TollgateProcess.start(
                        serverJar, work.resolve("sqlite-pinned"), null, serverJvm, pinning, pinning.serverCores())) {
            setUp(tg);
            try {
                pinning.pinGenerator();
                HttpLoad bareLoad = new HttpLoad("127.0.0.1", Integer.parseInt(bareStarted.said()), true);
                HttpLoad load = new HttpLoad("127.0.0.1", tg.port, true);
                bareLoad.saturate(64, 0, 2 * warmup, seq -> bareRequest);
                load.saturate(64, 0, 2 * warmup, seq -> check);
                List<Double> checkRates = new ArrayList<>();
                for (int i = 0; i < reps; i++) {
                    checkRates.add(
                            load.saturate(64, warmup, seconds, seq -> check).rate());
                }
                checkP99(
                        load,
                        bareLoad,
                        check,
                        bareRequest,
                        Results.median(checkRates),
                        "server on CPU " + pinning.serverCpus() + " with " + pinning.serverCores()
                                + " I/O thread(s), generator spinning on CPU " + pinning.generatorCpu());
            } finally {
                pinning.release();
            }
        }
    }

    /**
     * Open-loop runs at 80 % of the check's saturation, alternating the bare server and Tollgate at the same rate:
     * the bare server's p99 is what the machine, the kernel and the generator put under any answer at that rate.
     */
    private void checkP99(
            HttpLoad load,
            HttpLoad bareLoad,
            byte[] check,
            byte[] bareRequest,
            double checkSaturation,
            String arrangement)
            throws IOException {
        double rate = 0.8 * checkSaturation;
        List<Double> checkP99 = new ArrayList<>();
        List<Double> bareP99 = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            bareP99.add(bareLoad.constantRate(64, rate, warmup, seconds, seq -> bareRequest)
                    .percentileMillis(99));
            checkP99.add(
                    load.constantRate(64, rate, warmup, seconds, seq -> check).percentileMillis(99));
        }
        results.absolute(
                "/v1/check p99 at 80 % of saturation (" + Math.round(rate) + "/s, open loop; " + arrangement + ")",
                "ms",
                checkP99,
                "<= 2 ms",
                2,
                false);
        results.absolute(
                "bare Netty p99 at the same rate, same arrangement (no target: the floor under any server here)",
                "ms",
                bareP99,
                "-",
                0,
                false);
    }

    // ---- gates ----

    /** Every consume answered 2xx was recorded exactly once: usage equals the count of admitted answers. */
    private void hotCustomerGate(TollgateProcess tg, String store, long admitted) {
        BigDecimal used = used(tg, "hot", "q");
        results.gate(
                "usage equals admitted consumes, " + store,
                used.compareTo(BigDecimal.valueOf(admitted)) == 0,
                "used=" + used.toPlainString() + " admitted=" + admitted);
    }

    /** 64 threads, 1000 consumes of 1 against a hard limit of 500: exactly 500 admitted, 500 used. */
    private void overAdmissionGate(TollgateProcess tg) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger admitted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(64);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 64; t++) {
            futures.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < 2 * GATE_CAP; i = next.getAndIncrement()) {
                    Map<String, Object> r = tg.ok(
                            "POST",
                            "/v1/consume",
                            Map.of(
                                    "customerId",
                                    "gate",
                                    "feature",
                                    "capped",
                                    "quantity",
                                    1,
                                    "idempotencyKey",
                                    "g" + i));
                    if (Boolean.TRUE.equals(r.get("allowed"))) {
                        admitted.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        BigDecimal used = used(tg, "gate", "capped");
        results.gate(
                "no over-admission: hard limit " + GATE_CAP + ", " + 2 * GATE_CAP + " concurrent consumes",
                admitted.get() == GATE_CAP && used.compareTo(BigDecimal.valueOf(GATE_CAP)) == 0,
                "admitted=" + admitted.get() + " used=" + used.toPlainString());
    }

    /** Concurrent priced consumes against 2000 credits: balance = grants - admitted = Σ ledger entries, never < 0. */
    private void ledgerGate(TollgateProcess tg) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger charged = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 32; t++) {
            Random r = new Random(t);
            futures.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < 1500; i = next.getAndIncrement()) {
                    int q = 1 + r.nextInt(5);
                    Map<String, Object> a = tg.ok(
                            "POST",
                            "/v1/consume",
                            Map.of(
                                    "customerId",
                                    "ledger",
                                    "feature",
                                    "priced",
                                    "quantity",
                                    q,
                                    "idempotencyKey",
                                    "l" + i));
                    if (Boolean.TRUE.equals(a.get("allowed"))) {
                        charged.addAndGet(q);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> balances = (List<Map<String, Object>>) Objects.requireNonNull(
                tg.ok("GET", "/v1/customers/ledger/balance", null).get("balances"));
        BigDecimal available =
                (BigDecimal) Objects.requireNonNull(balances.get(0).get("available"));
        BigDecimal sum = BigDecimal.ZERO;
        int entries = 0;
        String cursor = null;
        do {
            Map<String, Object> page = tg.ok(
                    "GET",
                    "/v1/customers/ledger/ledger?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor),
                    null);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> list = (List<Map<String, Object>>) Objects.requireNonNull(page.get("entries"));
            for (Map<String, Object> e : list) {
                sum = sum.add((BigDecimal) e.get("amount"));
                entries++;
            }
            cursor = (String) page.get("nextCursor");
        } while (cursor != null);
        BigDecimal expected = BigDecimal.valueOf(2000L - charged.get());
        results.gate(
                "ledger sums equal balances under concurrent charges",
                sum.compareTo(available) == 0 && available.compareTo(expected) == 0 && available.signum() >= 0,
                "ledger-sum=" + sum.toPlainString() + " available=" + available.toPlainString() + " expected="
                        + expected + " entries=" + entries);
    }

    /** The customer's usage of {@code feature} in the current period, as the server reports it. */
    static BigDecimal used(TollgateProcess tg, String customer, String feature) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>)
                Objects.requireNonNull(tg.ok("GET", "/v1/customers/" + customer + "/entitlements", null)
                        .get("entitlements"));
        return list.stream()
                .filter(e -> feature.equals(e.get("feature")))
                .map(e -> (BigDecimal) e.get("used"))
                .findFirst()
                .orElseThrow();
    }

    // ---- JMH ----

    private void jmhScenarios() throws Exception {
        Map<String, Double> medians = JmhRunner.run(smoke);
        Double check = medians.get("CheckBenchmark.check");
        if (check != null) {
            results.absolute(
                    "in-process check, 4-level scope path (JMH, median)",
                    "ns",
                    List.of(check),
                    "<= 300 ns",
                    300,
                    false);
        }
        medians.forEach((name, ns) -> {
            if (!name.equals("CheckBenchmark.check")) {
                results.absolute(name + " (JMH, median)", "ns", List.of(ns), "-", 0, false);
            }
        });
    }
}
