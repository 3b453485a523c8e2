package dev.tollgate.client.it;

import static org.awaitility.Awaitility.await;

import dev.tollgate.server.cli.Main;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The Tollgate server in a process of its own ({@code serve} of its command line, run from these tests' class path) on
 * a fixed port and a SQLite data directory, so that a test can kill it with SIGKILL as a crash would, then start it
 * again on the same port and data. Its output is appended to a log file. An operator's client of it through
 * {@link OperatorClient}.
 *
 * <p>Not thread-safe: one test thread starts, kills and closes it (its {@link OperatorClient} calls are thread-safe).
 */
final class ServerProcess extends OperatorClient implements AutoCloseable {
    private final Path dataDir;
    private final Path log;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();
    private @Nullable AppProcess process;

    private ServerProcess(Path dataDir, Path log, int port) {
        this.dataDir = dataDir;
        this.log = log;
        this.port = port;
    }

    /** Starts a server on a free port with the tests' API key and waits until it answers {@code /health}. */
    static ServerProcess start(Path dataDir, Path log) throws Exception {
        ServerProcess server = new ServerProcess(dataDir, log, freePort());
        server.start();
        return server;
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** Starts the server (again) on its port and data directory; blocks until {@code /health} answers {@code 200}. */
    void start() throws Exception {
        if (process != null) {
            throw new IllegalStateException("the server is running");
        }
        process = AppProcess.start(
                Main.class,
                environment(),
                log,
                "Tollgate listening",
                "serve",
                "--port",
                String.valueOf(port),
                "--data-dir",
                dataDir.toString());
        process.awaitLine();
        await().atMost(Duration.ofSeconds(60)).until(this::healthy);
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(AppProcess.QUICK_START);
        env.put("TOLLGATE_API_KEY", KEY);
        return env;
    }

    private boolean healthy() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/health"))
                .timeout(Duration.ofSeconds(5))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL ({@link Process#destroyForcibly()}): no shutdown hook, no last commit; waits until the process is gone. */
    void kill() throws InterruptedException {
        if (process == null) {
            throw new IllegalStateException("the server is not running");
        }
        process.kill();
        process = null;
    }

    @Override
    String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
            process = null;
        }
    }
}
