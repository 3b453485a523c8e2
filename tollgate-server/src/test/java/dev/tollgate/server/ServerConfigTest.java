package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class ServerConfigTest {

    @Test
    void flags_win_over_the_environment_and_defaults_fill_the_rest() {
        ServerConfig c = ServerConfig.load(
                Map.of("TOLLGATE_PORT", "9000", "TOLLGATE_MAX_BODY_BYTES", "1024"), new String[] {"--port", "9001"});
        assertThat(c.port()).isEqualTo(9001);
        assertThat(c.maxBodyBytes()).isEqualTo(1024);
        assertThat(c.store()).isEqualTo("sqlite");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lots", "0", "-5", "4294967296"})
    void a_bad_max_body_size_is_a_clear_error_naming_the_setting(String value) {
        assertThatThrownBy(() -> ServerConfig.load(Map.of("TOLLGATE_MAX_BODY_BYTES", value), new String[0]))
                .as("regression: was a bare NumberFormatException, or silently capped")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBodyBytes")
                .hasMessageContaining(value);
    }

    @Test
    void io_threads_come_from_the_flag_over_the_environment_and_default_to_one_per_core_at_least_two() {
        assertThat(ServerConfig.load(Map.of(), new String[0]).ioThreads())
                .isEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));
        assertThat(ServerConfig.load(Map.of("TOLLGATE_IO_THREADS", "3"), new String[0])
                        .ioThreads())
                .isEqualTo(3);
        assertThat(ServerConfig.load(Map.of("TOLLGATE_IO_THREADS", "3"), new String[] {"--io-threads", "1"})
                        .ioThreads())
                .isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"many", "0", "-1", "1025", "4294967296"})
    void a_bad_io_thread_count_is_a_clear_error_naming_the_setting(String value) {
        assertThatThrownBy(() -> ServerConfig.load(Map.of(), new String[] {"--io-threads", value}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ioThreads")
                .hasMessageContaining(value);
    }

    @Test
    void the_idle_timeout_defaults_to_five_minutes_and_refuses_what_is_not_a_positive_whole_number() {
        assertThat(ServerConfig.load(Map.of(), new String[0]).idleTimeoutSeconds())
                .isEqualTo(300);
        assertThat(ServerConfig.load(Map.of("TOLLGATE_IDLE_TIMEOUT_SECONDS", "30"), new String[0])
                        .idleTimeoutSeconds())
                .isEqualTo(30);
        for (String bad : new String[] {"0", "-3", "soon"}) {
            assertThatThrownBy(() -> ServerConfig.load(Map.of("TOLLGATE_IDLE_TIMEOUT_SECONDS", bad), new String[0]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("idleTimeoutSeconds")
                    .hasMessageContaining(bad);
        }
    }

    @Test
    void a_bad_port_is_a_clear_error() {
        assertThatThrownBy(() -> ServerConfig.load(Map.of(), new String[] {"--port", "eighty"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port");
    }
}
