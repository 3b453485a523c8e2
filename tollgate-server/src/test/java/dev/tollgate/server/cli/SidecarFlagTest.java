package dev.tollgate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.client.FallbackValue;
import dev.tollgate.server.sidecar.SidecarConfig;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code sidecar} command line as {@link Main} reads it: its own flags, the key from the environment. */
final class SidecarFlagTest {
    @TempDir
    Path dir;

    private static SidecarConfig load(Map<String, String> env, String... args) {
        Commands.Run run = (Commands.Run) Commands.parse(args);
        assertThat(run.command()).isEqualTo(Commands.Command.SIDECAR);
        return SidecarFlag.resolve(run.sidecarFlags(), env);
    }

    @Test
    void flags_give_the_upstream_key_port_and_fallback_and_it_listens_on_the_loopback_by_default() throws Exception {
        Path fallback = Files.writeString(
                dir.resolve("fallback.json"),
                "{\"default\": \"open\", \"features\": {\"sso\": {\"allowed\": false}, \"q\": {\"allowed\": true,"
                        + " \"limit\": 20}}}");
        SidecarConfig c = load(
                Map.of(),
                "sidecar",
                "--upstream",
                "http://tollgate:8080",
                "--api-key",
                "k",
                "--port",
                "9000",
                "--fallback",
                fallback.toString());

        assertThat(c.upstream()).hasToString("http://tollgate:8080");
        assertThat(c.apiKey()).isEqualTo("k");
        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.fallback().forFeature("sso")).isEqualTo(FallbackValue.deny());
        assertThat(c.fallback().forFeature("q")).isEqualTo(new FallbackValue(true, BigDecimal.valueOf(20)));
        assertThat(c.fallback().forFeature("other")).isEqualTo(FallbackValue.allow());
        assertThat(c.spoolDir()).isNull();
    }

    @Test
    void the_key_may_come_from_the_environment_and_the_port_defaults_to_8081() {
        SidecarConfig c = load(Map.of("TOLLGATE_API_KEY", "from-env"), "sidecar", "--upstream", "https://t");
        assertThat(c.apiKey()).isEqualTo("from-env");
        assertThat(c.port()).isEqualTo(8081);
    }

    @Test
    void mistakes_are_one_clear_line() throws Exception {
        assertThatThrownBy(() -> load(Map.of(), "sidecar", "--api-key", "k"))
                .hasMessage("sidecar needs --upstream URL (the Tollgate server)");
        assertThatThrownBy(() -> load(Map.of(), "sidecar", "--upstream", "http://t"))
                .hasMessageContaining("--api-key");
        assertThatThrownBy(() -> load(Map.of(), "sidecar", "--upstream", "ftp://t", "--api-key", "k"))
                .hasMessageContaining("http://");
        assertThatThrownBy(() -> Commands.parse(new String[] {"sidecar", "--data-dir", "x"}))
                .as("the server's flags are not the sidecar's")
                .isInstanceOf(Commands.BadCommandLine.class)
                .hasMessageStartingWith("unknown flag --data-dir");
        Path bad = Files.writeString(
                dir.resolve("bad.json"), "{\"features\": {\"q\": {\"allowed\": false, \"limit\": 3}}}");
        assertThatThrownBy(() -> load(
                        Map.of(), "sidecar", "--upstream", "http://t", "--api-key", "k", "--fallback", bad.toString()))
                .hasMessageContaining("features.q.limit");
    }
}
