package dev.tollgate.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.jspecify.annotations.Nullable;

/**
 * The latency scenarios alone: closed-loop saturation at 64 connections, then an open-loop run at a fraction of it,
 * printing the percentiles, the server's CPU per answer in the closed loop by thread ({@link ThreadCpu}: steadier than a
 * rate on a shared machine, and what a change to the check's own work moves) and, at the end, how many answers the server gave (for allocation per request from a GC
 * log); the tool behind "Where the p99 goes" in {@code docs/benchmarks.md}.
 *
 * <p>{@code --pin} arranges the run as {@link Pinning} does in {@link BenchMain}: the server on every core but CPU 0,
 * this process (the generator) on CPU 0, spinning. {@code --io-threads} overrides the server's I/O threads (by
 * default its own default, or one per server core when pinned).
 *
 * <p>{@code --writer} runs {@link SubscriberP99}'s writer (200 consumes a second) throughout, as that scenario does;
 * {@code --subscribers N} keeps {@code N} change-feed subscribers ({@link FeedSubscribers}) connected throughout. Each
 * open loop also prints the server's CPU per answer by thread and the time this process spent in GC during it.
 *
 * <p>Usage: {@code LatencyProbe [--server-jar PATH] [--runs N] [--scenario check|consume|bare] [--fraction F] [--pin]
 * [--io-threads N] [--writer] [--subscribers N] [--server-jvm "OPTIONS"]}.
 */
public final class LatencyProbe {
    private LatencyProbe() {}

    /**
     * Runs the probe.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) throws Exception {
        Path jar = Path.of("tollgate-server/target/tollgate-server.jar");
        int runs = 3;
        String scenario = "check";
        double fraction = 0.8;
        boolean pin = false;
        int ioThreads = 0;
        boolean writer = false;
        int subscribers = 0;
        List<String> jvm = List.of();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server-jar" -> jar = Path.of(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--scenario" -> scenario = args[++i];
                case "--fraction" -> fraction = Double.parseDouble(args[++i]);
                case "--pin" -> pin = true;
                case "--io-threads" -> ioThreads = Integer.parseInt(args[++i]);
                case "--writer" -> writer = true;
                case "--subscribers" -> subscribers = Integer.parseInt(args[++i]);
                case "--server-jvm" -> jvm = List.of(args[++i].trim().split("\\s+"));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Pinning pinning = pin ? Pinning.detect() : null;
        if (pin && pinning == null) {
            throw new IllegalStateException("--pin needs two cores or more and taskset");
        }
        if (pinning != null && ioThreads == 0) {
            ioThreads = pinning.serverCores();
        }
        Path work = Files.createTempDirectory("tollgate-latency-probe");
        if (scenario.equals("bare")) {
            Proc.Started bare = BenchMain.startBare(pinning, ioThreads > 0 ? ioThreads : 2, work.resolve("bare.log"));
            Proc server = bare.proc();
            try (server) {
                HttpLoad load = new HttpLoad("127.0.0.1", Integer.parseInt(bare.said()), pinning != null);
                byte[] request = HttpLoad.request("POST", "/v1/check", BenchMain.checkBody(), null);
                measure(load, runs, fraction, pinning, new ThreadCpu(server.pid()), prefix -> seq -> request);
            }
            return;
        }
        try (TollgateProcess tg = TollgateProcess.start(jar, work.resolve("sqlite"), null, jvm, pinning, ioThreads)) {
            BenchMain.setUp(tg);
            HttpLoad load = new HttpLoad("127.0.0.1", tg.port, pinning != null);
            byte[] check = HttpLoad.request("POST", "/v1/check", BenchMain.checkBody(), TollgateProcess.API_KEY);
            boolean consume = scenario.equals("consume");
            SubscriberP99.Writer writes = writer ? SubscriberP99.Writer.start(tg) : null;
            FeedSubscribers following =
                    subscribers > 0 ? FeedSubscribers.open(tg.port, TollgateProcess.API_KEY, subscribers) : null;
            try {
                measure(
                        load,
                        runs,
                        fraction,
                        pinning,
                        new ThreadCpu(tg.pid()),
                        prefix -> consume ? BenchMain.consumes("hot", prefix) : seq -> check);
            } finally {
                if (following != null) {
                    System.out.println("subscribers all still open: " + following.allOpen());
                    following.close();
                }
                if (writes != null) {
                    writes.close();
                }
            }
        }
    }

    private static void measure(
            HttpLoad load,
            int runs,
            double fraction,
            @Nullable Pinning pinning,
            ThreadCpu cpu,
            Function<String, LongFunction<byte[]>> requests)
            throws IOException, InterruptedException {
        if (pinning != null) {
            pinning.pinGenerator();
        }
        long answered = load.saturate(64, 0, 4, requests.apply("w-")).ok();
        for (int i = 0; i < runs; i++) {
            Map<String, Double> before = cpu.seconds();
            HttpLoad.Run sat = load.saturate(64, 2, 5, requests.apply("s" + i + "-"));
            Map<String, Double> perAnswer = ThreadCpu.microsPer(before, cpu.seconds(), sat.ok());
            answered += sat.ok();
            double rate = fraction * sat.rate();
            Map<String, Double> openBefore = cpu.seconds();
            long gcBefore = generatorGcMillis();
            HttpLoad.Run r = load.constantRate(64, rate, 2, 5, requests.apply("o" + i + "-"));
            Map<String, Double> openPerAnswer = ThreadCpu.microsPer(openBefore, cpu.seconds(), r.ok());
            long gc = generatorGcMillis() - gcBefore;
            answered += r.ok();
            System.out.println(String.format(
                    Locale.ROOT,
                    "run %d: saturation %.0f/s (p99 %.2f ms); open loop %.0f/s: got %.0f/s, p50 %.3f p90 %.3f"
                            + " p99 %.3f p99.9 %.3f max %.3f ms, errors %d",
                    i,
                    sat.rate(),
                    sat.percentileMillis(99),
                    rate,
                    r.rate(),
                    r.percentileMillis(50),
                    r.percentileMillis(90),
                    r.percentileMillis(99),
                    r.percentileMillis(99.9),
                    r.latencyNanos().getMaxValue() / 1e6,
                    r.errors()));
            System.out.println("  server CPU per answer in the closed loop, by thread (µs): " + busiest(perAnswer));
            System.out.println("  in the open loop: server CPU per answer by thread (µs): " + busiest(openPerAnswer)
                    + " this process's GC " + gc + " ms");
        }
        System.out.println("answered 2xx in all: " + answered);
    }

    /** The time this process (the generator) spent collecting garbage so far, ms. */
    private static long generatorGcMillis() {
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            millis += Math.max(0, gc.getCollectionTime());
        }
        return millis;
    }

    /** The threads that spent more than 0.05 µs per answer, busiest first. */
    private static String busiest(Map<String, Double> perAnswer) {
        StringBuilder out = new StringBuilder();
        perAnswer.entrySet().stream()
                .filter(e -> e.getValue() > 0.05)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> out.append(String.format(Locale.ROOT, "%s %.2f; ", e.getKey(), e.getValue())));
        return out.toString();
    }
}
