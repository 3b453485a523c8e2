package dev.tollgate.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The soak of issue 16: the packaged server on SQLite under a mixed load for a long while, its heap sampled after a
 * full GC, judged flat or not.
 *
 * <p>It starts the server jar as a process (a temporary data directory, webhooks allowed to 127.0.0.1), applies a
 * catalog, creates {@code --customers} customers each with a scope pair, a budget with alerts and credits, fills
 * each customer's bounded memories to their bound (see {@link #saturateBounds}) and warms up with the load's own mix ({@link
 * #warmUp}), and sets two
 * webhooks to a receiver in this process (one of them answers {@code 500} to every fifth attempt, so retries happen).
 * Then for {@code --minutes} it drives, at about {@code --rate} requests a second from a few threads: checks, consumes
 * (with idempotency keys, one in ten a repeat of an earlier one), priced consumes that drain credits (so low-balance
 * alerts keep firing), grants (which re-arm them), event batches (with repeated keys), sessions opened and closed,
 * budget changes, usage queries, balance reads and ledger exports. Every {@code --sample-seconds} it runs
 * {@code jcmd <pid> GC.run} and reads the heap in use from {@code jcmd <pid> GC.heap_info}, less the young regions
 * (a full GC leaves none: those there a moment later are what the load allocated meanwhile, tens of MB).
 *
 * <p>Verdict (exit 1 if any fails): no 5xx answer and no broken request; the post-GC heap flat, that is after the
 * warm-up (the first tenth of the run) the last third's maximum is within {@code --tolerance} (default 0.25) of the
 * first third's maximum, and the least-squares slope of the samples extrapolated over the whole run stays within the
 * same tolerance of the first third's maximum; every alert delivered to both webhooks (once the load stops, within
 * two minutes); and {@code verify} of the stopped store finds no difference. Prints a table of the samples.
 *
 * <p>Usage: {@code bench/soak.sh [--minutes 10] [--customers 200] [--rate 150] [--sample-seconds 30]
 * [--tolerance 0.25] [--server-jar PATH]}.
 */
public final class Soak {
    private static final String SECRET = "whsec_soak_0123456789abcdef";
    /** Priced consumes per customer before the load: above the engine's 1024 recent charges (and 128 idempotency records). */
    private static final int PREFILL = 1100;

    private static final int PREFILL_SESSIONS = 260;
    /** Warm-up requests per customer: at about 1.3 idempotency keys a request, past the records and charges held. */
    private static final int WARM_UP_PER_CUSTOMER = 900;

    private static final Pattern HEAP_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");
    private static final Pattern YOUNG = Pattern.compile("(\\d+) young \\((\\d+)K\\)");
    private static final String[] OPS = {
        "check",
        "consume",
        "consume-repeat",
        "priced",
        "events",
        "grant",
        "session",
        "budget",
        "usage",
        "balance",
        "ledger-export"
    };
    private static final int[] WEIGHTS = {30, 22, 4, 12, 4, 4, 8, 3, 6, 4, 3};

    /** One heap sample: seconds since the load began, post-GC heap in use and committed (MB), requests so far. */
    record Sample(double atSeconds, double usedMb, double committedMb, long requests) {}

    private final Path jar;
    private final double minutes;
    private final int customers;
    private final double rate;
    private final double sampleSeconds;
    private final double tolerance;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final Map<String, LongAdder[]> byOp = new ConcurrentHashMap<>();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final LongAdder requests = new LongAdder();
    private final Map<String, Set<String>> received = new ConcurrentHashMap<>();
    private final LongAdder badSignatures = new LongAdder();
    private final AtomicLong flakyCalls = new AtomicLong();
    private int port;

    private Soak(Map<String, String> opts) {
        jar = Path.of(opts.getOrDefault("server-jar", "tollgate-server/target/tollgate-server.jar"));
        minutes = Double.parseDouble(opts.getOrDefault("minutes", "10"));
        customers = Integer.parseInt(opts.getOrDefault("customers", "200"));
        rate = Double.parseDouble(opts.getOrDefault("rate", "150"));
        sampleSeconds = Double.parseDouble(opts.getOrDefault(
                "sample-seconds", Double.toString(Math.max(5, Math.min(30, minutes * 3)))));
        tolerance = Double.parseDouble(opts.getOrDefault("tolerance", "0.25"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: Soak [--minutes M] [--customers N] [--rate R]"
                        + " [--sample-seconds S] [--tolerance T] [--server-jar PATH]");
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        System.exit(new Soak(opts).run() ? 0 : 1);
    }

    private boolean run() throws Exception {
        Path work = Files.createTempDirectory("tollgate-soak");
        Path data = work.resolve("data");
        HttpServer receiver = receiver();
        List<Sample> samples = new ArrayList<>();
        long alerts;
        // a copy: a build that replaces the jar under the running server breaks its class loading
        Path serverJar = Files.copy(jar, work.resolve("tollgate-server.jar"));
        try (TollgateProcess tg = TollgateProcess.start(
                serverJar, data, null, List.of(), null, 0, Map.of("TOLLGATE_WEBHOOK_ALLOW_PRIVATE", "true"))) {
            port = tg.port;
            String hooks = "http://127.0.0.1:" + receiver.getAddress().getPort();
            setUp(tg, hooks);
            long filling = System.nanoTime();
            saturateBounds(tg);
            System.out.printf(Locale.ROOT, "soak: bounds filled in %.0f s%n", (System.nanoTime() - filling) / 1e9);
            warmUp((long) customers * WARM_UP_PER_CUSTOMER);
            System.out.printf(
                    Locale.ROOT,
                    "soak: server pid %d, %d customers, %.0f req/s for %.1f min, heap sampled every %.0f s%n",
                    tg.pid(),
                    customers,
                    rate,
                    minutes,
                    sampleSeconds);
            drive(tg.pid(), samples);
            alerts = awaitDeliveries(tg);
        } finally {
            receiver.stop(0);
        }
        String verify;
        try {
            verify = Proc.run(
                    List.of(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-jar",
                            jar.toString(),
                            "verify",
                            "--data-dir",
                            data.toString()),
                    Map.of(),
                    600);
        } catch (IOException e) {
            verify = e.getMessage() != null ? e.getMessage() : e.toString();
        }
        return verdict(samples, alerts, verify);
    }

    // ---- set-up ----

    private void setUp(TollgateProcess tg, String hooks) {
        tg.ok(
                "PUT",
                "/v1/catalog",
                Map.of(
                        "currencies",
                        List.of(Map.of("key", "credits", "depletion", "hard", "lowBalance", 30)),
                        "features",
                        List.of(
                                Map.of("key", "q", "type", "metered", "reset", "month"),
                                Map.of("key", "tokens", "type", "metered", "reset", "month"),
                                Map.of("key", "warm", "type", "metered", "reset", "month")),
                        "rateCards",
                        List.of(Map.of("feature", "tokens", "currency", "credits", "per", 1, "rate", 1)),
                        "plans",
                        List.of(Map.of(
                                "key",
                                "soak",
                                "entitlements",
                                Map.of(
                                        "q", Map.of("limit", 400, "enforcement", "soft"),
                                        "tokens", Map.of("limit", "unlimited"),
                                        "warm", Map.of("limit", "unlimited"))))));
        tg.ok("PUT", "/v1/webhooks/ok", Map.of("url", hooks + "/ok", "secret", SECRET));
        tg.ok("PUT", "/v1/webhooks/flaky", Map.of("url", hooks + "/flaky", "secret", SECRET));
        for (int i = 0; i < customers; i++) {
            String c = "/v1/customers/c" + i;
            tg.ok("PUT", c, Map.of("name", "c" + i));
            tg.ok("PUT", c + "/subscription", Map.of("plan", "soak"));
            tg.ok("PUT", c + "/scopes/org", Map.of("kind", "org"));
            tg.ok("PUT", c + "/scopes/team", Map.of("kind", "team", "parent", "org"));
            tg.ok("PUT", c + "/scopes/team/budgets/q", budget(1_000_000));
            tg.ok(
                    "POST",
                    c + "/grants",
                    Map.of("currency", "credits", "amount", 100, "category", "paid", "idempotencyKey", "g0-" + i));
        }
    }

    /**
     * Fills every per-customer memory the engine bounds to its bound, with records like the load's, before the heap is
     * measured: the last {@code IdempotencyKeys.RECENT} (128) idempotency records and the last 1024 credit charges,
     * from {@link #PREFILL} priced consumes on credits granted for them (and spent by them, so the balances are as before), and the
     * last 256 closed sessions, from {@link #PREFILL_SESSIONS} sessions opened and closed. At the load's rate these
     * bounds take hours to reach with this many customers, so the samples would show the heap growing towards them;
     * filled first, the samples show what the load adds beyond them. An earlier fill with cheap events filled the
     * idempotency records with smaller ones than the load's, and the heap grew as the load replaced them.
     */
    private void saturateBounds(TollgateProcess tg) throws InterruptedException {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int i = 0; i < customers; i++) {
                String c = "c" + i;
                done.add(pool.submit(() -> saturate(tg, c)));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("filling the bounds failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void saturate(TollgateProcess tg, String c) {
        tg.ok(
                "POST",
                "/v1/customers/" + c + "/grants",
                Map.of("currency", "credits", "amount", 20 * PREFILL, "category", "paid", "idempotencyKey", "pre-g"));
        for (int j = 0; j < PREFILL; j++) {
            tg.ok(
                    "POST",
                    "/v1/consume",
                    Map.of("customerId", c, "feature", "tokens", "quantity", 20, "idempotencyKey", "pre-" + j));
        }
        for (int j = 0; j < PREFILL_SESSIONS; j++) {
            Map<String, Object> opened = tg.ok(
                    "POST",
                    "/v1/sessions",
                    Map.of(
                            "customerId",
                            c,
                            "scope",
                            "team",
                            "feature",
                            "q",
                            "amount",
                            5,
                            "ttlSeconds",
                            60,
                            "idempotencyKey",
                            "pre-s" + j));
            tg.ok("POST", "/v1/sessions/" + opened.get("sessionId") + "/close", Map.of("used", 1));
        }
    }

    private static Map<String, Object> budget(long limit) {
        return Map.of(
                "feature",
                "q",
                "limit",
                limit,
                "period",
                "month",
                "alerts",
                List.of(new java.math.BigDecimal("0.5"), new java.math.BigDecimal("0.8"), java.math.BigDecimal.ONE));
    }

    /** The webhook receiver: {@code /ok} answers 200, {@code /flaky} 500 to every fifth attempt. */
    private HttpServer receiver() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        for (String path : List.of("ok", "flaky")) {
            Set<String> ids = ConcurrentHashMap.newKeySet();
            received.put(path, ids);
            server.createContext("/" + path, exchange -> {
                String body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                String signature = exchange.getRequestHeaders().getFirst("Tollgate-Signature");
                if (!signed(signature, body)) {
                    badSignatures.increment();
                }
                boolean fail = path.equals("flaky") && flakyCalls.incrementAndGet() % 5 == 0;
                if (!fail) {
                    ids.add(exchange.getRequestHeaders().getFirst("Tollgate-Event-Id"));
                }
                exchange.sendResponseHeaders(fail ? 500 : 200, -1);
                exchange.close();
            });
        }
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "soak-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return server;
    }

    private static boolean signed(String signature, String body) {
        if (signature == null || !signature.startsWith("t=") || !signature.contains(",v1=")) {
            return false;
        }
        String t = signature.substring(2, signature.indexOf(','));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String v1 = HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
            return signature.endsWith(",v1=" + v1);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the load ----

    /**
     * Runs the load's own mix as fast as 8 threads go for {@code total} requests, unmeasured: the idempotency records
     * the engine holds per customer are then the load's, not the fill's (records of scoped consumes carry budgets and
     * are larger than the fill's), so the measured run does not show the heap growing as it replaces them. Its answers
     * count in the verdict like the measured run's.
     */
    private void warmUp(long total) throws InterruptedException {
        long started = System.nanoTime();
        AtomicLong left = new AtomicLong(total);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            Worker worker = new Worker(100 + w);
            Thread t = new Thread(
                    () -> {
                        while (left.getAndDecrement() > 0) {
                            worker.one();
                        }
                    },
                    "soak-warm-up-" + w);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.printf(
                Locale.ROOT,
                "soak: warm-up of %d requests of the load's mix in %.0f s%n",
                total,
                (System.nanoTime() - started) / 1e9);
    }

    private void drive(long pid, List<Sample> samples) throws Exception {
        int threads = 4;
        long start = System.nanoTime();
        long end = start + (long) (minutes * 60e9);
        long interval = (long) (1e9 / rate);
        AtomicLong nextSlot = new AtomicLong(start);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int id = w;
            Thread t = new Thread(
                    () -> {
                        Worker worker = new Worker(id);
                        while (!stop.get()) {
                            long slot = nextSlot.getAndAdd(interval);
                            long wait = slot - System.nanoTime();
                            if (wait > 0) {
                                java.util.concurrent.locks.LockSupport.parkNanos(wait);
                            } else if (wait < -1_000_000_000L) {
                                nextSlot.set(System.nanoTime()); // over a second behind: no catch-up burst
                            }
                            if (stop.get()) {
                                return;
                            }
                            worker.one();
                        }
                    },
                    "soak-load-" + w);
            t.start();
            workers.add(t);
        }
        long nextSample = start + (long) (sampleSeconds * 1e9);
        ClassHistogram first = null;
        System.out.println("   t (s)   heap used after GC (MB)   committed (MB)   requests");
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            Thread.sleep(Math.max(1, Math.min(nextSample, end) - now) / 1_000_000 + 1);
            if (System.nanoTime() >= nextSample) {
                Sample s = sample(pid, (System.nanoTime() - start) / 1e9);
                samples.add(s);
                System.out.printf(
                        Locale.ROOT,
                        "%8.0f   %23.1f   %14.1f   %8d%n",
                        s.atSeconds(),
                        s.usedMb(),
                        s.committedMb(),
                        s.requests());
                if (first == null) {
                    first = ClassHistogram.of(pid);
                }
                nextSample += (long) (sampleSeconds * 1e9);
            }
        }
        if (first != null) {
            System.out.println("grown most from the first sample to the end (live bytes, instances, class):");
            ClassHistogram.of(pid).grownSince(first, 15).forEach(line -> System.out.println("  " + line));
        }
        stop.set(true);
        for (Thread t : workers) {
            t.join(120_000);
        }
    }

    private Sample sample(long pid, double at) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Proc.run(List.of(jcmd, Long.toString(pid), "GC.run"), Map.of(), 300);
        String info = Proc.run(List.of(jcmd, Long.toString(pid), "GC.heap_info"), Map.of(), 60);
        Matcher m = HEAP_USED.matcher(info);
        Matcher young = YOUNG.matcher(info);
        if (!m.find() || !young.find()) {
            throw new IOException("no heap figures in:\n" + info);
        }
        // the full GC leaves no young region; those read a moment later hold what the load allocated since
        long usedK = Long.parseLong(m.group(2)) - Long.parseLong(young.group(2));
        return new Sample(at, usedK / 1024.0, Long.parseLong(m.group(1)) / 1024.0, requests.sum());
    }

    /** One load thread's state: its random numbers, its keys, the keys it may repeat. */
    private final class Worker {
        private final int id;
        private final Random random;
        private long seq;
        private final List<String[]> recent = new ArrayList<>(); // {customer, key}

        Worker(int id) {
            this.id = id;
            this.random = new Random(42 + id);
        }

        void one() {
            int pick = random.nextInt(100);
            int op = 0;
            int band = WEIGHTS[0];
            while (pick >= band) {
                band += WEIGHTS[++op];
            }
            String c = "c" + random.nextInt(customers);
            String key = "w" + id + "-" + seq++;
            switch (OPS[op]) {
                case "check" ->
                    call("check", "POST", "/v1/check", Map.of("customerId", c, "feature", "q", "scope", "team"));
                case "consume" -> {
                    call("consume", "POST", "/v1/consume", consume(c, key));
                    remember(c, key);
                }
                case "consume-repeat" -> {
                    String[] prior =
                            recent.isEmpty() ? new String[] {c, key} : recent.get(random.nextInt(recent.size()));
                    call("consume-repeat", "POST", "/v1/consume", consume(prior[0], prior[1]));
                }
                case "priced" ->
                    call(
                            "priced",
                            "POST",
                            "/v1/consume",
                            Map.of("customerId", c, "feature", "tokens", "quantity", 20, "idempotencyKey", key));
                case "events" -> {
                    List<Map<String, Object>> events = new ArrayList<>();
                    for (int j = 0; j < 20; j++) {
                        // the last two repeat keys of this worker's previous batch
                        String k = j >= 18 && seq > 1 ? "w" + id + "-" + (seq - 2) + "-e" + j : key + "-e" + j;
                        events.add(Map.of(
                                "idempotencyKey",
                                k,
                                "customerId",
                                "c" + Math.floorMod(k.hashCode(), customers),
                                "feature",
                                "q",
                                "quantity",
                                1));
                    }
                    call("events", "POST", "/v1/events", Map.of("events", events));
                }
                case "grant" ->
                    call(
                            "grant",
                            "POST",
                            "/v1/customers/" + c + "/grants",
                            Map.of("currency", "credits", "amount", 40, "category", "paid", "idempotencyKey", key));
                case "session" -> {
                    Map<String, Object> opened = call(
                            "session-open",
                            "POST",
                            "/v1/sessions",
                            Map.of(
                                    "customerId",
                                    c,
                                    "scope",
                                    "team",
                                    "feature",
                                    "q",
                                    "amount",
                                    5,
                                    "ttlSeconds",
                                    60,
                                    "idempotencyKey",
                                    key));
                    if (opened != null && opened.get("sessionId") instanceof String sessionId) {
                        call(
                                "session-close",
                                "POST",
                                "/v1/sessions/" + sessionId + "/close",
                                Map.of("used", random.nextInt(6)));
                    }
                }
                case "budget" ->
                    call(
                            "budget",
                            "PUT",
                            "/v1/customers/" + c + "/scopes/team/budgets/q",
                            budget(1_000_000 + random.nextInt(1_000_000)));
                case "usage" -> call("usage", "GET", "/v1/customers/" + c + "/usage?groupBy=scope,feature", null);
                case "balance" -> call("balance", "GET", "/v1/customers/" + c + "/balance", null);
                case "ledger-export" ->
                    call("ledger-export", "GET", "/v1/customers/" + c + "/ledger/export?format=json", null);
                default -> throw new IllegalStateException(OPS[op]);
            }
        }

        private Map<String, Object> consume(String c, String key) {
            return Map.of("customerId", c, "feature", "q", "scope", "team", "quantity", 1, "idempotencyKey", key);
        }

        private void remember(String c, String key) {
            if (recent.size() < 64) {
                recent.add(new String[] {c, key});
            } else {
                recent.set(random.nextInt(64), new String[] {c, key});
            }
        }
    }

    /** Sends one request and counts its answer; answers the JSON object body of a 2xx, else {@code null}. */
    @SuppressWarnings("unchecked")
    private @Nullable Map<String, Object> call(String op, String method, String path, @Nullable Object body) {
        LongAdder[] counts = byOp.computeIfAbsent(
                op, k -> new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()});
        requests.increment();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + TollgateProcess.API_KEY)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(
                                        dev.tollgate.core.json.Json.write(body), StandardCharsets.UTF_8))
                .build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            int status = r.statusCode();
            counts[Math.min(2, Math.max(0, status / 100 - 2))].increment();
            if (status >= 500 || (status >= 400 && failures.size() < 20)) {
                failures.add(op + " " + method + " " + path + " -> " + status + " " + r.body());
            }
            Object json =
                    status / 100 == 2 && r.body().startsWith("{") ? dev.tollgate.core.json.Json.parse(r.body()) : null;
            return json instanceof Map ? (Map<String, Object>) json : null;
        } catch (IOException e) {
            counts[3].increment();
            failures.add(op + " " + method + " " + path + " -> " + e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    // ---- the end ----

    /** Waits (up to two minutes) until both webhooks received every alert; answers the number of alerts. */
    private long awaitDeliveries(TollgateProcess tg) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        Set<String> alerts = ConcurrentHashMap.newKeySet();
        while (true) {
            alerts.clear();
            for (int i = 0; i < customers; i++) {
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> events = (List<Map<String, Object>>)
                        Objects.requireNonNull(tg.ok("GET", "/v1/events/log?limit=1000&customerId=c" + i, null)
                                .get("events"));
                events.forEach(e -> alerts.add((String) e.get("id")));
            }
            boolean all = received.values().stream().allMatch(ids -> ids.containsAll(alerts));
            if (all || System.nanoTime() > deadline) {
                return all ? alerts.size() : -alerts.size();
            }
            Thread.sleep(2000);
        }
    }

    private boolean verdict(List<Sample> samples, long alerts, String verify) {
        System.out.println();
        System.out.println("answers by operation (2xx / 4xx / 5xx / broken):");
        new TreeMap<>(byOp)
                .forEach((op, c) -> System.out.printf(
                        Locale.ROOT, "  %-15s %8d %6d %6d %6d%n", op, c[0].sum(), c[1].sum(), c[2].sum(), c[3].sum()));
        failures.stream().limit(20).forEach(f -> System.out.println("  " + f));
        long fiveXx = byOp.values().stream().mapToLong(c -> c[2].sum()).sum();
        long broken = byOp.values().stream().mapToLong(c -> c[3].sum()).sum();

        List<Sample> measured =
                samples.subList(Math.min(samples.size(), Math.max(1, samples.size() / 10)), samples.size());
        boolean flat = false;
        String heap = "too few samples (" + samples.size() + ")";
        if (measured.size() >= 3) {
            int third = Math.max(1, measured.size() / 3);
            double firstMax = measured.subList(0, third).stream()
                    .mapToDouble(Sample::usedMb)
                    .max()
                    .orElseThrow();
            double lastMax = measured.subList(measured.size() - third, measured.size()).stream()
                    .mapToDouble(Sample::usedMb)
                    .max()
                    .orElseThrow();
            double slope = slopeMbPerMinute(measured);
            double growthOverRun = slope * minutes;
            boolean thirds = lastMax <= firstMax * (1 + tolerance);
            boolean trend = growthOverRun <= firstMax * tolerance;
            flat = thirds && trend;
            heap = String.format(
                    Locale.ROOT,
                    "first third max %.1f MB, last third max %.1f MB (%+.1f %%, bound +%.0f %%: %s);"
                            + " slope %.3f MB/min, %.1f MB over %.1f min (bound %.1f MB: %s)",
                    firstMax,
                    lastMax,
                    100 * (lastMax / firstMax - 1),
                    100 * tolerance,
                    thirds ? "ok" : "FAIL",
                    slope,
                    growthOverRun,
                    minutes,
                    firstMax * tolerance,
                    trend ? "ok" : "FAIL");
        }
        boolean delivered = alerts >= 0 && badSignatures.sum() == 0;
        boolean consistent = verify.contains("\"differences\":0");
        System.out.println();
        System.out.println("requests: " + requests.sum() + ", 5xx: " + fiveXx + ", broken: " + broken
                + (fiveXx == 0 && broken == 0 ? " (ok)" : " (FAIL)"));
        System.out.println("heap after GC: " + heap);
        System.out.println("webhooks: " + Math.abs(alerts) + " alerts, "
                + (alerts >= 0 ? "all delivered to both webhooks" : "NOT all delivered within 2 minutes")
                + ", bad signatures: " + badSignatures.sum() + (delivered ? " (ok)" : " (FAIL)"));
        System.out.println("verify: " + verify.strip() + (consistent ? " (ok)" : " (FAIL)"));
        boolean pass = fiveXx == 0 && broken == 0 && flat && delivered && consistent;
        System.out.println("soak verdict: " + (pass ? "PASS" : "FAIL"));
        return pass;
    }

    /** Least-squares slope of heap in use against time, in MB a minute. */
    static double slopeMbPerMinute(List<Sample> samples) {
        double n = samples.size();
        double mx = samples.stream().mapToDouble(s -> s.atSeconds() / 60).sum() / n;
        double my = samples.stream().mapToDouble(Sample::usedMb).sum() / n;
        double sxy = 0;
        double sxx = 0;
        for (Sample s : samples) {
            double dx = s.atSeconds() / 60 - mx;
            sxy += dx * (s.usedMb() - my);
            sxx += dx * dx;
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }
}
