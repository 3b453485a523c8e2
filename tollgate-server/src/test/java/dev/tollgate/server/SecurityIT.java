package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.server.webhook.WebhookDeliverer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16, security hygiene: key strength, private data files, webhook targets. */
final class SecurityIT {
    private static final String SECRET = "whsec_0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void the_data_directory_is_0700_and_the_key_and_store_files_0600() throws Exception {
        Path data = dir.resolve("data");
        try (TollgateServer server = TollgateServer.start(
                ServerConfig.builder().port(0).dataDir(data).build(), InstantSource.system())) {
            // a write makes SQLite create its -wal and -shm files
            server.engine()
                    .upsertCustomer("c", new CustomerUpdate("c", Map.of(), null), null)
                    .get(10, TimeUnit.SECONDS);
            assertThat(permissions(data))
                    .as("regression: the data directory was world-readable")
                    .isEqualTo("rwx------");
            for (String file : List.of("api-key", "tollgate.db", "tollgate.db-wal", "tollgate.db-shm")) {
                assertThat(permissions(data.resolve(file)))
                        .as("regression: %s was 0644 (webhook secrets in plain text for every local user)", file)
                        .isEqualTo("rw-------");
            }
        }
    }

    @Test
    void store_files_left_readable_by_an_earlier_version_are_made_private_at_start() throws Exception {
        Path data = dir.resolve("data");
        ServerConfig config = ServerConfig.builder()
                .port(0)
                .dataDir(data)
                .apiKey(ApiClient.KEY)
                .build();
        TollgateServer.start(config, InstantSource.system()).close();
        Files.setPosixFilePermissions(data.resolve("tollgate.db"), PosixFilePermissions.fromString("rw-r--r--"));
        try (TollgateServer server = TollgateServer.start(config, InstantSource.system())) {
            assertThat(server.port()).isPositive();
            assertThat(permissions(data.resolve("tollgate.db"))).isEqualTo("rw-------");
            assertThat(permissions(data.resolve("tollgate.db-wal"))).isEqualTo("rw-------");
        }
    }

    @Test
    void a_weak_key_in_the_key_file_stops_start_up() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        for (String weak : new String[] {"", "\n", "secret\n"}) {
            Files.writeString(data.resolve("api-key"), weak);
            assertThatThrownBy(() -> TollgateServer.start(
                            ServerConfig.builder().port(0).dataDir(data).build(), InstantSource.system()))
                    .as("regression: an empty key file let 'Authorization: Bearer ' in")
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at least 32 characters")
                    .hasMessageContaining(data.resolve("api-key").toString());
        }
    }

    @Test
    void webhooks_to_loopback_link_local_private_or_non_http_targets_are_refused_by_default() {
        try (Harness h = new Harness(dir, Instant.parse("2026-04-10T09:00:00Z"))) {
            for (String url : List.of(
                    "http://127.0.0.1:8080/hook",
                    "http://127.1/hook",
                    "http://2130706433/hook",
                    "http://[::1]/hook",
                    "http://[::ffff:127.0.0.1]/hook",
                    "http://0.0.0.0/hook",
                    "http://localhost:9000/hook",
                    "http://LOCALHOST./hook",
                    "http://admin.localhost/hook",
                    "http://169.254.169.254/latest/meta-data",
                    "http://[fe80::1]/hook",
                    "http://10.1.2.3/hook",
                    "http://172.16.0.1/hook",
                    "http://192.168.1.1/hook",
                    "http://100.64.0.1/hook",
                    "http://[fd00::1]/hook",
                    "http://224.0.0.1/hook",
                    "file:///etc/passwd",
                    "gopher://example.com/x",
                    "http:///nohost")) {
                ApiClient.Reply r = h.put("/v1/webhooks/w", Map.of("url", url, "secret", SECRET));
                assertThat(r.status())
                        .as("regression: %s was accepted: %s", url, r.text())
                        .isEqualTo(400);
                assertThat(r.error()).containsEntry("code", "INVALID_URL").containsEntry("field", "url");
            }
            assertThat(h.get("/v1/webhooks/w").status()).isEqualTo(404);
            for (String url : List.of("https://hooks.example.com/tollgate", "http://93.184.216.34:8443/hook")) {
                ApiClient.Reply r = h.put("/v1/webhooks/ok", Map.of("url", url, "secret", SECRET));
                assertThat(r.status()).as("%s: %s", url, r.text()).isEqualTo(200);
            }
        }
    }

    @Test
    void a_webhook_whose_host_reaches_a_private_address_at_delivery_gets_nothing() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver();
                Harness h = new Harness(dir, Instant.parse("2026-04-10T09:00:00Z"))) {
            h.applySampleCatalog();
            h.customerOn("acme", "free");
            // set through the engine, as if its name had resolved to a public address when it was set
            h.server()
                    .engine()
                    .setWebhook(new Webhook("ops", receiver.url(), List.of("*"), SECRET))
                    .get(10, TimeUnit.SECONDS);
            h.consume("acme", "ai-queries", 8, "q-1");
            assertThat(h.get("/v1/events/log?customerId=acme").text()).contains("limit.threshold");
            Thread.sleep(5 * WebhookDeliverer.POLL_MILLIS + 500);
            assertThat(receiver.attempts())
                    .as("regression: alerts were posted to 127.0.0.1")
                    .isEmpty();
        }
    }

    private static String permissions(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
