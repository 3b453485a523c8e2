package dev.tollgate.bench;

import dev.tollgate.bench.jmh.BurnOrderBenchmark;
import dev.tollgate.bench.jmh.CheckBenchmark;
import dev.tollgate.bench.jmh.JournalCodecBenchmark;
import dev.tollgate.bench.jmh.SdkCheckBenchmark;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks and answers each one's median (ns). The full run forks a JVM per benchmark (JMH's
 * default, 5 warm-up and 5 measured iterations of 2 s); the smoke run measures briefly in this JVM.
 */
final class JmhRunner {
    /**
     * One benchmark's median and its allocation per operation ({@code gc.alloc.rate.norm} of JMH's GC profiler).
     *
     * @param medianNanos the median time per call, ns
     * @param allocBytes bytes allocated per call, or {@code NaN} if the profiler gave none
     */
    record Measured(double medianNanos, double allocBytes) {}

    private JmhRunner() {}

    /**
     * Runs {@link SdkCheckBenchmark} against a server that the caller started, with the GC profiler.
     *
     * @param params the benchmark's {@code @Param}s ({@code baseUrl}, {@code apiKey}, {@code customer}, {@code
     *     feature})
     * @return by benchmark method name
     */
    static Map<String, Measured> sdkCheck(boolean smoke, Map<String, String> params) throws RunnerException {
        OptionsBuilder b = new OptionsBuilder();
        b.include(SdkCheckBenchmark.class.getName())
                .addProfiler(GCProfiler.class)
                .forks(smoke ? 0 : 1)
                .warmupIterations(smoke ? 1 : 5)
                .warmupTime(TimeValue.seconds(smoke ? 1 : 2))
                .measurementIterations(smoke ? 1 : 5)
                .measurementTime(TimeValue.seconds(smoke ? 1 : 2))
                .shouldFailOnError(true);
        params.forEach((k, v) -> b.param(k, v));
        Map<String, Measured> out = new LinkedHashMap<>();
        for (RunResult r : new Runner(b.build()).run()) {
            String label = r.getParams().getBenchmark();
            double alloc = Double.NaN;
            for (String key : r.getSecondaryResults().keySet()) {
                if (key.endsWith("gc.alloc.rate.norm")) { // "·gc.alloc.rate.norm" before JMH 1.35
                    alloc = r.getSecondaryResults().get(key).getScore();
                }
            }
            out.put(
                    label.substring(label.lastIndexOf('.') + 1),
                    new Measured(r.getPrimaryResult().getStatistics().getPercentile(50), alloc));
        }
        return out;
    }

    static Map<String, Double> run(boolean smoke) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(CheckBenchmark.class.getName())
                .include(BurnOrderBenchmark.class.getName())
                .include(JournalCodecBenchmark.class.getName())
                .forks(smoke ? 0 : 1)
                .warmupIterations(smoke ? 1 : 5)
                .warmupTime(TimeValue.seconds(smoke ? 1 : 2))
                .measurementIterations(smoke ? 1 : 5)
                .measurementTime(TimeValue.seconds(smoke ? 1 : 2))
                .shouldFailOnError(true)
                .build();
        Map<String, Double> medians = new LinkedHashMap<>();
        for (RunResult r : new Runner(options).run()) {
            String label = r.getParams().getBenchmark();
            String shortName = label.substring(label.lastIndexOf('.', label.lastIndexOf('.') - 1) + 1);
            medians.put(shortName, r.getPrimaryResult().getStatistics().getPercentile(50));
        }
        return medians;
    }
}
