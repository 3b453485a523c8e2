package dev.tollgate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.server.ServerConfig;
import dev.tollgate.server.webhook.WebhookAddresses;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The settings as {@link Main} reads them: a command line ({@link Commands}) over the environment and a config file. */
final class ServerConfigTest {
    /** What {@link Main} does with a command line that is no {@code --help}. */
    private static ServerConfig load(Map<String, String> env, String[] args) {
        if (!(Commands.parse(args) instanceof Commands.Run run)) {
            throw new IllegalArgumentException("--help asks for the usage, not for settings");
        }
        return Setting.resolve(env, run.flags());
    }

    @Test
    void flags_win_over_the_environment_and_defaults_fill_the_rest() {
        ServerConfig c = load(
                Map.of("TOLLGATE_PORT", "9000", "TOLLGATE_MAX_BODY_BYTES", "1024"), new String[] {"--port", "9001"});
        assertThat(c.port()).isEqualTo(9001);
        assertThat(c.maxBodyBytes()).isEqualTo(1024);
        assertThat(c.store()).isEqualTo("sqlite");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lots", "0", "-5", "4294967296"})
    void a_bad_max_body_size_is_a_clear_error_naming_the_setting(String value) {
        assertThatThrownBy(() -> load(Map.of("TOLLGATE_MAX_BODY_BYTES", value), new String[0]))
                .as("regression: was a bare NumberFormatException, or silently capped")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBodyBytes")
                .hasMessageContaining(value);
    }

    @Test
    void io_threads_come_from_the_flag_over_the_environment_and_default_to_one_per_core_at_least_two() {
        assertThat(load(Map.of(), new String[0]).ioThreads())
                .isEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));
        assertThat(load(Map.of("TOLLGATE_IO_THREADS", "3"), new String[0]).ioThreads())
                .isEqualTo(3);
        assertThat(load(Map.of("TOLLGATE_IO_THREADS", "3"), new String[] {"--io-threads", "1"})
                        .ioThreads())
                .isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"many", "0", "-1", "1025", "4294967296"})
    void a_bad_io_thread_count_is_a_clear_error_naming_the_setting(String value) {
        assertThatThrownBy(() -> load(Map.of(), new String[] {"--io-threads", value}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ioThreads")
                .hasMessageContaining(value);
    }

    @Test
    void the_idle_timeout_defaults_to_five_minutes_and_refuses_what_is_not_a_positive_whole_number() {
        assertThat(load(Map.of(), new String[0]).idleTimeoutSeconds()).isEqualTo(300);
        assertThat(load(Map.of("TOLLGATE_IDLE_TIMEOUT_SECONDS", "30"), new String[0])
                        .idleTimeoutSeconds())
                .isEqualTo(30);
        for (String bad : new String[] {"0", "-3", "soon"}) {
            assertThatThrownBy(() -> load(Map.of("TOLLGATE_IDLE_TIMEOUT_SECONDS", bad), new String[0]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("idleTimeoutSeconds")
                    .hasMessageContaining(bad);
        }
    }

    @Test
    void a_bad_port_is_a_clear_error() {
        assertThatThrownBy(() -> load(Map.of(), new String[] {"--port", "eighty"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Z", "tg_sk_0123456789abcdef012345678", "tg_sk_0123456789 abcdef0123456789abcdef"})
    void a_configured_api_key_weaker_than_32_printable_characters_is_refused(String key) {
        assertThatThrownBy(() -> load(Map.of("TOLLGATE_API_KEY", key), new String[0]))
                .as("regression: a one-character key was accepted")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TOLLGATE_API_KEY")
                .hasMessageContaining("at least 32 characters")
                .hasMessageNotContaining(key);
        assertThat(load(Map.of("TOLLGATE_API_KEY", "tg_sk_0123456789abcdef0123456789"), new String[0])
                        .apiKey())
                .hasSize(32);
    }

    @Test
    void a_cluster_node_without_the_shared_api_key_is_a_clear_error() {
        Map<String, String> postgres =
                Map.of("TOLLGATE_STORE", "postgres", "TOLLGATE_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        for (String[] node : new String[][] {{"--node-id", "n1"}, {"--advertise-url", "http://10.0.0.1:8080"}}) {
            assertThatThrownBy(() -> load(postgres, node))
                    .as("regression: each node generated its own root key, and every request between nodes was then"
                            + " refused NODE_PROOF_INVALID")
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("TOLLGATE_API_KEY")
                    .hasMessageContaining("same on every node");
        }
        Map<String, String> keyed = new java.util.HashMap<>(postgres);
        keyed.put("TOLLGATE_API_KEY", "tg_sk_0123456789abcdef0123456789");
        assertThat(load(keyed, new String[] {"--node-id", "n1"}).nodeId()).isEqualTo("n1");
        assertThat(load(postgres, new String[0]).apiKey())
                .as("one PostgreSQL server, no node id: its key may be the generated one")
                .isNull();
        assertThat(load(Map.of(), new String[] {"--node-id", "n1"}).nodeId())
                .as("SQLite forms no cluster")
                .isEqualTo("n1");
    }

    @Test
    void request_deadlines_and_the_connection_limit_have_defaults_and_settings() {
        ServerConfig defaults = load(Map.of(), new String[0]);
        assertThat(defaults.headerTimeoutSeconds()).isEqualTo(10);
        assertThat(defaults.bodyTimeoutSeconds()).isEqualTo(60);
        assertThat(defaults.maxConnections()).isBetween(64, 10_000);
        assertThat(defaults.webhookAddresses()).isEqualTo(WebhookAddresses.PUBLIC);
        ServerConfig set = load(
                Map.of(
                        "TOLLGATE_HEADER_TIMEOUT_SECONDS", "3",
                        "TOLLGATE_BODY_TIMEOUT_SECONDS", "30",
                        "TOLLGATE_MAX_CONNECTIONS", "500",
                        "TOLLGATE_WEBHOOK_ALLOW_PRIVATE", "true"),
                new String[0]);
        assertThat(set.headerTimeoutSeconds()).isEqualTo(3);
        assertThat(set.bodyTimeoutSeconds()).isEqualTo(30);
        assertThat(set.maxConnections()).isEqualTo(500);
        assertThat(set.webhookAddresses()).isEqualTo(WebhookAddresses.ANY);
        for (String[] bad : new String[][] {
            {"TOLLGATE_HEADER_TIMEOUT_SECONDS", "0", "headerTimeoutSeconds"},
            {"TOLLGATE_BODY_TIMEOUT_SECONDS", "soon", "bodyTimeoutSeconds"},
            {"TOLLGATE_MAX_CONNECTIONS", "-1", "maxConnections"},
            {"TOLLGATE_WEBHOOK_ALLOW_PRIVATE", "yes", "webhookAllowPrivate"}
        }) {
            assertThatThrownBy(() -> load(Map.of(bad[0], bad[1]), new String[0]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad[2])
                    .hasMessageContaining(bad[1]);
        }
    }

    @Test
    void the_config_file_takes_every_setting_the_environment_does(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("tollgate.yaml");
        java.nio.file.Files.writeString(file, """
                ioThreads: 3
                idleTimeoutSeconds: 30
                headerTimeoutSeconds: 5
                bodyTimeoutSeconds: 20
                maxConnections: 100
                webhookAllowPrivate: true
                """);
        ServerConfig c = load(Map.of(), new String[] {"--config", file.toString()});
        assertThat(c.ioThreads())
                .as("regression: ioThreads was read but refused as unknown")
                .isEqualTo(3);
        assertThat(c.idleTimeoutSeconds()).isEqualTo(30);
        assertThat(c.headerTimeoutSeconds()).isEqualTo(5);
        assertThat(c.bodyTimeoutSeconds()).isEqualTo(20);
        assertThat(c.maxConnections()).isEqualTo(100);
        assertThat(c.webhookAddresses()).isEqualTo(WebhookAddresses.ANY);
    }
}
