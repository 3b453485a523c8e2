package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class OperationsIT {
    @TempDir
    Path dir;

    @Test
    void health_ready_and_metrics_report_requests_decisions_and_commits() {
        try (Harness h = new Harness(dir, Instant.parse("2026-01-06T10:00:00Z"))) {
            h.applySampleCatalog();
            h.customerOn("acme", "free");
            h.consume("acme", "ai-queries", 10, "a");
            h.consume("acme", "ai-queries", 1, "b");
            h.check("acme", "ai-queries");

            assertThat(h.send("GET", "/health", null, "application/json", null).status())
                    .isEqualTo(200);
            ApiClient.Reply ready = h.send("GET", "/ready", null, "application/json", null);
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.get("status")).isEqualTo("ready");

            ApiClient.Reply metrics = h.send("GET", "/metrics", null, "text/plain", null);
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.text())
                    .contains(
                            "tollgate_http_requests_seconds_count{method=\"POST\",route=\"/v1/consume\",status=\"200\"} 2")
                    .contains(
                            "tollgate_decisions_total{endpoint=\"consume\",outcome=\"denied\",reason=\"LIMIT_EXCEEDED\"} 1")
                    .contains(
                            "tollgate_decisions_total{endpoint=\"check\",outcome=\"denied\",reason=\"LIMIT_EXCEEDED\"} 1")
                    .contains("tollgate_journal_batch_commands_count")
                    .contains("tollgate_journal_commit_seconds");
        }
    }

    @Test
    void without_a_configured_key_one_is_created_once_and_kept() throws Exception {
        ServerConfig config = ServerConfig.builder().port(0).dataDir(dir).build();
        String key;
        try (TollgateServer server = TollgateServer.start(config, InstantSource.system())) {
            assertThat(server.port()).isPositive();
            key = Files.readString(dir.resolve("api-key")).trim();
            assertThat(key).startsWith("tg_sk_").hasSizeGreaterThan(30);
        }
        try (TollgateServer server = TollgateServer.start(config, InstantSource.system())) {
            assertThat(server.port()).isPositive();
            assertThat(Files.readString(dir.resolve("api-key")).trim()).isEqualTo(key);
        }
    }

    @Test
    void an_invalid_startup_catalog_stops_start_up_with_every_error() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                features:
                  - key: q
                    type: metered
                plans:
                  - key: p
                    entitlements:
                      q: { limit: -1 }
                      nope: { limit: 1 }
                """);
        ServerConfig config = ServerConfig.builder()
                .port(0)
                .dataDir(dir.resolve("data"))
                .apiKey(ApiClient.KEY)
                .catalog(bad)
                .build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TollgateServer.start(config, InstantSource.system()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("plans[0].entitlements.q.limit: must be >= 0")
                .hasMessageContaining("plans[0].entitlements.nope: unknown feature 'nope'");
    }
}
