package dev.tollgate.server;

import dev.tollgate.core.engine.Verifier;
import dev.tollgate.core.json.Json;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import io.netty.util.ResourceLeakDetector;
import java.io.PrintStream;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The command-line entry point.
 *
 * <ul>
 *   <li>{@code java -jar tollgate-server.jar [--port N] [--data-dir DIR] [--catalog FILE] [--config FILE] [--store
 *       sqlite|postgres] [--postgres-url URL] [--io-threads N]} serves.
 *   <li>{@code java -jar tollgate-server.jar verify [same store flags]} replays the store's records and compares them
 *       with the derived state it keeps; prints every difference; exit status 0 when consistent, 1 when not, 2 on bad
 *       arguments, 3 when the store cannot be read. Run it on a stopped server's store.
 * </ul>
 */
public final class Main {
    private static final String USAGE =
            "usage: java -jar tollgate-server.jar [verify] [--port 8080] [--data-dir ./data]"
                    + " [--catalog catalog.yaml] [--config tollgate.yaml] [--store sqlite|postgres] [--postgres-url URL]"
                    + " [--io-threads N]";

    private Main() {}

    public static void main(String[] args) {
        quietLeakDetection();
        boolean verify = args.length > 0 && args[0].equals("verify");
        String[] flags = verify ? Arrays.copyOfRange(args, 1, args.length) : args;
        ServerConfig config;
        try {
            config = ServerConfig.load(System.getenv(), flags);
        } catch (IllegalArgumentException e) {
            System.err.println("tollgate: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (verify) {
            System.exit(verify(config, System.out, System.err));
            return;
        }
        TollgateServer server;
        try {
            server = TollgateServer.start(config, InstantSource.system());
        } catch (IllegalArgumentException | StoreException e) {
            System.err.println("tollgate: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "tollgate-shutdown"));
        System.out.println("Tollgate listening on http://localhost:" + server.port() + " (" + config.store()
                + " store at " + config.storeLocation() + ")");
    }

    /**
     * Turns Netty's buffer leak detection off unless {@code -Dio.netty.leakDetection.level} asks for it. At its default
     * level it records a stack trace for one buffer in 128, which cost 1 % of the I/O thread's time per check (perf,
     * {@code docs/benchmarks.md}); the tests run the server in-process with Netty's default, so a leak still shows there.
     */
    private static void quietLeakDetection() {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    /**
     * Runs verify mode.
     *
     * @return the exit status: 0 consistent, 1 differences, 3 store unreadable
     */
    static int verify(ServerConfig config, PrintStream out, PrintStream err) {
        try (Store store = Stores.open(config)) {
            Verifier.Report report = Verifier.verify(store);
            report.differences().forEach(d -> out.println("difference: " + d));
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("store", config.store());
            summary.put("records", report.records());
            summary.put("customers", report.customers());
            summary.put("counters", report.counters());
            summary.put("differences", report.differences().size());
            out.println("verify: " + Json.write(summary));
            return report.consistent() ? 0 : 1;
        } catch (StoreException e) {
            err.println("tollgate verify: cannot read the " + config.store() + " store at " + config.storeLocation()
                    + ": " + e.getMessage());
            return 3;
        }
    }
}
