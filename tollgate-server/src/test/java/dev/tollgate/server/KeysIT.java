package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.auth.CustomerTokens;
import dev.tollgate.server.auth.Secrets;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 20, keys: secret and publishable keys made through the API, shown once, stored as digests only, in force after
 * a restart, revoked at once (on a connection that used the key a moment before, too); portal sessions that expire and
 * are revoked; bad requests for keys and sessions. On SQLite and PostgreSQL.
 */
final class KeysIT {
    private static final Instant START = Instant.parse("2026-11-30T10:00:00Z");

    @TempDir
    Path dir;

    private static Map<String, String> bearer(String credential) {
        return Map.of("Authorization", "Bearer " + credential);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void keys_are_shown_once_work_survive_a_restart_and_are_never_stored_in_clear(String store) throws Exception {
        try (StoreHarness s = StoreHarness.start(store, dir, START)) {
            Harness h = s.h;
            assertThat(h.applySampleCatalog().status()).isEqualTo(200);
            h.customerOn("acme", "pro");

            ApiClient.Reply secret = h.post("/v1/keys", Map.of("kind", "secret", "name", "billing job"));
            assertThat(secret.status()).as(secret.text()).isEqualTo(201);
            String secretKey = (String) secret.get("key");
            assertThat(secretKey).startsWith("tg_sk_").hasSize(49);
            assertThat(secret.get("prefix")).isEqualTo(secretKey.substring(0, 12));
            assertThat(secret.body())
                    .containsKeys("id", "name", "kind", "createdAt")
                    .doesNotContainKey("signingSecret");

            ApiClient.Reply publishable = h.post("/v1/keys", Map.of("kind", "publishable", "name", "web app"));
            assertThat(publishable.status()).as(publishable.text()).isEqualTo(201);
            String publishableKey = (String) publishable.get("key");
            String signingSecret = (String) publishable.get("signingSecret");
            assertThat(publishableKey).startsWith("tg_pk_");
            assertThat(signingSecret).startsWith("tg_ss_");

            ApiClient.Reply portal = h.post("/v1/portal-sessions", Map.of("customerId", "acme"));
            assertThat(portal.status()).as(portal.text()).isEqualTo(201);
            String token = (String) portal.get("token");
            assertThat((String) portal.get("url")).endsWith("/portal#token=" + token);

            ApiClient.Reply list = h.get("/v1/keys");
            assertThat(list.status()).isEqualTo(200);
            assertThat(list.text()).doesNotContain(secretKey, publishableKey, signingSecret);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> keys = (List<Map<String, Object>>) list.get("keys");
            assertThat(keys.get(0)).containsEntry("id", "root");
            assertThat(keys)
                    .extracting(k -> k.get("id"))
                    .as("made at the same instant of the test's clock: in either order")
                    .containsExactlyInAnyOrder("root", secret.get("id"), publishable.get("id"));
            assertThat(keys).extracting(k -> k.get("name")).contains("billing job", "web app");

            h.restart();

            assertThat(h.call(
                                    "POST",
                                    "/v1/check",
                                    Map.of("customerId", "acme", "feature", "ai-queries"),
                                    bearer(secretKey))
                            .status())
                    .as("a secret key after a restart")
                    .isEqualTo(200);
            ApiClient.Reply read = h.call(
                    "GET",
                    "/v1/public/customers/acme/entitlements",
                    null,
                    Map.of(
                            "Authorization",
                            "Bearer " + publishableKey,
                            "X-Customer-Token",
                            CustomerTokens.token(signingSecret, "acme")));
            assertThat(read.status())
                    .as("a publishable key after a restart: %s", read.text())
                    .isEqualTo(200);
            assertThat(read.body()).containsKeys("customerId", "entitlements", "balances");
            assertThat(h.call("GET", "/v1/portal/session", null, bearer(token)).get("customerId"))
                    .as("a portal token after a restart")
                    .isEqualTo("acme");

            String stored = s.storedText("api_keys", "portal_sessions");
            assertThat(stored)
                    .as("the digest of the secret key is stored (so this look would find the key)")
                    .contains(Secrets.digest(secretKey), Secrets.digest(token));
            assertThat(stored)
                    .as("no key, signing secret or token is stored in clear")
                    .doesNotContain(secretKey, publishableKey, signingSecret, token);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void a_revoked_key_is_refused_on_the_connection_that_used_it_a_moment_before(String store) throws Exception {
        try (StoreHarness s = StoreHarness.start(store, dir, START)) {
            Harness h = s.h;
            ApiClient.Reply made = h.post("/v1/keys", Map.of("kind", "secret", "name", "to revoke"));
            String key = (String) made.get("key");
            try (Socket socket = new Socket("127.0.0.1", h.port())) {
                assertThat(rawGet(socket, "/v1/catalog", key)).startsWith("HTTP/1.1 200");
                assertThat(rawGet(socket, "/v1/catalog", key)).startsWith("HTTP/1.1 200");
                ApiClient.Reply revoked = h.delete("/v1/keys/" + made.get("id"));
                assertThat(revoked.status()).as(revoked.text()).isEqualTo(200);
                assertThat(revoked.get("revokedAt")).isEqualTo(START.toString());
                String refused = rawGet(socket, "/v1/catalog", key);
                assertThat(refused).startsWith("HTTP/1.1 401").contains("CREDENTIAL_REVOKED");
            }
            assertThat(h.delete("/v1/keys/" + made.get("id")).get("revokedAt"))
                    .as("revoking again keeps the first time")
                    .isEqualTo(START.toString());
            h.restart();
            ApiClient.Reply after = h.call("GET", "/v1/catalog", null, bearer(key));
            assertThat(after.status()).isEqualTo(401);
            assertThat(after.error()).containsEntry("code", "CREDENTIAL_REVOKED");
        }
    }

    /** One {@code GET} on a kept-alive connection: the status line, headers and body of its answer. */
    private static String rawGet(Socket socket, String path, String key) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder head = new StringBuilder();
        int length = 0;
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            head.append(line).append('\n');
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        char[] body = new char[length];
        int read = 0;
        while (read < length) {
            int n = in.read(body, read, length - read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        return head + new String(body, 0, read);
    }

    @Test
    void a_portal_session_expires_is_revoked_and_signs_out() {
        try (Harness h = new Harness(dir, START)) {
            assertThat(h.applySampleCatalog().status()).isEqualTo(200);
            h.customerOn("acme", "pro");
            ApiClient.Reply made = h.post(
                    "/v1/portal-sessions",
                    Map.of("customerId", "acme", "ttlSeconds", 600, "permissions", List.of("budgets")));
            assertThat(made.status()).as(made.text()).isEqualTo(201);
            assertThat(made.get("expiresAt")).isEqualTo(START.plusSeconds(600).toString());
            assertThat(made.get("permissions")).isEqualTo(List.of("read", "budgets"));
            String token = (String) made.get("token");

            ApiClient.Reply who = h.call("GET", "/v1/portal/session", null, bearer(token));
            assertThat(who.status()).as(who.text()).isEqualTo(200);
            assertThat(who.body())
                    .containsEntry("customerId", "acme")
                    .containsEntry("customerName", "acme")
                    .containsEntry("scope", null)
                    .containsEntry("expiresAt", START.plusSeconds(600).toString())
                    .doesNotContainKey("token");

            h.clock.advance(Duration.ofMinutes(10));
            ApiClient.Reply expired = h.call("GET", "/v1/portal/session", null, bearer(token));
            assertThat(expired.status()).isEqualTo(401);
            assertThat(expired.error()).containsEntry("code", "CREDENTIAL_EXPIRED");

            String second = (String)
                    h.post("/v1/portal-sessions", Map.of("customerId", "acme")).get("token");
            String id = (String)
                    h.call("GET", "/v1/portal/session", null, bearer(second)).get("id");
            assertThat(h.delete("/v1/portal-sessions/" + id).status()).isEqualTo(200);
            ApiClient.Reply revoked = h.call("GET", "/v1/customers/acme", null, bearer(second));
            assertThat(revoked.status()).isEqualTo(401);
            assertThat(revoked.error()).containsEntry("code", "CREDENTIAL_REVOKED");

            String third = (String)
                    h.post("/v1/portal-sessions", Map.of("customerId", "acme")).get("token");
            assertThat(h.call("DELETE", "/v1/portal/session", null, bearer(third))
                            .status())
                    .isEqualTo(200);
            assertThat(h.call("GET", "/v1/portal/session", null, bearer(third)).status())
                    .as("signed out")
                    .isEqualTo(401);
        }
    }

    @Test
    void bad_requests_for_keys_and_portal_sessions_are_refused_with_their_field_and_change_nothing() {
        try (Harness h = new Harness(dir, START)) {
            assertThat(h.applySampleCatalog().status()).isEqualTo(200);
            h.customerOn("acme", "pro");
            assertRefused(h.post("/v1/keys", Map.of("kind", "admin", "name", "x")), 400, "INVALID_KEY_KIND", "kind");
            assertRefused(h.post("/v1/keys", Map.of("kind", "secret")), 400, "MISSING_FIELD", "name");
            assertRefused(h.post("/v1/keys", Map.of("kind", "secret", "name", " ")), 400, "INVALID_NAME", "name");
            assertRefused(
                    h.post("/v1/keys", Map.of("kind", "secret", "name", "x", "scopes", List.of())),
                    400,
                    "UNKNOWN_FIELD",
                    "scopes");
            assertRefused(h.delete("/v1/keys/root"), 409, "KEY_NOT_REVOCABLE", "keyId");
            assertRefused(h.delete("/v1/keys/key_nope"), 404, "KEY_NOT_FOUND", "keyId");
            assertRefused(
                    h.post("/v1/portal-sessions", Map.of("customerId", "acme", "permissions", List.of("read", "root"))),
                    400,
                    "INVALID_PERMISSION",
                    "permissions[1]");
            assertRefused(
                    h.post("/v1/portal-sessions", Map.of("customerId", "acme", "ttlSeconds", 5)),
                    400,
                    "OUT_OF_RANGE",
                    "ttlSeconds");
            assertRefused(
                    h.post("/v1/portal-sessions", Map.of("customerId", "nobody")),
                    404,
                    "CUSTOMER_NOT_FOUND",
                    "customerId");
            assertRefused(
                    h.post("/v1/portal-sessions", Map.of("customerId", "acme", "scope", "nowhere")),
                    404,
                    "SCOPE_NOT_FOUND",
                    "scope");
            assertRefused(h.delete("/v1/portal-sessions/ps_nope"), 404, "PORTAL_SESSION_NOT_FOUND", "sessionId");
            assertThat((List<?>) h.get("/v1/keys").get("keys")).hasSize(1);
        }
    }

    private static void assertRefused(ApiClient.Reply r, int status, String code, String field) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.error()).containsEntry("code", code).containsEntry("field", field);
    }
}
