package dev.tollgate.client.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.client.it.SidecarClient.Answer;
import dev.tollgate.server.sidecar.FallbackFile;
import dev.tollgate.server.sidecar.Sidecar;
import dev.tollgate.server.sidecar.SidecarConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The sidecar against a real server, over real HTTP: it answers the request path as the server does, with
 * {@code source} on each decision, refuses bad input with the server's own code and field, and keeps answering from
 * its cache and the fallback file once the server is gone.
 */
final class SidecarIT extends WithServer {

    private Sidecar sidecar() {
        return Sidecar.start(SidecarConfig.of(URI.create(server.url()), ServerUnderTest.KEY, 0));
    }

    private static String url(Sidecar sidecar) {
        return "http://127.0.0.1:" + sidecar.port();
    }

    @Test
    void checks_and_consumes_through_the_sidecar_answer_as_the_server_does_and_say_where_from() {
        server.customer("small", "starter");
        try (Sidecar sidecar = sidecar()) {
            String check = "{\"customerId\": \"acme\", \"feature\": \"sso\"}";
            Answer direct = SidecarClient.post(server.url(), "/v1/check", check, ServerUnderTest.KEY);
            Answer via = SidecarClient.post(url(sidecar), "/v1/check", check, null);
            assertThat(via.status()).isEqualTo(direct.status()).isEqualTo(200);
            assertThat(via.body().path("allowed").asBoolean()).isTrue();
            assertThat(via.body().path("source").asString()).isEqualTo("cache");

            int admitted = 0;
            for (int i = 0; i < 12; i++) {
                Answer a = SidecarClient.post(url(sidecar), "/v1/consume", consume("small", "c-" + i), null);
                assertThat(a.status()).isEqualTo(200);
                assertThat(a.body().path("source").asString()).isIn("server", "cache");
                if (a.body().path("allowed").asBoolean()) {
                    assertThat(a.body().path("recorded").asBoolean()).isTrue();
                    admitted++;
                } else {
                    Answer serverSays = SidecarClient.post(
                            server.url(), "/v1/consume", consume("small", "d-" + i), ServerUnderTest.KEY);
                    assertThat(serverSays.body().path("allowed").asBoolean()).isFalse();
                    for (String field : List.of("reason", "limit", "boundBy", "recorded")) {
                        assertThat(a.body().path(field))
                                .as(field)
                                .isEqualTo(serverSays.body().path(field));
                    }
                    assertThat(a.body().path("reason").asString()).isEqualTo("LIMIT_EXCEEDED");
                    assertThat(a.body().path("source").asString())
                            .as("a refusal is the server's")
                            .isEqualTo("server");
                }
            }
            assertThat(admitted).isEqualTo(10);

            Answer ghost = SidecarClient.post(
                    url(sidecar), "/v1/check", "{\"customerId\": \"ghost\", \"feature\": \"sso\"}", null);
            Answer ghostDirect = SidecarClient.post(
                    server.url(),
                    "/v1/check",
                    "{\"customerId\": \"ghost\", \"feature\": \"sso\"}",
                    ServerUnderTest.KEY);
            assertThat(ghost.status()).isEqualTo(ghostDirect.status()).isEqualTo(404);
            assertThat(ghost.body().path("error")).isEqualTo(ghostDirect.body().path("error"));
        }
        assertThat(server.usage("small", "queries"))
                .as("the leases were returned with exactly what was admitted")
                .isEqualByComparingTo("10");
    }

    @Test
    void bad_input_is_refused_with_the_servers_status_code_and_field() {
        List<String[]> cases = List.of(
                new String[] {"/v1/check", "{\"customerId\": \"acme\"}"},
                new String[] {"/v1/check", "{\"customerId\": \"acme\", \"feature\": \"sso\", \"colour\": \"red\"}"},
                new String[] {"/v1/check", "{\"customerId\": \"a b\", \"feature\": \"sso\"}"},
                new String[] {
                    "/v1/consume",
                    "{\"customerId\": \"acme\", \"feature\": \"queries\", \"quantity\": -1,"
                            + " \"idempotencyKey\": \"k\"}"
                },
                new String[] {"/v1/consume", "{\"customerId\": \"acme\", \"feature\": \"queries\"}"},
                new String[] {"/v1/events", "{}"},
                new String[] {"/v1/sessions", "{\"customerId\": \"acme\", \"feature\": \"queries\", \"amount\": 5}"},
                new String[] {"/v1/check", "not json"});
        try (Sidecar sidecar = sidecar()) {
            for (String[] c : cases) {
                Answer direct = SidecarClient.post(server.url(), c[0], c[1], ServerUnderTest.KEY);
                Answer via = SidecarClient.post(url(sidecar), c[0], c[1], null);
                assertThat(direct.status()).as(c[1]).isEqualTo(400);
                assertThat(via.status()).as(c[1]).isEqualTo(400);
                assertThat(via.body()).as(c[1]).isEqualTo(direct.body());
            }
        }
    }

