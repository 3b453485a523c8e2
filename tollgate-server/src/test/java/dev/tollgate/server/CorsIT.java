package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.auth.Cors;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, CORS for the configured origins: a preflight from a listed origin is answered with what a browser needs,
 * from any other refused without a CORS header; answers (refusals too) carry CORS headers for listed origins only.
 */
final class CorsIT {
    private static final String ALLOWED = "https://app.example.com";
    private static final String OTHER = "https://evil.example.net";

    @TempDir
    Path dir;

    private Harness start() {
        return new Harness(
                dir,
                Instant.parse("2026-11-30T10:00:00Z"),
                c -> c.toBuilder()
                        .cors(Cors.of(List.of(ALLOWED, "http://localhost:5173")))
                        .build());
    }

    private static Map<String, String> preflight(String origin, String method) {
        return Map.of(
                "Origin",
                origin,
                "Access-Control-Request-Method",
                method,
                "Access-Control-Request-Headers",
                "authorization, x-customer-token");
    }

    private static String header(ApiClient.Reply r, String name) {
        return r.headers()
                .getOrDefault(name.toLowerCase(java.util.Locale.ROOT), List.of(""))
                .get(0);
    }

    @Test
    void a_preflight_is_answered_for_allowed_origins_only() {
        try (Harness h = start()) {
            ApiClient.Reply ok =
                    h.call("OPTIONS", "/v1/public/customers/acme/entitlements", null, preflight(ALLOWED, "GET"));
            assertThat(ok.status()).as(ok.text()).isEqualTo(204);
            assertThat(header(ok, "Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
            assertThat(header(ok, "Access-Control-Allow-Methods")).isEqualTo("GET");
            assertThat(header(ok, "Access-Control-Allow-Headers")).contains("Authorization", "X-Customer-Token");
            assertThat(header(ok, "Access-Control-Max-Age")).isEqualTo("600");
            assertThat(header(ok, "Vary")).isEqualTo("Origin");

            ApiClient.Reply budget = h.call(
                    "OPTIONS",
                    "/v1/customers/acme/scopes/eng/budgets/b1",
                    null,
                    preflight("http://localhost:5173", "PUT"));
            assertThat(budget.status()).isEqualTo(204);
            assertThat(header(budget, "Access-Control-Allow-Methods")).isEqualTo("PUT");

            ApiClient.Reply refused =
                    h.call("OPTIONS", "/v1/public/customers/acme/entitlements", null, preflight(OTHER, "GET"));
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.error()).containsEntry("code", "ORIGIN_NOT_ALLOWED");
            assertThat(refused.headers().keySet())
                    .as("no CORS header for an origin not listed")
                    .noneMatch(k -> k.startsWith("access-control-"));
            assertThat(header(refused, "Vary"))
                    .as("a cache must not hand this refusal to an origin that is listed")
                    .isEqualTo("Origin");

            ApiClient.Reply nowhere = h.call("OPTIONS", "/v1/nowhere", null, preflight(ALLOWED, "GET"));
            assertThat(nowhere.status()).isEqualTo(404);

            ApiClient.Reply notPreflight = h.call("OPTIONS", "/v1/keys", null, Map.of("Origin", ALLOWED));
            assertThat(notPreflight.status())
                    .as("an OPTIONS that is no preflight needs a credential like any request")
                    .isEqualTo(401);
        }
    }

    @Test
    void answers_carry_cors_headers_for_allowed_origins_only_refusals_included() {
        try (Harness h = start()) {
            ApiClient.Reply allowed = h.call(
                    "GET", "/v1/catalog", null, Map.of("Origin", ALLOWED, "Authorization", "Bearer " + ApiClient.KEY));
            assertThat(allowed.status()).isEqualTo(200);
            assertThat(header(allowed, "Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
            assertThat(header(allowed, "Access-Control-Expose-Headers")).contains("Idempotent-Replay");
            assertThat(allowed.headers()).doesNotContainKey("access-control-allow-credentials");

            ApiClient.Reply unauthenticated = h.call("GET", "/v1/catalog", null, Map.of("Origin", ALLOWED));
            assertThat(unauthenticated.status()).isEqualTo(401);
            assertThat(header(unauthenticated, "Access-Control-Allow-Origin"))
                    .as("a script of an allowed origin can read why it was refused")
                    .isEqualTo(ALLOWED);

            ApiClient.Reply other = h.call(
                    "GET", "/v1/catalog", null, Map.of("Origin", OTHER, "Authorization", "Bearer " + ApiClient.KEY));
            assertThat(other.status()).isEqualTo(200);
            assertThat(other.headers().keySet()).noneMatch(k -> k.startsWith("access-control-"));
        }
    }

    @Test
    void without_configured_origins_no_preflight_is_answered() {
        try (Harness h = new Harness(dir, Instant.parse("2026-11-30T10:00:00Z"))) {
            ApiClient.Reply r = h.call("OPTIONS", "/v1/catalog", null, preflight(ALLOWED, "GET"));
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.headers().keySet()).noneMatch(k -> k.startsWith("access-control-"));
        }
    }
}
