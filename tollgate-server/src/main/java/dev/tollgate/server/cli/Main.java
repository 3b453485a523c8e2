package dev.tollgate.server.cli;

import dev.tollgate.core.engine.Verifier;
import dev.tollgate.core.json.Json;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import dev.tollgate.server.ServerConfig;
import dev.tollgate.server.Stores;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.server.sidecar.Sidecar;
import dev.tollgate.server.sidecar.SidecarConfig;
import io.netty.util.ResourceLeakDetector;
import java.io.PrintStream;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command-line entry point ({@link Commands} reads the command line, {@link Setting} lists the flags).
 *
 * <ul>
 *   <li>{@code java -jar tollgate-server.jar [serve] [--port N] [--data-dir DIR] [--catalog FILE] ...} serves. A
 *       start-up failure (port in use, data directory unusable or held by another process, store unreachable, invalid
 *       catalog) ends the process with status 1 and one line on stderr, {@code tollgate: cannot start: ...}.
 *   <li>{@code java -jar tollgate-server.jar verify [store flags]} replays the store's records and compares them with
 *       the derived state it keeps; prints every difference; exit status 0 when consistent, 1 when not, 3 when the
 *       store cannot be read. Run it on a stopped server's store.
 *   <li>{@code java -jar tollgate-server.jar sidecar --upstream URL --api-key KEY [--port N] ...} serves the request
 *       path beside an application through the SDK ({@code docs/sidecar.md}); a start-up failure (port in use,
 *       upstream unreachable or refusing the key) is one line, status 1, as for {@code serve}.
 *   <li>{@code --help} or {@code -h} (after a command: that command's) prints the usage and exits 0.
 *   <li>A wrong command line (unknown flag or command, a flag without its value) is one line and the usage on stderr,
 *       status 2; a wrong value (a weak API key, a port out of range) is one line, status 2.
 * </ul>
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) {
        quietLeakDetection();
        Commands.Parsed parsed;
        ServerConfig config = null;
        SidecarConfig sidecar = null;
        try {
            parsed = Commands.parse(args);
            if (parsed instanceof Commands.Help help) {
                System.out.print(help.usage());
                System.exit(0);
                return;
            }
            Commands.Run run = (Commands.Run) parsed;
            if (run.command() == Commands.Command.SIDECAR) {
                sidecar = SidecarFlag.resolve(run.sidecarFlags(), System.getenv());
            } else {
                config = Setting.resolve(System.getenv(), run.flags());
            }
        } catch (IllegalArgumentException e) {
            System.err.println("tollgate: " + e.getMessage());
            if (e instanceof Commands.BadCommandLine bad) {
                System.err.print(bad.usage);
            }
            System.exit(2);
            return;
        }
        switch (((Commands.Run) parsed).command()) {
            case VERIFY -> System.exit(verify(Objects.requireNonNull(config), System.out, System.err));
            case SERVE -> serve(Objects.requireNonNull(config));
            case SIDECAR -> sidecar(Objects.requireNonNull(sidecar));
        }
    }

    private static void sidecar(SidecarConfig config) {
        Sidecar sidecar;
        try {
            sidecar = Sidecar.start(config);
        } catch (RuntimeException e) {
            LOG.debug("event=start_failed", e);
            System.err.println("tollgate: cannot start: " + describe(e));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(sidecar::close, "tollgate-shutdown"));
        System.out.println("Tollgate sidecar listening on http://" + config.host() + ":" + sidecar.port()
                + " (upstream " + config.upstream() + ")");
    }

    private static void serve(ServerConfig config) {
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
