package dev.tollgate.bench;

import dev.tollgate.bench.jmh.BurnOrderBenchmark;
import dev.tollgate.bench.jmh.CheckBenchmark;
import dev.tollgate.bench.jmh.JournalCodecBenchmark;
import java.util.LinkedHashMap;
import java.util.Map;
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
    private JmhRunner() {}

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
