package dev.tollgate.client.it;

import dev.tollgate.server.cli.Main;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sidecar ({@code sidecar} of the server's command line, run from these tests' class path) in a process of its own
 * on a free port, with a fallback file and a spool directory, as it runs beside an application. Its output is appended
 * to a log file.
 *
 * <p>Not thread-safe: one test thread starts and stops it.
 */
final class SidecarProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://[^ ]+)");

    private final AppProcess process;
    private final String url;

    private SidecarProcess(AppProcess process, String url) {
        this.process = process;
        this.url = url;
    }

    /** Starts a sidecar of {@code upstream} and blocks until it listens. */
    static SidecarProcess start(String upstream, Path fallbackFile, Path spoolDir, Path log) throws Exception {
        AppProcess process = AppProcess.start(
                Main.class,
                AppProcess.QUICK_START,
                log,
                "Tollgate sidecar listening",
                "sidecar",
                "--upstream",
                upstream,
                "--api-key",
                OperatorClient.KEY,
                "--port",
                "0",
                "--fallback",
                fallbackFile.toString(),
                "--spool-dir",
                spoolDir.toString());
        String line = process.awaitLine();
        Matcher m = LISTENING.matcher(line);
        if (!m.find()) {
            process.close();
            throw new IllegalStateException("no address in the sidecar's line: " + line);
        }
        return new SidecarProcess(process, m.group(1));
    }

    /** Its base URL, {@code http://127.0.0.1:<port>}. */
    String url() {
        return url;
    }

    /** SIGTERM: it returns its leases and sends (or spools) what is queued; blocks until it has ended. */
    void terminate() throws InterruptedException {
        process.terminate();
    }

    @Override
    public void close() {
        process.close();
    }
}
