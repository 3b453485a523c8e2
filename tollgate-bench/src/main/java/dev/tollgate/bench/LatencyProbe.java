package dev.tollgate.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
 * default its own default, or one per server core when pinned). {@code --park} keeps the pinned generator parking between
 * due times instead of spinning, as {@link SubscriberP99}'s does.
 *
 * <p>{@code --writer} runs {@link SubscriberP99}'s writer (200 consumes a second) throughout, as that scenario does
 * (with {@code --scenario bare}, against a Tollgate server started beside the bare one, as in that scenario's bare arm),
 * after consumes at saturation for 4 s that compile the write path ({@link SubscriberP99#warmWrites});
 * {@code --subscribers N} keeps {@code N} change-feed subscribers ({@link FeedSubscribers}) connected throughout (to the
 * Tollgate server; with {@code --scenario bare --writer}, to the one beside the bare server, while the load goes to the
 * bare one: what the subscribers cost the generator, whose process and core they share). Each
 * open loop also prints the server's CPU per answer by thread and the time this process spent in GC during it.
 *
 * <p>Usage: {@code LatencyProbe [--server-jar PATH] [--runs N] [--scenario check|consume|bare] [--fraction F] [--pin]
 * [--io-threads N] [--park] [--writer] [--subscribers N] [--server-jvm "OPTIONS"] [--rates R1,R2,...]}. {@code --rates}
 * runs the open loops at those rates (answers a second) instead of at {@code --fraction} of each saturation, so that
 * two servers are compared at the same rates.
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
        boolean park = false;
        int subscribers = 0;
        List<String> jvm = List.of();
        List<Double> rates = List.of();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server-jar" -> jar = Path.of(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--scenario" -> scenario = args[++i];
                case "--fraction" -> fraction = Double.parseDouble(args[++i]);
                case "--pin" -> pin = true;
                case "--io-threads" -> ioThreads = Integer.parseInt(args[++i]);
                case "--writer" -> writer = true;
                case "--park" -> park = true;
                case "--subscribers" -> subscribers = Integer.parseInt(args[++i]);
                case "--server-jvm" -> jvm = List.of(args[++i].trim().split("\\s+"));
                case "--rates" ->
                    rates = Arrays.stream(args[++i].split(","))
                            .map(Double::valueOf)
                            .toList();
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (scenario.equals("bare") && subscribers > 0 && !writer) {
            throw new IllegalArgumentException(
                    "--subscribers with --scenario bare needs --writer (its Tollgate server)");
        }
        Pinning pinning = pin ? Pinning.detect() : null;
        if (pin && pinning == null) {
            throw new IllegalStateException("--pin needs two cores or more and taskset");
        }
        if (pinning != null && ioThreads == 0) {
            ioThreads = pinning.serverCores();
        }
        Plan plan = new Plan(runs, fraction, rates, pinning);
        Path work = Files.createTempDirectory("tollgate-latency-probe");
        if (scenario.equals("bare")) {
            Proc.Started bare = BenchMain.startBare(pinning, ioThreads > 0 ? ioThreads : 2, work.resolve("bare.log"));
            Proc server = bare.proc();
            try (server;
                    TollgateProcess tg = writer
                            ? TollgateProcess.start(jar, work.resolve("sqlite"), null, jvm, pinning, ioThreads)
                            : null) {
                SubscriberP99.Writer writes = null;
                if (tg != null) {
                    BenchMain.setUp(tg);
                    SubscriberP99.warmWrites(new HttpLoad("127.0.0.1", tg.port), 4);
                    writes = SubscriberP99.Writer.start(tg);
                }
                HttpLoad load = new HttpLoad("127.0.0.1", Integer.parseInt(bare.said()), pinning != null && !park);
                byte[] request = HttpLoad.request("POST", "/v1/check", BenchMain.checkBody(), null);
                FeedSubscribers following = null;
                try {
                    if (tg != null && subscribers > 0) {
                        following = FeedSubscribers.open(tg.port, TollgateProcess.API_KEY, subscribers);
                    }
                    measure(load, plan, new ThreadCpu(server.pid()), prefix -> seq -> request);
                } finally {
                    if (following != null) {
                        System.out.println("subscribers all still open: " + following.allOpen()
                                + ", at the lowest priority: " + following.lowPriority());
                        following.close();
                    }
                    if (writes != null) {
                        writes.close();
                    }
                }
            }
            return;
        }
        try (TollgateProcess tg = TollgateProcess.start(jar, work.resolve("sqlite"), null, jvm, pinning, ioThreads)) {
            BenchMain.setUp(tg);
            HttpLoad load = new HttpLoad("127.0.0.1", tg.port, pinning != null && !park);
            byte[] check = HttpLoad.request("POST", "/v1/check", BenchMain.checkBody(), TollgateProcess.API_KEY);
            boolean consume = scenario.equals("consume");
            if (writer) {
                SubscriberP99.warmWrites(load, 4);
            }
            SubscriberP99.Writer writes = writer ? SubscriberP99.Writer.start(tg) : null;
            FeedSubscribers following =
                    subscribers > 0 ? FeedSubscribers.open(tg.port, TollgateProcess.API_KEY, subscribers) : null;
            try {
                measure(
                        load,
                        plan,
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

    /**
     * What each run does: a saturation, then open loops at {@code rates}, or at {@code fraction} of the saturation when
     * there are none.
     */
    private record Plan(
            int runs,
            double fraction,
            List<Double> rates,
            @Nullable Pinning pinning) {}

    private static void measure(
            HttpLoad load, Plan plan, ThreadCpu cpu, Function<String, LongFunction<byte[]>> requests)
            throws IOException, InterruptedException {
        if (plan.pinning() != null) {
            plan.pinning().pinGenerator();
        }
        long answered = load.saturate(64, 0, 4, requests.apply("w-")).ok();
        for (int i = 0; i < plan.runs(); i++) {
            Map<String, Double> before = cpu.seconds();
            HttpLoad.Run sat = load.saturate(64, 2, 5, requests.apply("s" + i + "-"));
            Map<String, Double> perAnswer = ThreadCpu.microsPer(before, cpu.seconds(), sat.ok());
            answered += sat.ok();
            System.out.println(String.format(
                    Locale.ROOT,
                    "run %d: saturation %.0f/s (p99 %.2f ms); server CPU per answer in the closed loop, by thread (µs): %s",
                    i,
                    sat.rate(),
                    sat.percentileMillis(99),
                    busiest(perAnswer)));
            List<Double> rates = plan.rates().isEmpty() ? List.of(plan.fraction() * sat.rate()) : plan.rates();
            for (double rate : rates) {
                answered += openLoop(load, rate, cpu, requests.apply("o" + i + "-" + Math.round(rate) + "-"));
            }
        }
        System.out.println("answered 2xx in all: " + answered);
    }

    /** One open loop at {@code rate}, printed; answers how many 2xx it got. */
    private static long openLoop(HttpLoad load, double rate, ThreadCpu cpu, LongFunction<byte[]> requests)
            throws IOException {
        Map<String, Double> before = cpu.seconds();
        long gcBefore = generatorGcMillis();
        HttpLoad.Run r = load.constantRate(64, rate, 2, 5, requests);
        Map<String, Double> perAnswer = ThreadCpu.microsPer(before, cpu.seconds(), r.ok());
        long gc = generatorGcMillis() - gcBefore;
        System.out.println(String.format(
                Locale.ROOT,
                "  open loop %.0f/s: got %.0f/s, p50 %.3f p90 %.3f p99 %.3f p99.9 %.3f max %.3f ms, errors %d",
                rate,
                r.rate(),
                r.percentileMillis(50),
                r.percentileMillis(90),
                r.percentileMillis(99),
                r.percentileMillis(99.9),
                r.latencyNanos().getMaxValue() / 1e6,
                r.errors()));
        System.out.println(
                "    server CPU per answer by thread (µs): " + busiest(perAnswer) + " this process's GC " + gc + " ms");
        return r.ok();
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
