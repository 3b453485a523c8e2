package dev.tollgate.bench.jmh;

import dev.tollgate.client.CheckRequest;
import dev.tollgate.client.Decision;
import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The SDK's check of a boolean feature from its cache: {@link Tollgate#check} against a real server (a process that
 * {@code ClientBench} started and set up, passed as {@code baseUrl}), after the customer's entitlements were read and
 * the change feed keeps them current. Two forms: with a request built once ({@code check}) and with the two strings
 * ({@code checkStrings}, which builds its request per call).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SdkCheckBenchmark {
    /** The server, such as {@code http://127.0.0.1:8080}. */
    @Param("")
    public String baseUrl = "";

    /** Its secret key. */
    @Param("")
    public String apiKey = "";

    /** A customer whose plan enables {@code feature}, a boolean feature. */
    @Param("")
    public String customer = "";

    @Param("")
    public String feature = "";

    private Tollgate tollgate;
    private CheckRequest request;

    /** Connects, reads the customer's entitlements, and insists the answer is an admission from the cache. */
    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        if (baseUrl.isEmpty()) {
            throw new IllegalStateException("run by ClientBench, which starts the server and passes -p baseUrl=...");
        }
        tollgate = Tollgate.builder().baseUrl(baseUrl).apiKey(apiKey).build();
        request = CheckRequest.of(customer, feature);
        Decision first = tollgate.check(request);
        if (!first.allowed() || first.source() != Source.CACHE) {
            throw new IllegalStateException("the benchmark's check must be admitted from the cache: " + first);
        }
    }

    @Benchmark
    public Decision check() {
        return tollgate.check(request);
    }

    @Benchmark
    public Decision checkStrings() {
        return tollgate.check(customer, feature);
    }

    /** The last answers came from the cache too (not a read from the server after a TTL ran out). */
    @TearDown(Level.Trial)
    public void tearDown() {
        Decision last = tollgate.check(request);
        tollgate.close();
        if (!last.allowed() || last.source() != Source.CACHE) {
            throw new IllegalStateException("the check stopped answering from the cache: " + last);
        }
    }
}
