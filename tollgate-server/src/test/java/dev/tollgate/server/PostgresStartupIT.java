package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.store.StoreException;
import dev.tollgate.testkit.MutableClock;
import dev.tollgate.testkit.PostgresTestSchema;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 10: a PostgreSQL that cannot be reached at start-up is waited for, with a log line per attempt, up to
 * {@code TOLLGATE_STORE_STARTUP_TIMEOUT_SECONDS}; then the start fails with one line. The database is reached through a
 * {@link TcpProxy}, cut before the start where the database must be unreachable.
 */
final class PostgresStartupIT {
    @TempDir
    Path dir;

    private PostgresTestSchema schema;
    private TcpProxy proxy;
    private ServerConfig config;

    @BeforeEach
    void start() {
        schema = PostgresTestSchema.create();
        URI admin = URI.create(PostgresTestSchema.adminUrl().substring("jdbc:".length()));
        proxy = new TcpProxy(admin.getHost(), admin.getPort());
        String viaProxy = schema.url().replace(admin.getHost() + ":" + admin.getPort(), "127.0.0.1:" + proxy.port());
        config = ServerConfig.builder()
                .port(0)
                .dataDir(dir)
                .apiKey(ApiClient.KEY)
                .store("postgres")
                .postgresUrl(viaProxy)
                .build();
    }

    @AfterEach
    void stop() {
        proxy.close();
        schema.close();
    }

    @Test
    void a_server_started_before_its_database_waits_for_it_and_then_serves() throws Exception {
        proxy.cut();
        CompletableFuture<TollgateServer> starting = CompletableFuture.supplyAsync(
                () -> TollgateServer.start(config, MutableClock.at(Instant.parse("2026-03-02T09:00:00Z"))));
        Thread.sleep(1_500);
        assertThat(starting).as("no server without its database").isNotDone();

        proxy.restore();
        try (TollgateServer server = starting.get(60, TimeUnit.SECONDS)) {
            ApiClient client = new ApiClient() {
                @Override
                int port() {
                    return server.port();
                }
            };
            assertThat(client.put("/v1/customers/acme", Map.of("name", "Acme")).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void a_database_that_stays_unreachable_ends_the_start_with_one_line_after_the_timeout() {
        proxy.cut();
        assertThatThrownBy(() -> Stores.openWaiting(config, Duration.ofSeconds(2)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("could not be reached within 2 s")
                .hasMessageContaining(Stores.STARTUP_TIMEOUT_ENV)
                .hasMessageNotContaining("currentSchema");
    }

    @Test
    void a_database_that_answers_with_an_error_is_not_waited_for() {
        ServerConfig wrongDatabase = config.toBuilder()
                .store("postgres")
                .postgresUrl(config.postgresUrl().replaceFirst("/[a-z_]+\\?", "/tollgate_no_such_database?"))
                .build();
        assertThatThrownBy(() -> Stores.openWaiting(wrongDatabase, Duration.ofMinutes(10)))
                .isInstanceOf(StoreException.class)
                .hasMessageNotContaining("could not be reached");
    }

    @Test
    void the_start_up_wait_is_read_from_the_environment() {
        assertThat(Stores.startupTimeout(Map.of())).isEqualTo(Duration.ofSeconds(60));
        assertThat(Stores.startupTimeout(Map.of(Stores.STARTUP_TIMEOUT_ENV, "5")))
                .isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> Stores.startupTimeout(Map.of(Stores.STARTUP_TIMEOUT_ENV, "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Stores.STARTUP_TIMEOUT_ENV);
    }
}
