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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command-line entry point.
 *
 * <ul>
 *   <li>{@code java -jar tollgate-server.jar [--port N] [--data-dir DIR] [--catalog FILE] [--config FILE] [--store
 *       sqlite|postgres] [--postgres-url URL] [--io-threads N]} serves. A start-up failure (port in use, data directory
 *       unusable or held by another process, store unreachable, invalid catalog) ends the process with status 1 and
 *       one line on stderr, {@code tollgate: cannot start: ...}.
 *   <li>{@code --help} or {@code -h} prints the usage and exits 0.
 *   <li>{@code java -jar tollgate-server.jar verify [same store flags]} replays the store's records and compares them
 *       with the derived state it keeps; prints every difference; exit status 0 when consistent, 1 when not, 2 on bad
 *       arguments, 3 when the store cannot be read. Run it on a stopped server's store.
 * </ul>
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final String USAGE = String.join(
            "\n",
            "usage: java -jar tollgate-server.jar [verify] [flags]",
            "",
            "  (no command)  serve the HTTP API",
            "  verify        replay a stopped server's store and compare it with the state it keeps;",
            "                exit 0 consistent, 1 differences, 2 bad arguments, 3 store unreadable or in use",
            "",
            "flags (each also an environment variable, or a key of the --config file):",
            "  --port N             TOLLGATE_PORT             HTTP port (8080; 0 picks a free one)",
            "  --data-dir DIR       TOLLGATE_DATA_DIR         the SQLite store and the generated API key (./data)",
            "  --catalog FILE       TOLLGATE_CATALOG          a catalog (YAML or JSON) applied at start-up",
            "  --config FILE        TOLLGATE_CONFIG           a YAML file of settings",
            "  --store KIND         TOLLGATE_STORE            sqlite (default) or postgres",
            "  --postgres-url URL   TOLLGATE_POSTGRES_URL     jdbc:postgresql://host:5432/db?user=u&password=p",
            "  --io-threads N       TOLLGATE_IO_THREADS       HTTP I/O threads (one per core, at least 2)",
            "                       TOLLGATE_API_KEY          the secret API key (else created in the data directory)",
            "                       TOLLGATE_MAX_BODY_BYTES   the largest request body (8 MiB)",
            "                       TOLLGATE_IDLE_TIMEOUT_SECONDS  idle connections are closed after this (300)",
            "  -h, --help           print this and exit",
            "");

    private Main() {}

    public static void main(String[] args) {
        quietLeakDetection();
        boolean verify = args.length > 0 && args[0].equals("verify");
        String[] flags = verify ? Arrays.copyOfRange(args, 1, args.length) : args;
        if (Arrays.asList(flags).contains("--help") || Arrays.asList(flags).contains("-h")) {
            System.out.print(USAGE);
            System.exit(0);
            return;
        }
        ServerConfig config;
        try {
            config = ServerConfig.load(System.getenv(), flags);
        } catch (IllegalArgumentException e) {
            System.err.println("tollgate: " + e.getMessage());
            if (e instanceof Flags.BadFlag) {
                System.err.print(USAGE);
            }
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
        } catch (RuntimeException e) {
            LOG.debug("event=start_failed", e);
            System.err.println("tollgate: cannot start: " + describe(e));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "tollgate-shutdown"));
        System.out.println("Tollgate listening on http://localhost:" + server.port() + " (" + config.store()
                + " store at " + config.storeLocation() + ")");
    }

    /** What went wrong, for the one line an operator reads: the message, else the kind of failure. */
    private static String describe(RuntimeException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
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
