package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up mistakes as an operator makes them, on the packaged jar in a process of its own: each ends the process with
 * a non-zero status and one clear line, and leaves nothing behind.
 */
final class StartupIT {
    private static final String KEY = "tg_sk_startup_tests_0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void a_port_in_use_ends_the_process_with_one_line_and_creates_no_data_directory() throws Exception {
        Path data = dir.resolve("fresh");
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(0));
            int port = taken.getLocalPort();

            ServerProcess.Result run = ServerProcess.run(
                    dir.resolve("log"), List.of("--port", String.valueOf(port), "--data-dir", data.toString()));

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(lines(run)).containsExactly("tollgate: cannot start: port " + port + " is already in use");
            assertThat(data).doesNotExist();
        }
    }

    @Test
    void a_data_directory_that_cannot_be_created_ends_the_process_with_one_line() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Path data = file.resolve("data");

        ServerProcess.Result run =
                ServerProcess.run(dir.resolve("log"), List.of("--port", "0", "--data-dir", data.toString()));

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(lines(run))
                .singleElement(InstanceOfAssertFactories.STRING)
                .startsWith("tollgate: cannot start: cannot use the data directory " + data.toAbsolutePath());
    }

    @Test
    void a_second_server_on_the_same_data_directory_refuses_to_start_and_the_first_keeps_serving() {
        Path data = dir.resolve("data");
        List<String> flags = List.of("--data-dir", data.toString());
        try (ServerProcess first = ServerProcess.start(dir.resolve("first.log"), flags)) {
            ServerProcess.Result second =
                    ServerProcess.run(dir.resolve("second.log"), List.of("--port", "0", "--data-dir", data.toString()));

            assertThat(second.exitCode()).isEqualTo(1);
            assertThat(lines(second))
                    .containsExactly("tollgate: cannot start: the data directory " + data.toAbsolutePath()
                            + " is in use by process " + first.pid());
            assertThat(first.get("/health").status()).isEqualTo(200);

            ServerProcess.Result verify =
                    ServerProcess.run(dir.resolve("verify.log"), List.of("verify", "--data-dir", data.toString()));
            assertThat(verify.exitCode())
                    .as("verify reads a stopped server's store only")
                    .isEqualTo(3);
            assertThat(verify.output()).contains("is in use by process " + first.pid());
        }
        try (ServerProcess again = ServerProcess.start(dir.resolve("again.log"), flags)) {
            assertThat(again.get("/health").status())
                    .as("the claim goes with the process that held it")
                    .isEqualTo(200);
        }
    }

    @Test
    void an_invalid_start_up_catalog_is_one_line_naming_every_error() throws Exception {
        Path catalog = Files.writeString(
                dir.resolve("catalog.yaml"),
                "features:\n  - {key: q, type: metered}\nplans:\n  - {key: p, entitlements: {q: {limit: -1}, nope: {}}}\n");

        ServerProcess.Result run = ServerProcess.run(
                dir.resolve("log"),
                List.of("--port", "0", "--data-dir", dir.resolve("data").toString(), "--catalog", catalog.toString()));

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(lines(run))
                .singleElement(InstanceOfAssertFactories.STRING)
                .startsWith("tollgate: cannot start: catalog " + catalog + " is invalid, nothing was applied: ")
                .contains("plans[0].entitlements.q.limit", "; ", "nope");
    }

    @Test
    void help_prints_the_usage_and_exits_zero() {
        for (List<String> args : List.of(List.of("--help"), List.of("-h"), List.of("verify", "--help"))) {
            ServerProcess.Result run = ServerProcess.run(dir.resolve("log"), args);

            assertThat(run.exitCode()).as("%s", args).isZero();
            assertThat(run.output())
                    .as("%s", args)
                    .startsWith("usage: java -jar tollgate-server.jar")
                    .contains("--data-dir", "TOLLGATE_DATA_DIR", "--catalog", "verify");
            assertThat(dir.resolve("data")).doesNotExist();
        }
    }

    @Test
    void an_unknown_flag_is_one_line_and_the_usage() {
        ServerProcess.Result run = ServerProcess.run(dir.resolve("log"), List.of("--prot", "8080"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(lines(run).get(0)).startsWith("tollgate: unknown flag --prot");
        assertThat(run.output())
                .contains("usage: java -jar tollgate-server.jar")
                .doesNotContain("Exception");
    }

    @Test
    void a_weak_api_key_is_one_line_without_the_usage() {
        ServerProcess.Result run = ServerProcess.run(
                dir.resolve("log"),
                List.of("--port", "0", "--data-dir", dir.resolve("data").toString()),
                "short");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(lines(run))
                .singleElement(InstanceOfAssertFactories.STRING)
                .startsWith("tollgate: TOLLGATE_API_KEY: ")
                .doesNotContain("short");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void a_sidecar_without_upstream_ends_with_one_line_and_status_2() {
        ServerProcess.Result run = ServerProcess.run(dir.resolve("log"), List.of("sidecar", "--port", "0"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(lines(run)).containsExactly("tollgate: sidecar needs --upstream URL (the Tollgate server)");
    }

    @Test
    void a_sidecar_whose_upstream_cannot_be_reached_ends_with_one_line() throws Exception {
        int closed;
        try (ServerSocket probe = new ServerSocket(0)) {
            closed = probe.getLocalPort();
        }
        String upstream = "http://127.0.0.1:" + closed;

        ServerProcess.Result run = ServerProcess.run(
                dir.resolve("log"), List.of("sidecar", "--upstream", upstream, "--api-key", KEY, "--port", "0"));

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(lines(run))
                .singleElement(InstanceOfAssertFactories.STRING)
                .startsWith("tollgate: cannot start: the upstream " + upstream + " cannot be reached");
    }

    @Test
    void a_sidecar_on_a_port_in_use_or_with_a_refused_key_ends_with_one_line() throws Exception {
        ServerConfig config = ServerConfig.builder()
                .port(0)
                .dataDir(dir.resolve("data"))
                .apiKey(KEY)
                .build();
        try (TollgateServer server = TollgateServer.start(config, InstantSource.system());
                ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            String upstream = "http://127.0.0.1:" + server.port();

            ServerProcess.Result inUse = ServerProcess.run(
                    dir.resolve("in-use.log"),
                    List.of("sidecar", "--upstream", upstream, "--api-key", KEY, "--port", "" + taken.getLocalPort()));
            ServerProcess.Result refused = ServerProcess.run(
                    dir.resolve("refused.log"),
                    List.of("sidecar", "--upstream", upstream, "--api-key", KEY + "-wrong", "--port", "0"));

            assertThat(inUse.exitCode()).isEqualTo(1);
            assertThat(lines(inUse))
                    .containsExactly("tollgate: cannot start: port " + taken.getLocalPort() + " is already in use");
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(lines(refused))
                    .containsExactly("tollgate: cannot start: the upstream " + upstream + " refused the API key");
        }
    }

    private static List<String> lines(ServerProcess.Result run) {
        return run.output().lines().filter(l -> !l.isBlank()).toList();
    }
}