    @Test
    void sessions_and_events_go_through_the_sidecar() {
        try (Sidecar sidecar = sidecar()) {
            Answer opened = SidecarClient.post(
                    url(sidecar),
                    "/v1/sessions",
                    "{\"customerId\": \"acme\", \"feature\": \"queries\", \"amount\": 5, \"ttlSeconds\": 60,"
                            + " \"idempotencyKey\": \"s-1\"}",
                    null);
            assertThat(opened.status()).isEqualTo(201);
            assertThat(opened.body().path("opened").asBoolean()).isTrue();
            String id = opened.body().path("sessionId").asString();

            Answer closed = SidecarClient.post(url(sidecar), "/v1/sessions/" + id + "/close", "{\"used\": 2}", null);
            assertThat(closed.status()).isEqualTo(200);
            assertThat(closed.body().path("status").asString()).isEqualTo("closed");
            assertThat(closed.body().path("consumed").decimalValue()).isEqualByComparingTo("2");
            Answer quoted = SidecarClient.post(
                    url(sidecar),
                    "/v1/sessions",
                    "{\"customerId\": \"acme\", \"feature\": \"queries\", \"amount\": 5, \"ttlSeconds\": 60,"
                            + " \"quote\": true, \"idempotencyKey\": \"s-2\"}",
                    null);
            assertThat(quoted.status()).as("a quote is the server's to give").isEqualTo(400);
            assertThat(quoted.body().path("error").path("code").asString()).isEqualTo("NOT_SUPPORTED");
            assertThat(quoted.body().path("error").path("field").asString()).isEqualTo("quote");

            String events = "{\"events\": [{\"idempotencyKey\": \"e-1\", \"customerId\": \"acme\", \"feature\":"
                    + " \"queries\", \"quantity\": 3}, {\"customerId\": \"acme\", \"feature\": \"queries\"}]}";
            Answer via = SidecarClient.post(url(sidecar), "/v1/events", events, null);
            assertThat(via.status()).isEqualTo(200);
            assertThat(via.body().path("accepted").asInt()).isEqualTo(1);
            assertThat(via.body().path("rejected").asInt()).isEqualTo(1);
            Answer again = SidecarClient.post(server.url(), "/v1/events", events, ServerUnderTest.KEY);
            assertThat(again.body().path("duplicates").asInt())
                    .as("recorded once, by the sidecar")
                    .isEqualTo(1);
            assertThat(via.body().path("results").get(1))
                    .isEqualTo(again.body().path("results").get(1));
        }
        assertThat(server.usage("acme", "queries")).isEqualByComparingTo("5");
    }

    @Test
    void with_the_server_gone_a_cached_feature_answers_from_cache_and_a_cold_miss_from_the_fallback_file()
            throws Exception {
        Path file = Files.writeString(
                dir.resolve("fallback.json"),
                "{\"default\": \"closed\", \"features\": {\"audit-log\": {\"allowed\": true}}}");
        SidecarConfig config = SidecarConfig.of(URI.create(server.url()), ServerUnderTest.KEY, 0)
                .withFallback(FallbackFile.read(file));
        try (Sidecar sidecar = Sidecar.start(config)) {
            JsonNode before = check(sidecar, "acme", "sso");
            assertThat(before.path("source").asString()).isEqualTo("cache");

            server.stop();

            JsonNode cached = check(sidecar, "acme", "sso");
            assertThat(cached.path("allowed").asBoolean()).isTrue();
            assertThat(cached.path("source").asString()).isEqualTo("cache");
            JsonNode open = check(sidecar, "ghost", "audit-log");
            assertThat(open.path("allowed").asBoolean()).isTrue();
            assertThat(open.path("source").asString()).isEqualTo("fallback");
            JsonNode closed = check(sidecar, "ghost", "sso");
            assertThat(closed.path("allowed").asBoolean()).isFalse();
            assertThat(closed.path("reason").asString()).isEqualTo("UNAVAILABLE");
            assertThat(closed.path("source").asString()).isEqualTo("fallback");
        }
    }

    private static JsonNode check(Sidecar sidecar, String customer, String feature) {
        Answer a = SidecarClient.post(
                url(sidecar),
                "/v1/check",
                "{\"customerId\": \"" + customer + "\", \"feature\": \"" + feature + "\"}",
                null);
        assertThat(a.status()).as("%s", a.body()).isEqualTo(200);
        return a.body();
    }

    private static String consume(String customer, String key) {
        return "{\"customerId\": \"" + customer
                + "\", \"feature\": \"queries\", \"quantity\": 1, \"idempotencyKey\": \"" + key + "\"}";
    }
}
