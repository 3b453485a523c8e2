package dev.tollgate.server;

import java.time.InstantSource;

/**
 * The command-line entry point: {@code java -jar tollgate-server.jar [--port N] [--data-dir DIR] [--catalog FILE]
 * [--config FILE]}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        ServerConfig config;
        try {
            config = ServerConfig.load(System.getenv(), args);
        } catch (IllegalArgumentException e) {
            System.err.println("tollgate: " + e.getMessage());
            System.err.println(
                    "usage: java -jar tollgate-server.jar [--port 8080] [--data-dir ./data] [--catalog catalog.yaml]"
                            + " [--config tollgate.yaml]");
            System.exit(2);
            return;
        }
        TollgateServer server;
        try {
            server = TollgateServer.start(config, InstantSource.system());
        } catch (IllegalArgumentException e) {
            System.err.println("tollgate: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "tollgate-shutdown"));
        System.out.println("Tollgate listening on http://localhost:" + server.port() + " (data in "
                + config.dataDir().toAbsolutePath() + ")");
    }
}
