package dev.tollgate.server;

import dev.tollgate.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * Starts the real server on a random port over a real SQLite file, with an injected clock, and talks to it over HTTP.
 * Restartable on the same data directory. A configuration tweak can point it at another store.
 */
final class Harness extends ApiClient implements AutoCloseable {
    final Path dataDir;
    final MutableClock clock;
    private final UnaryOperator<ServerConfig> tweak;
    private TollgateServer server;

    Harness(Path dataDir, Instant start) {
        this(dataDir, start, UnaryOperator.identity());
    }

    Harness(Path dataDir, Instant start, UnaryOperator<ServerConfig> tweak) {
        this.dataDir = dataDir;
        this.clock = MutableClock.at(start);
        this.tweak = tweak;
        this.server = startServer();
    }

    private TollgateServer startServer() {
        return TollgateServer.start(
                tweak.apply(ServerConfig.builder()
                        .port(0)
                        .dataDir(dataDir)
                        .apiKey(KEY)
                        .build()),
                clock);
    }

    /** Stops the server (committing what it holds) and starts a new one on the same data. */
    void restart() {
        server.close();
        server = startServer();
    }

    /** Stops the server (committing what it holds), runs {@code whileDown} on its store, and starts it again. */
    void whileStopped(Runnable whileDown) {
        server.close();
        try {
            whileDown.run();
        } finally {
            server = startServer();
        }
    }

    TollgateServer server() {
        return server;
    }

    @Override
    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
