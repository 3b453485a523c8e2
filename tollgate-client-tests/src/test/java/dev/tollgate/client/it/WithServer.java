package dev.tollgate.client.it;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test with a real server of its own (a temporary data directory) and customer {@code acme} on plan {@code team}. */
abstract class WithServer {
    @TempDir
    Path dir;

    ServerUnderTest server;

    @BeforeEach
    void startServer() {
        server = new ServerUnderTest(dir.resolve("data"));
        server.customer("acme", "team");
    }

    @AfterEach
    void stopServer() {
        server.close();
    }
}
