package dev.tollgate.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongFunction;

/**
 * Several servers on one PostgreSQL (issue 19): {@code /v1/consume} over many customers, 64 connections, in three
 * arrangements alternated in one run (A B C A B C ...): (A, the baseline) one server on a schema of its own; (B) three
 * servers on another schema, the same load spread round-robin over the three nodes' ports, so about two requests in
 * three reach a node that does not own their customer and are forwarded; (C) the same three servers, each connection
 * sending only customers its node owns (read from {@code GET /v1/cluster}), so nothing is forwarded. B/A is what a
 * load balancer in front of three nodes gives against one node; B/C isolates the forwarding hop; the share forwarded
 * comes from the nodes' {@code tollgate_cluster_forwards_total}.
 *
 * <p>On a machine of two cores, three JVMs, PostgreSQL and the generator share the same cores in B and C, so the
 * ratios are the price of forwarding and of running three servers there, not scaling. The gates: every consume
 * answered 2xx, the usage summed over the customers (read back through the nodes) equals the admitted consumes, and
 * {@code verify} over each schema, once its servers stopped, reports no difference.
 */
final class ClusterBench {
    private static final int CONNECTIONS = 64;
    private static final String FORWARDS = "tollgate_cluster_forwards_total";

    private final Results report;
    private final double seconds;
    private final double warmup;
    private final int reps;
    private final int customers;
    private final Path serverJar;
    private final List<String> serverJvm;
    private final Path work;

    /**
     * @param report where the figures and gates go
     * @param smoke one brief repetition over 100 customers (the gates only)
     * @param serverJar the runnable server jar
     * @param serverJvm extra JVM options of the servers
     * @param work a directory for the servers' data and logs
     */
    ClusterBench(Results report, boolean smoke, Path serverJar, List<String> serverJvm, Path work) {
        this.report = report;
        this.seconds = smoke ? 1 : 5;
        this.warmup = smoke ? 0.5 : 2;
        this.reps = smoke ? 1 : 3;
        this.customers = smoke ? 100 : 1000;
        this.serverJar = serverJar;
        this.serverJvm = serverJvm;
        this.work = work;
    }

    /** Runs the scenario; blocks for about two minutes (the full run) or half a minute (smoke). */
    void run() throws Exception {
        String suffix = Long.toString(System.nanoTime(), 36);
        String schemaOne = "bench_one_" + suffix;
        String schemaThree = "bench_three_" + suffix;
        Proc.psql("127.0.0.1", "CREATE SCHEMA " + schemaOne);
        Proc.psql("127.0.0.1", "CREATE SCHEMA " + schemaThree);
        try {
            measure(url(schemaOne), url(schemaThree));
        } finally {
            Proc.psql("127.0.0.1", "DROP SCHEMA IF EXISTS " + schemaOne + " CASCADE");
            Proc.psql("127.0.0.1", "DROP SCHEMA IF EXISTS " + schemaThree + " CASCADE");
        }
    }

    private static String url(String schema) {
        return "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&currentSchema=" + schema;
    }

