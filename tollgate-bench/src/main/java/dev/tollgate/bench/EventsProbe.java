package dev.tollgate.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The events scenario alone, with the server's CPU per event by thread: the tool behind the events figures of
 * {@code docs/benchmarks.md}.
 *
 * <p>Starts Tollgate on SQLite in a fresh data directory with the benchmark's catalog and customers, then runs the
 * scenario of {@link BenchMain} (batches of {@value BenchMain#EVENT_BATCH} events over ten customers, 5 % of each
 * batch repeating keys of the batch before, closed loop) {@code runs} times; after each run it prints the rate and,
 * per server thread, the CPU microseconds spent per event accepted (the run's warm-up included).
 *
 * <p>Usage: {@code EventsProbe [--server-jar PATH] [--runs N] [--connections C] [--server-jvm "OPTIONS"]}.
 */
public final class EventsProbe {
    private EventsProbe() {}

    /**
     * Runs the probe.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) throws Exception {
        Path jar = Path.of("tollgate-server/target/tollgate-server.jar");
        int runs = 4;
        int connections = 4;
        List<String> jvm = List.of();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server-jar" -> jar = Path.of(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--server-jvm" -> jvm = List.of(args[++i].trim().split("\\s+"));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path work = Files.createTempDirectory("tollgate-events-probe");
        try (TollgateProcess tg = TollgateProcess.start(jar, work.resolve("sqlite"), null, jvm)) {
            BenchMain.setUp(tg);
            HttpLoad load = new HttpLoad("127.0.0.1", tg.port);
            ThreadCpu cpu = new ThreadCpu(tg.pid());
            for (int i = 0; i < runs; i++) {
                Map<String, Double> before = cpu.seconds();
                HttpLoad.Run r = load.saturate(connections, 2, 5, BenchMain.eventBatches("p" + i + "-"));
                Map<String, Double> perEvent =
                        ThreadCpu.microsPer(before, cpu.seconds(), r.ok() * BenchMain.EVENT_BATCH);
                StringBuilder line = new StringBuilder(String.format(
                        Locale.ROOT,
                        "run %d: %.0f events/s, %d errors; server CPU us/event:",
                        i,
                        r.rate() * BenchMain.EVENT_BATCH,
                        r.errors()));
                perEvent.forEach((name, micros) -> {
                    if (micros >= 0.05) {
                        line.append(String.format(Locale.ROOT, " %s=%.2f", name, micros));
                    }
                });
                System.out.println(line);
            }
        }
    }
}
