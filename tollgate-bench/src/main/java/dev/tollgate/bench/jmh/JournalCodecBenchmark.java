package dev.tollgate.bench.jmh;

import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.journal.JournalCodec;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.UsageSource;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** The journal encoding of the commonest record, a consumption with its answer, scope and dimensions. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JournalCodecBenchmark {
    private static final Instant T = Instant.parse("2026-04-10T09:00:00Z");
    private final JournalEntry entry = new JournalEntry.UsageRecorded(
            "acme",
            T,
            "req-0123456789",
            "llm-tokens",
            new BigDecimal("1500"),
            Instant.parse("2026-04-01T00:00:00Z"),
            BigDecimal.ZERO,
            UsageSource.CONSUME,
            T,
            "agent",
            Map.of("model", "gpt-4o"),
            Decision.plain(true, null, null, null).asRecorded(),
            null,
            null);
    private final String encoded = JournalCodec.encode(entry);

    @Benchmark
    public String encode() {
        return JournalCodec.encode(entry);
    }

    @Benchmark
    public JournalEntry decode() {
        return JournalCodec.decode(JournalCodec.type(entry), encoded);
    }
}