    private void measure(String urlOne, String urlThree) throws Exception {
        List<TollgateProcess> one = new ArrayList<>();
        List<TollgateProcess> three = new ArrayList<>();
        long admittedOne = 0;
        long admittedThree = 0;
        try {
            one.addAll(startNodes(urlOne, "one", 1));
            three.addAll(startNodes(urlThree, "three", 3));
            setUp(one);
            setUp(three);
            HttpLoad loadOne = new HttpLoad("127.0.0.1", one.get(0).port);
            HttpLoad loadThree =
                    new HttpLoad("127.0.0.1", three.stream().map(n -> n.port).toList());
            // JIT warm-up of the servers and the generator, and every customer loaded by its owner
            admittedOne +=
                    loadOne.saturate(CONNECTIONS, 0, 2 * warmup, consumes("w-")).ok();
            admittedThree += loadThree
                    .saturate(CONNECTIONS, 0, 2 * warmup, consumes("w-"))
                    .ok();
            List<List<String>> owned = owned(three);
            admittedThree += loadThree
                    .saturate(CONNECTIONS, 0, warmup, direct(owned, "wd-"))
                    .ok();

            Rates single = new Rates();
            Rates spread = new Rates();
            Rates direct = new Rates();
            List<Double> forwarded = new ArrayList<>();
            List<Double> forwardedDirect = new ArrayList<>();
            long errors = 0;
            for (int i = 0; i < reps; i++) {
                HttpLoad.Run a = loadOne.saturate(CONNECTIONS, warmup, seconds, consumes("a" + i + "-"));
                double before = forwards(three);
                HttpLoad.Run b = loadThree.saturate(CONNECTIONS, warmup, seconds, consumes("b" + i + "-"));
                double between = forwards(three);
                HttpLoad.Run c = loadThree.saturate(CONNECTIONS, warmup, seconds, direct(owned, "c" + i + "-"));
                double after = forwards(three);
                admittedOne += a.ok();
                admittedThree += b.ok() + c.ok();
                errors += a.errors() + b.errors() + c.errors();
                single.add(a);
                spread.add(b);
                direct.add(c);
                forwarded.add((between - before) / Math.max(1, b.ok()));
                forwardedDirect.add((after - between) / Math.max(1, c.ok()));
            }
            String load = "/v1/consume PostgreSQL, " + customers + " customers, c=" + CONNECTIONS;
            report.ratio(
                    load + ": three servers, round-robin over their ports / one server (no target: 2 cores)",
                    spread.rate,
                    single.rate,
                    "-",
                    0,
                    true);
            report.ratio(
                    load + ": three servers, each sent only its own customers / one server",
                    direct.rate,
                    single.rate,
                    "-",
                    0,
                    true);
            report.ratio(
                    load + ": forwarding, three servers round-robin / each its own customers",
                    spread.rate,
                    direct.rate,
                    "-",
                    0,
                    true);
            report.ratio(load + ": p50, three servers round-robin / one server", spread.p50, single.p50, "-", 0, false);
            report.ratio(load + ": p99, three servers round-robin / one server", spread.p99, single.p99, "-", 0, false);
            report.ratio(
                    load + ": p50, three servers round-robin / each its own customers",
                    spread.p50,
                    direct.p50,
                    "-",
                    0,
                    false);
            report.absolute(
                    "share of the three servers' consumes forwarded, round-robin", "share", forwarded, "-", 0, true);
            report.absolute(
                    "share of the three servers' consumes forwarded, each its own customers",
                    "share",
                    forwardedDirect,
                    "-",
                    0,
                    true);
            report.gate("cluster bench: every consume answered 2xx", errors == 0, "errors=" + errors);
            usageGate(one, "one server", admittedOne);
            usageGate(three, "three servers", admittedThree);
        } finally {
            one.forEach(TollgateProcess::close);
            three.forEach(TollgateProcess::close);
        }
        verifyGate(urlOne, "one server");
        verifyGate(urlThree, "three servers");
    }

    /** Throughput (answers per second) and latency percentiles (ms) of the repetitions of one arrangement. */
    private static final class Rates {
        final List<Double> rate = new ArrayList<>();
        final List<Double> p50 = new ArrayList<>();
        final List<Double> p99 = new ArrayList<>();

        void add(HttpLoad.Run run) {
            rate.add(run.rate());
            p50.add(run.percentileMillis(50));
            p99.add(run.percentileMillis(99));
        }
    }

    /** The customers each node owns now, in the nodes' order, from their {@code GET /v1/cluster}. */
    @SuppressWarnings("unchecked")
    private List<List<String>> owned(List<TollgateProcess> nodes) {
        List<List<String>> owned = new ArrayList<>();
        int total = 0;
        for (TollgateProcess node : nodes) {
            Map<String, Object> epochs =
                    (Map<String, Object>) node.ok("GET", "/v1/cluster", null).get("epochs");
            List<String> mine = epochs == null
                    ? List.of()
                    : epochs.keySet().stream()
                            .filter(c -> c.startsWith("c"))
                            .sorted()
                            .toList();
            if (mine.isEmpty()) {
                throw new IllegalStateException("node on port " + node.port + " owns no customer");
            }
            owned.add(mine);
            total += mine.size();
        }
        if (total != customers) {
            throw new IllegalStateException(total + " customers owned, not " + customers);
        }
        return owned;
    }

    /** Consumes as {@link #consumes}, but connection {@code c} sends only customers of node {@code c % nodes}. */
    private static HttpLoad.PerConnection direct(List<List<String>> owned, String prefix) {
        return (connection, seq) -> {
            List<String> mine = owned.get(connection % owned.size());
            return consume(mine.get((int) (seq % mine.size())), prefix + seq);
        };
    }

