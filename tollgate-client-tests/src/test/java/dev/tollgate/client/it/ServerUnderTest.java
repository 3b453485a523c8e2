package dev.tollgate.client.it;

import dev.tollgate.server.ServerConfig;
import dev.tollgate.server.TollgateServer;
import java.nio.file.Path;
import java.time.InstantSource;
import org.jspecify.annotations.Nullable;

/**
 * A real Tollgate server in this JVM on a real SQLite data directory, with the tests' catalog, and an operator's HTTP
 * client to set it up and read it back ({@link OperatorClient}). It can be stopped and started again on the same port
 * and data, as an outage would leave it; {@link ServerProcess} is the one to kill.
 */
final class ServerUnderTest extends OperatorClient implements AutoCloseable {
    private final Path dataDir;
    private @Nullable TollgateServer server;
    private int port;

    ServerUnderTest(Path dataDir) {
        this.dataDir = dataDir;
        start();
        loadCatalog();
    }

    /** Starts the server (again), on the port it had before. */
    void start() {
        server = TollgateServer.start(
                ServerConfig.builder().port(port).dataDir(dataDir).apiKey(KEY).build(), InstantSource.system());
        port = server.port();
    }

    /** Stops the server, committing what it holds; its port refuses connections until {@link #start()}. */
    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }
}
