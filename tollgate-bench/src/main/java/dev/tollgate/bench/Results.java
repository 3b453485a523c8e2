package dev.tollgate.bench;

import dev.tollgate.core.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The figures and correctness gates of one benchmark run, printed as they come and written at the end as {@code
 * result.json} and {@code result.md}. Every scenario class reports here ({@link BenchMain}, {@link ClientBench}).
 *
 * <p>Not thread-safe: scenarios report from the run's main thread.
 */
final class Results {
    /**
     * One speed figure.
     *
     * @param scenario what was measured
     * @param metric the unit of {@code median}, {@code min}, {@code max}
     * @param target the target, as text
     * @param met whether the median meets the target
     * @param detail the raw numbers behind the ratio
     */
    record Figure(
            String scenario,
            String metric,
            double median,
            double min,
            double max,
            String target,
            boolean met,
            String detail) {}

    /** One correctness gate and what it saw. */
    record Gate(String name, boolean passed, String detail) {}

    private final List<Figure> figures = new ArrayList<>();
    private final List<Gate> gates = new ArrayList<>();
    private final String loadAtStart = loadAverage();

    /** Whether every gate so far passed. */
    boolean gatesPassed() {
        return gates.stream().allMatch(Gate::passed);
    }

    /** Adds a correctness gate. */
    void gate(String name, boolean passed, String detail) {
        gates.add(new Gate(name, passed, detail));
        System.out.printf("gate %-70s %s  %s%n", name, passed ? "PASS" : "FAIL", detail);
    }

    /**
     * Adds a ratio figure: {@code subject[i] / baseline[i]} for each repetition, judged on the median.
     *
     * @param bound the target ({@code 0}: no target)
     * @param atLeast whether the median must be at least {@code bound} (else at most)
     */
    void ratio(
            String scenario,
            List<Double> subject,
            List<Double> baseline,
            String target,
            double bound,
            boolean atLeast) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < subject.size(); i++) {
            ratios.add(subject.get(i) / baseline.get(i));
        }
        double median = median(ratios);
        boolean met = bound == 0 || (atLeast ? median >= bound : median <= bound);
        add(new Figure(
                scenario,
                "ratio",
                median,
                min(ratios),
                max(ratios),
                target,
                met,
                "subject " + fmt(subject) + " / baseline " + fmt(baseline)));
    }

    /** Adds an absolute figure in {@code unit}, judged on the median of {@code values}. */
    void absolute(String scenario, String unit, List<Double> values, String target, double bound, boolean atLeast) {
        double median = median(values);
        boolean met = bound == 0 || (atLeast ? median >= bound : median <= bound);
        add(new Figure(scenario, unit, median, min(values), max(values), target, met, fmt(values)));
    }

    private void add(Figure f) {
        figures.add(f);
        System.out.printf(
                Locale.ROOT,
                "%-90s %s %.3f [%.3f, %.3f] target %s %s  (%s)%n",
                f.scenario(),
                f.metric(),
                f.median(),
                f.min(),
                f.max(),
                f.target(),
                f.met() ? "met" : "MISSED",
                f.detail());
    }

    /** The median of {@code values} (the mean of the middle two for an even count). */
    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static String fmt(List<Double> values) {
        List<String> s = new ArrayList<>();
        for (double v : values) {
            s.add(String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.3f", v));
        }
        return String.join(", ", s);
    }

    /** Writes {@code result.json} and {@code result.md} into {@code out}. */
    void write(Path out, Instant started, boolean smoke) throws IOException {
        boolean counted = gatesPassed();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("started", started.toString());
        json.put("mode", smoke ? "smoke" : "full");
        json.put("host", hostName());
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("java", System.getProperty("java.version"));
        json.put("loadAverage", Map.of("start", loadAtStart, "end", loadAverage()));
        json.put("gatesPassed", counted);
        List<Object> g = new ArrayList<>();
        for (Gate gate : gates) {
            g.add(Map.of("name", gate.name(), "passed", gate.passed(), "detail", gate.detail()));
        }
        json.put("gates", g);
        List<Object> f = new ArrayList<>();
        for (Figure fig : figures) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scenario", fig.scenario());
            m.put("metric", fig.metric());
            m.put("median", decimal(fig.median()));
            m.put("min", decimal(fig.min()));
            m.put("max", decimal(fig.max()));
            m.put("target", fig.target());
            m.put("met", fig.met());
            m.put("counts", counted && !smoke);
            m.put("detail", fig.detail());
            f.add(m);
        }
        json.put("figures", f);
        Files.writeString(out.resolve("result.json"), Json.write(json), StandardCharsets.UTF_8);

        StringBuilder md = new StringBuilder();
        md.append("Run ")
                .append(started)
                .append(smoke ? " (smoke: one short repetition; speed not judged)" : "")
                .append(", ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, Java ")
                .append(System.getProperty("java.version"))
                .append(", load average ")
                .append(loadAtStart)
                .append(" at the start, ")
                .append(loadAverage())
                .append(" at the end")
                .append(counted ? ", every gate passed" : ", A GATE FAILED: these figures do not count")
                .append(
                        ".\n\n| scenario | metric | median | min | max | target | met |\n|---|---|---|---|---|---|---|\n");
        for (Figure fig : figures) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %s | %s |%n",
                    fig.scenario(),
                    fig.metric(),
                    num(fig.median()),
                    num(fig.min()),
                    num(fig.max()),
                    fig.target(),
                    fig.target().equals("-") ? "-" : fig.met() ? "yes" : "**no**"));
        }
        md.append("\n| gate | passed | detail |\n|---|---|---|\n");
        for (Gate gate : gates) {
            md.append("| ")
                    .append(gate.name())
                    .append(" | ")
                    .append(gate.passed() ? "yes" : "**no**")
                    .append(" | ")
                    .append(gate.detail())
                    .append(" |\n");
        }
        Files.writeString(out.resolve("result.md"), md.toString(), StandardCharsets.UTF_8);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, v >= 1000 ? "%,.0f" : v >= 10 ? "%.1f" : "%.3f", v);
    }

    private static BigDecimal decimal(double v) {
        return Double.isFinite(v) ? new BigDecimal(String.format(Locale.ROOT, "%.4f", v)) : BigDecimal.ZERO;
    }

    /** The machine's load averages over 1, 5 and 15 minutes ({@code /proc/loadavg}), or "unknown". */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static @Nullable String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return null;
        }
    }
}