    /** Starts {@code count} nodes on one schema at once, and waits until each sees every other alive. */
    private List<TollgateProcess> startNodes(String url, String name, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<TollgateProcess>> started = new ArrayList<>();
            for (int n = 1; n <= count; n++) {
                String node = name + "-n" + n;
                int port = freePort();
                started.add(pool.submit(() -> TollgateProcess.startNode(
                        serverJar, work.resolve("cluster-" + node), url, serverJvm, node, port)));
            }
            List<TollgateProcess> nodes = new ArrayList<>();
            Exception failed = null;
            for (Future<TollgateProcess> f : started) {
                try {
                    nodes.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    failed = e;
                }
            }
            if (failed != null) {
                nodes.forEach(TollgateProcess::close);
                throw failed;
            }
            for (TollgateProcess node : nodes) {
                awaitMembers(node, count);
            }
            return nodes;
        } finally {
            pool.shutdown();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Polls {@code GET /v1/cluster} until {@code count} members are alive, for at most 60 s. */
    @SuppressWarnings("unchecked")
    private static void awaitMembers(TollgateProcess node, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        long alive = 0;
        while (System.nanoTime() < deadline) {
            List<Map<String, Object>> members = (List<Map<String, Object>>)
                    node.ok("GET", "/v1/cluster", null).get("members");
            alive = members == null
                    ? 0
                    : members.stream()
                            .filter(m -> Boolean.TRUE.equals(m.get("alive")))
                            .count();
            if (alive == count) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("node on port " + node.port + " sees " + alive + " of " + count + " alive");
    }

    /** The catalog and the customers, each request through the next node in turn (so most are forwarded). */
    private void setUp(List<TollgateProcess> nodes) throws Exception {
        okRetrying(
                nodes.get(0),
                "PUT",
                "/v1/catalog",
                Map.of(
                        "features",
                        List.of(Map.of("key", "q", "type", "metered", "reset", "month")),
                        "plans",
                        List.of(Map.of("key", "p", "entitlements", Map.of("q", Map.of("limit", "unlimited"))))));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < customers; i++) {
                TollgateProcess via = nodes.get(i % nodes.size());
                String c = customer(i);
                done.add(pool.submit(() -> {
                    okRetrying(via, "PUT", "/v1/customers/" + c, Map.of("name", c));
                    okRetrying(via, "PUT", "/v1/customers/" + c + "/subscription", Map.of("plan", "p"));
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Sends and insists on a 2xx answer, sending again for up to 30 s while the cluster answers 503 (a customer
     * moving while the nodes settle after they joined: nothing was applied).
     */
    private static Map<String, Object> okRetrying(TollgateProcess node, String method, String path, Object body)
            throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            TollgateProcess.Reply r = node.send(method, path, body);
            if (r.status() / 100 == 2) {
                return r.body();
            }
            if (r.status() != 503 || System.nanoTime() > deadline) {
                throw new IllegalStateException(method + " " + path + " answered " + r.status() + ": " + r.json());
            }
            Thread.sleep(100);
        }
    }

    private static String customer(long i) {
        return "c" + i;
    }

    /** Consumes of 1, each of its own idempotency key, over the customers in turn. */
    private LongFunction<byte[]> consumes(String prefix) {
        return seq -> consume(customer(seq % customers), prefix + seq);
    }

    private static byte[] consume(String customer, String key) {
        return HttpLoad.request(
                "POST",
                "/v1/consume",
                "{\"customerId\":\"" + customer + "\",\"feature\":\"q\",\"quantity\":1,\"idempotencyKey\":\"" + key
                        + "\"}",
                TollgateProcess.API_KEY);
    }

    private static double forwards(List<TollgateProcess> nodes) {
        double sum = 0;
        for (TollgateProcess node : nodes) {
            sum += node.metric(FORWARDS);
        }
        return sum;
    }

    /** The usage summed over every customer, each read through the next node in turn, equals the admitted consumes. */
    private void usageGate(List<TollgateProcess> nodes, String arrangement, long admitted) {
        BigDecimal sum = BigDecimal.ZERO;
        for (int i = 0; i < customers; i++) {
            sum = sum.add(BenchMain.used(nodes.get(i % nodes.size()), customer(i), "q"));
        }
        report.gate(
                "cluster bench: usage over " + customers + " customers equals admitted consumes, " + arrangement,
                sum.compareTo(BigDecimal.valueOf(admitted)) == 0,
                "used=" + sum.toPlainString() + " admitted=" + admitted);
    }

    /** {@code verify} over the schema its servers left: exit 0 and no difference. */
    private void verifyGate(String url, String arrangement) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                serverJar.toString(),
                "verify",
                "--store",
                "postgres",
                "--postgres-url",
                url));
        String said;
        boolean passed;
        try {
            said = Proc.run(command, Map.of("TOLLGATE_API_KEY", TollgateProcess.API_KEY), 300);
            passed = said.lines().anyMatch(line -> line.startsWith("verify:") && line.contains("\"differences\":0"));
        } catch (IOException e) {
            said = String.valueOf(e.getMessage());
            passed = false;
        }
        String summary = said.lines()
                .filter(line -> line.startsWith("verify:"))
                .findFirst()
                .orElse(said.strip());
        report.gate(
                "cluster bench: verify over the schema of " + arrangement + " finds no difference", passed, summary);
    }
}
