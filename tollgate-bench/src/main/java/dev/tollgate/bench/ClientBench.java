package dev.tollgate.bench;

import dev.tollgate.client.ConsumeRequest;
import dev.tollgate.client.Decision;
import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * The client side's speed (issue 18), each figure against a baseline of the same run: the SDK's check from its cache
 * (JMH, with allocation per call), the SDK's consume against a lease (8 threads) against {@code POST /v1/consume} over
 * HTTP and against Bucket4j's Redis bucket, the sidecar's {@code /v1/check} against the server's own, the time a
 * subscription change takes to reach a connected SDK, and the server's check p99 with change-feed subscribers
 * connected ({@link SubscriberP99}).
 *
 * <p>Everything runs against a Tollgate server process of its own (SQLite, fresh data directory); the sidecar is a
 * second process of the same jar; the SDKs, Bucket4j and the load generators are in this process.
 *
 * <p>Correctness gates: after every consume of the run (HTTP and SDK, the SDK's leases returned), the server's usage
 * equals what was admitted; every sidecar answer was 2xx and a boolean check through it says {@code source: cache};
 * every subscription change reached the SDK, from its cache.
 *
 * <p>Not thread-safe; one run.
 */
final class ClientBench {
    static final String CUSTOMER = "app";
    private static final String MOVING = "moving";
    private static final String FLAG = "flag";
    private static final int THREADS = 8;

    /**
     * A run of {@link #sdkConsumes}.
     *
     * @param lifeSeconds from building the SDK until its close returned
     * @param closeSeconds how long its close took (returning the leases, sending every queued event)
     * @param localShare the share of consumes answered against a lease ({@code source: cache})
     */
    private record SdkRun(ThreadLoad.Run run, double lifeSeconds, double closeSeconds, double localShare) {}

    private final Results results;
    private final boolean smoke;
    private final double seconds;
    private final double warmup;
    private final int reps;
    private final Path serverJar;
    private final List<String> serverJvm;
    private final int redisPort;
    private final Path work;

    /**
     * @param redisPort a Redis of this run's own (Bucket4j's baseline)
     * @param work a directory for data and logs
     */
    ClientBench(Results results, boolean smoke, Path serverJar, List<String> serverJvm, int redisPort, Path work) {
        this.results = results;
        this.smoke = smoke;
        this.seconds = smoke ? 1 : 5;
        this.warmup = smoke ? 0.5 : 2;
        this.reps = smoke ? 1 : 3;
        this.serverJar = serverJar;
        this.serverJvm = serverJvm;
        this.redisPort = redisPort;
        this.work = work;
    }

    /** Runs every client scenario. */
    void run() throws Exception {
        try (TollgateProcess tg = TollgateProcess.start(serverJar, work.resolve("client"), null, serverJvm)) {
            setUp(tg);
            sdkCheck(tg);
            consume(tg);
            sidecar(tg);
            propagation(tg);
        }
        new SubscriberP99(results, smoke, serverJar, serverJvm, work).run();
    }

    /**
     * A metered feature {@code q} with a hard limit of 10^12 (what leases serve) and a boolean feature {@code flag},
     * on plan {@code on} (flag enabled) and {@code off} (disabled); customers {@code app} and {@code moving} on
     * {@code on}.
     */
    static void setUp(TollgateProcess tg) {
        Map<String, Object> q = Map.of("limit", 1_000_000_000_000L);
        tg.ok(
                "PUT",
                "/v1/catalog",
                Map.of(
                        "features",
                        List.of(
                                Map.of("key", "q", "type", "metered", "reset", "month"),
                                Map.of("key", FLAG, "type", "boolean")),
                        "plans",
                        List.of(
                                Map.of("key", "on", "entitlements", Map.of("q", q, FLAG, Map.of("enabled", true))),
                                Map.of("key", "off", "entitlements", Map.of("q", q, FLAG, Map.of("enabled", false))))));
        for (String c : List.of(CUSTOMER, MOVING)) {
            tg.ok("PUT", "/v1/customers/" + c, Map.of("name", c));
            tg.ok("PUT", "/v1/customers/" + c + "/subscription", Map.of("plan", "on"));
        }
    }

    private static Tollgate sdk(TollgateProcess tg, Duration cacheTtl) {
        return Tollgate.builder()
                .baseUrl("http://127.0.0.1:" + tg.port)
                .apiKey(TollgateProcess.API_KEY)
                .cacheTtl(cacheTtl)
                .build();
    }

    // ---- the SDK's check from its cache (JMH) ----

    private void sdkCheck(TollgateProcess tg) throws Exception {
        Map<String, JmhRunner.Measured> measured = JmhRunner.sdkCheck(
                smoke,
                Map.of(
                        "baseUrl",
                        "http://127.0.0.1:" + tg.port,
                        "apiKey",
                        TollgateProcess.API_KEY,
                        "customer",
                        CUSTOMER,
                        "feature",
                        FLAG));
        JmhRunner.Measured check = Objects.requireNonNull(measured.get("check"), "SdkCheckBenchmark.check");
        results.absolute(
                "SDK check of a boolean feature from its cache, request built once (JMH, median)",
                "ns",
                List.of(check.medianNanos()),
                "<= 50 ns",
                50,
                false);
        results.absolute(
                "SDK check of a boolean feature from its cache, allocation per call (JMH gc.alloc.rate.norm)",
                "bytes",
                List.of(check.allocBytes()),
                "0 bytes (< 0.5 measured)",
                0.5,
                false);
        JmhRunner.Measured strings = measured.get("checkStrings");
        if (strings != null) {
            results.absolute(
                    "SDK check(customerId, feature) from its cache (JMH, median; no target)",
                    "ns",
                    List.of(strings.medianNanos()),
                    "-",
                    0,
                    false);
            results.absolute(
                    "SDK check(customerId, feature), allocation per call (no target)",
                    "bytes",
                    List.of(strings.allocBytes()),
                    "-",
                    0,
                    false);
        }
    }

    // ---- consumes: SDK against leases, HTTP, Bucket4j ----

    private void consume(TollgateProcess tg) throws Exception {
        HttpLoad load = new HttpLoad("127.0.0.1", tg.port);
        long[] admitted = {0};
        admitted[0] += load.saturate(THREADS, 0, 2 * warmup, BenchMain.consumes(CUSTOMER, "hw-"))
                .ok();
        try (Bucket4jBaseline bucket = Bucket4jBaseline.connect(
                redisPort, "tollgate-bench-" + ProcessHandle.current().pid())) {
            ThreadLoad.run(THREADS, 0, 2 * warmup, (t, seq) -> bucket.tryConsume());
            admitted[0] += sdkConsumes(tg, "sw-", 0, 2 * warmup).run().admitted();
            List<Double> http = new ArrayList<>();
            List<Double> sdk = new ArrayList<>();
            List<Double> bucket4j = new ArrayList<>();
            List<Double> settled = new ArrayList<>();
            List<String> local = new ArrayList<>();
            for (int i = 0; i < reps; i++) {
                HttpLoad.Run h = load.saturate(THREADS, warmup, seconds, BenchMain.consumes(CUSTOMER, "h" + i + "-"));
                admitted[0] += h.ok();
                http.add(h.rate());
                SdkRun s = sdkConsumes(tg, "s" + i + "-", warmup, seconds);
                admitted[0] += s.run().admitted();
                sdk.add(s.run().rate());
                settled.add(s.run().admitted() / s.lifeSeconds());
                local.add(String.format(Locale.ROOT, "%.4f local, close %.1f s", s.localShare(), s.closeSeconds()));
                bucket4j.add(ThreadLoad.run(THREADS, warmup, seconds, (t, seq) -> bucket.tryConsume())
                        .rate());
            }
            results.ratio(
                    "SDK consume against a lease, 8 threads / POST /v1/consume over HTTP, 8 connections, same server",
                    sdk,
                    http,
                    ">= 20",
                    20,
                    true);
            results.ratio(
                    "SDK consume against a lease, 8 threads / Bucket4j Redis (Lettuce) tryConsume(1), 8 threads",
                    sdk,
                    bucket4j,
                    ">= 5",
                    5,
                    true);
            results.ratio(
                    "SDK consumes settled (admitted / the SDK's life until its close returned, every lease closed and"
                            + " every event sent) / HTTP consume (no target; " + String.join("; ", local) + ")",
                    settled,
                    http,
                    "-",
                    0,
                    true);
        }
        BigDecimal used = BenchMain.used(tg, CUSTOMER, "q");
        results.gate(
                "usage equals admitted consumes, SDK leases and HTTP",
                used.compareTo(BigDecimal.valueOf(admitted[0])) == 0,
                "used=" + used.toPlainString() + " admitted=" + admitted[0]);
    }

    /**
     * A fresh SDK consuming on 8 threads for {@code warmupSeconds} then {@code measureSeconds}, then closed (its leases
     * returned, its events sent): the run, how long the close took, and the share of consumes admitted or refused
     * locally (against a lease) rather than by the server.
     */
    private static SdkRun sdkConsumes(TollgateProcess tg, String prefix, double warmupSeconds, double measureSeconds)
            throws InterruptedException {
        LongAdder fromLease = new LongAdder();
        ThreadLoad.Run run;
        long closing;
        long built = System.nanoTime();
        Tollgate sdk = sdk(tg, Duration.ofSeconds(5));
        try {
            run = ThreadLoad.run(THREADS, warmupSeconds, measureSeconds, (t, seq) -> {
                Decision d = sdk.consume(ConsumeRequest.of(CUSTOMER, "q", 1, prefix + t + "-" + seq));
                if (d.source() == Source.CACHE) {
                    fromLease.increment();
                }
                return d.allowed();
            });
        } finally {
            closing = System.nanoTime();
            sdk.close();
        }
        long closed = System.nanoTime();
        long all = run.admitted() + run.refused();
        return new SdkRun(
                run, (closed - built) / 1e9, (closed - closing) / 1e9, all == 0 ? 0 : fromLease.sum() / (double) all);
    }

    // ---- the sidecar ----

    private void sidecar(TollgateProcess tg) throws Exception {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms512m", "-Xmx1g"));
        command.addAll(serverJvm);
        command.addAll(List.of(
                "-jar", serverJar.toString(), "sidecar", "--upstream", "http://127.0.0.1:" + tg.port, "--port", "0"));
        Proc.Started started = Proc.start(
                command,
                Map.of("TOLLGATE_API_KEY", TollgateProcess.API_KEY),
                work.resolve("sidecar.log"),
                Pattern.compile("listening on http://[^:]+:(\\d+)"),
                120);
        Proc sidecar = started.proc();
        try (sidecar) {
            int port = Integer.parseInt(started.said());
            String body = "{\"customerId\":\"" + CUSTOMER + "\",\"feature\":\"" + FLAG + "\"}";
            byte[] direct = HttpLoad.request("POST", "/v1/check", body, TollgateProcess.API_KEY);
            byte[] through = HttpLoad.request("POST", "/v1/check", body, null);
            HttpLoad server = new HttpLoad("127.0.0.1", tg.port);
            HttpLoad side = new HttpLoad("127.0.0.1", port);
            long errors = server.saturate(64, 0, 2 * warmup, seq -> direct).errors()
                    + side.saturate(64, 0, 2 * warmup, seq -> through).errors();
            List<Double> serverRates = new ArrayList<>();
            List<Double> sidecarRates = new ArrayList<>();
            for (int i = 0; i < reps; i++) {
                HttpLoad.Run a = server.saturate(64, warmup, seconds, seq -> direct);
                HttpLoad.Run b = side.saturate(64, warmup, seconds, seq -> through);
                errors += a.errors() + b.errors();
                serverRates.add(a.rate());
                sidecarRates.add(b.rate());
            }
            results.ratio(
                    "sidecar POST /v1/check, boolean feature, c=64 / the server's own /v1/check, c=64",
                    sidecarRates,
                    serverRates,
                    ">= 0.8",
                    0.8,
                    true);
            String answer = post(port, "/v1/check", body);
            results.gate(
                    "sidecar checks answered 2xx, from its cache",
                    errors == 0 && answer.contains("\"source\":\"cache\"") && answer.contains("\"allowed\":true"),
                    "errors=" + errors + " answer=" + answer);
        }
    }

    /** One POST without a key, its answer's body. */
    private static String post(int port, String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofString())
                .body();
    }

    // ---- change propagation ----

    private void propagation(TollgateProcess tg) {
        int changes = smoke ? 20 : 200;
        List<Double> p99 = new ArrayList<>();
        List<String> detail = new ArrayList<>();
        int lost = 0;
        int notFromCache = 0;
        try (Tollgate sdk = sdk(tg, Duration.ofHours(1))) {
            // the first check reads the customer and subscribes the feed to it; the warm-up changes show it connected
            sdk.check(MOVING, FLAG);
            ChangePropagation.Run warm =
                    ChangePropagation.measure(tg.port, TollgateProcess.API_KEY, sdk, MOVING, FLAG, "on", "off", 20);
            lost += warm.lost();
            for (int i = 0; i < reps; i++) {
                ChangePropagation.Run r = ChangePropagation.measure(
                        tg.port, TollgateProcess.API_KEY, sdk, MOVING, FLAG, "on", "off", changes);
                lost += r.lost();
                notFromCache += r.notFromCache();
                p99.add(r.visible().getValueAtPercentile(99) / 1e6);
                detail.add(String.format(
                        Locale.ROOT,
                        "p50 %.2f ms, max %.2f ms, the PUT's own answer p99 %.2f ms",
                        r.visible().getValueAtPercentile(50) / 1e6,
                        r.visible().getMaxValue() / 1e6,
                        r.answered().getValueAtPercentile(99) / 1e6));
            }
        }
        results.absolute(
                "a subscription change visible in a connected SDK's cache, p99 of " + changes + " changes, from the"
                        + " PUT's sending (" + String.join("; ", detail) + ")",
                "ms",
                p99,
                "<= 50 ms",
                50,
                false);
        results.gate(
                "every subscription change reached the SDK through the change feed",
                lost == 0 && notFromCache == 0,
                "lost=" + lost + " answers-not-from-cache=" + notFromCache);
    }
}
