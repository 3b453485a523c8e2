package dev.tollgate.bench.jmh;

import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.credit.internal.BurnOrder;
import dev.tollgate.core.credit.internal.CreditAccount;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The burn order: choosing and ordering the burnable grants of an account of ten (mixed priority, expiry, category)
 * and allocating a consumption that spans three of them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BurnOrderBenchmark {
    private static final Instant T = Instant.parse("2026-04-10T09:00:00Z");
    private CreditAccount account;
    private final BigDecimal amount = new BigDecimal("250.5");

    /** Ten grants of 100. */
    @Setup(Level.Trial)
    public void setUp() {
        account = new CreditAccount("credits");
        for (int i = 0; i < 10; i++) {
            account.add(new Grant(
                    "g" + i,
                    "credits",
                    new BigDecimal("100"),
                    i % 2 == 0,
                    i % 2 == 0 ? BigDecimal.ZERO : new BigDecimal("0.01"),
                    i % 3,
                    T.minusSeconds(3600L * i),
                    i % 4 == 0 ? null : T.plusSeconds(86_400L * (10 - i)),
                    "api",
                    null));
        }
    }

    @Benchmark
    public BurnOrder.Allocation allocate() {
        return BurnOrder.allocate(account.burnable(T), amount);
    }
}
