package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.core.json.Json;
import dev.tollgate.server.JvmCluster.Node;
import dev.tollgate.server.auth.CustomerTokens;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20 with several servers: two servers on one PostgreSQL schema, in this JVM. A key or portal session made
 * through one is in force on the other as soon as it is answered; one revoked through either is refused by both as
 * soon as the revocation is answered, on a connection that used it a moment before too; a portal token is answered for
 * its customer by any server, and refused another customer by any.
 */
final class ClusterKeysIT {
    private JvmCluster cluster;
    private List<Node> nodes;

    @BeforeEach
    void start() throws Exception {
        cluster = JvmCluster.start(2);
        nodes = cluster.nodes();
        assertThat(nodes.get(0).applySampleCatalog().status()).isEqualTo(200);
        for (String c : List.of("acme", "globex")) {
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(nodes.get(1)
                                    .put("/v1/customers/" + c, Map.of("name", c))
                                    .status())
                            .isEqualTo(200));
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(nodes.get(1)
                                    .put("/v1/customers/" + c + "/subscription", Map.of("plan", "pro"))
                                    .status())
                            .isEqualTo(200));
        }
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Map<String, String> bearer(String credential) {
        return Map.of("Authorization", "Bearer " + credential);
    }

    @Test
    void a_key_made_through_one_server_works_on_every_server_and_once_revoked_on_none() throws Exception {
        ApiClient.Reply made = nodes.get(0).post("/v1/keys", Map.of("kind", "secret", "name", "fleet"));
        assertThat(made.status()).as(made.text()).isEqualTo(201);
        String key = (String) made.get("key");
        for (Node n : nodes) {
            assertThat(n.call("GET", "/v1/catalog", null, bearer(key)).status())
                    .as("in force on every server as soon as it is answered")
                    .isEqualTo(200);
        }
        try (Socket kept = new Socket("127.0.0.1", nodes.get(0).port())) {
            assertThat(rawGet(kept, key)).startsWith("HTTP/1.1 200");
            ApiClient.Reply revoked = nodes.get(1).delete("/v1/keys/" + made.get("id"));
            assertThat(revoked.status()).as(revoked.text()).isEqualTo(200);
            assertThat(rawGet(kept, key))
                    .as("the other server, on a connection that used the key a moment before")
                    .startsWith("HTTP/1.1 401")
                    .contains("CREDENTIAL_REVOKED");
        }
        for (Node n : nodes) {
            ApiClient.Reply r = n.call("GET", "/v1/catalog", null, bearer(key));
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.error()).containsEntry("code", "CREDENTIAL_REVOKED");
        }
        assertThat(nodes.get(0).get("/v1/keys").text())
                .as("both servers list the same keys")
                .isEqualTo(nodes.get(1).get("/v1/keys").text());
    }

    /** The merged feed of a cluster ends when its key is revoked, as one server's feed does ({@code ChangeFeedIT}). */
    @Test
    void a_cluster_feed_whose_key_is_revoked_ends_without_sending_another_change() throws Exception {
        ApiClient.Reply made = nodes.get(0).post("/v1/keys", Map.of("kind", "secret", "name", "feed reader"));
        assertThat(made.status()).as(made.text()).isEqualTo(201);
        try (EventStream s = EventStream.open(
                nodes.get(0).port(), "/v1/stream?customers=acme,globex", null, (String) made.get("key"))) {
            assertThat(List.of(s.next().customerId(), s.next().customerId()))
                    .as("the snapshot, from both owners")
                    .containsExactlyInAnyOrder("acme", "globex");
            assertThat(nodes.get(1).delete("/v1/keys/" + made.get("id")).status())
                    .isEqualTo(200);
            for (String c : List.of("acme", "globex")) {
                assertThat(nodes.get(1)
                                .put("/v1/customers/" + c + "/subscription", Map.of("plan", "free"))
                                .status())
                        .isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(30)).until(s::ended);
            assertThat(s.drain())
                    .as("a change made after the revocation is never sent; one state made before it may still have"
                            + " been on its way (a merged feed can send a customer's state again after its snapshot)")
                    .allSatisfy(e -> assertThat(Json.write(e.data())).doesNotContain("plan:free"));
        }
    }

    @Test
    void a_portal_token_and_a_publishable_key_answer_on_every_server_for_their_customer_only() {
        ApiClient.Reply pk = nodes.get(1).post("/v1/keys", Map.of("kind", "publishable", "name", "web"));
        String token = CustomerTokens.token((String) pk.get("signingSecret"), "acme");
        ApiClient.Reply portal = nodes.get(0).post("/v1/portal-sessions", Map.of("customerId", "acme"));
        assertThat(portal.status()).as(portal.text()).isEqualTo(201);
        String portalToken = (String) portal.get("token");
        for (Node n : nodes) {
            ApiClient.Reply read = n.call(
                    "GET",
                    "/v1/public/customers/acme/entitlements",
                    null,
                    Map.of("Authorization", "Bearer " + pk.get("key"), "X-Customer-Token", token));
            assertThat(read.status()).as(read.text()).isEqualTo(200);
            ApiClient.Reply who = n.call("GET", "/v1/portal/session", null, bearer(portalToken));
            assertThat(who.status()).as(who.text()).isEqualTo(200);
            assertThat(who.body()).containsEntry("customerId", "acme").containsEntry("customerName", "acme");
            for (String path : List.of("/v1/customers/globex", "/v1/customers/globex/usage", "/v1/cluster")) {
                ApiClient.Reply other = n.call("GET", path, null, bearer(portalToken));
                assertThat(other.status()).as(path).isEqualTo(403);
            }
            assertThat(n.call("GET", "/v1/customers/acme/usage", null, bearer(portalToken))
                            .status())
                    .isEqualTo(200);
        }
        ApiClient.Reply revoked = nodes.get(1).delete("/v1/portal-sessions/" + portal.get("id"));
        assertThat(revoked.status()).as(revoked.text()).isEqualTo(200);
        for (Node n : nodes) {
            ApiClient.Reply r = n.call("GET", "/v1/customers/acme", null, bearer(portalToken));
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.error()).containsEntry("code", "CREDENTIAL_REVOKED");
        }
    }

    /**
     * A portal session is made and signed out by its customer's owner; through whichever server the request came, that
     * server accepts the new link and refuses the signed-out one as soon as it answered (it used to learn of either
     * only at its next reload, 2 s later, when the owner was the other server).
     */
    @Test
    void a_portal_link_made_or_signed_out_through_either_server_is_in_force_there_when_answered() {
        for (String customer : List.of("acme", "globex")) {
            for (Node through : nodes) {
                ApiClient.Reply made = through.post("/v1/portal-sessions", Map.of("customerId", customer));
                assertThat(made.status()).as(made.text()).isEqualTo(201);
                String token = (String) made.get("token");
                ApiClient.Reply who = through.call("GET", "/v1/portal/session", null, bearer(token));
                assertThat(who.status())
                        .as("%s's new link, through the server that made it: %s", customer, who.text())
                        .isEqualTo(200);
                ApiClient.Reply out = through.call("DELETE", "/v1/portal/session", null, bearer(token));
                assertThat(out.status()).as(out.text()).isEqualTo(200);
                ApiClient.Reply after = through.call("GET", "/v1/portal/session", null, bearer(token));
                assertThat(after.status())
                        .as("%s's signed-out link, through the server that signed it out: %s", customer, after.text())
                        .isEqualTo(401);
                assertThat(after.error()).containsEntry("code", "CREDENTIAL_REVOKED");
            }
        }
    }

    /** One {@code GET /v1/catalog} on a kept-alive connection: its answer's head and the start of its body. */
    private static String rawGet(Socket socket, String key) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(("GET /v1/catalog HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        String text = head.toString();
        int at = text.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
        int length = at < 0
                ? 0
                : Integer.parseInt(
                        text.substring(at + 15, text.indexOf('\r', at)).trim());
        byte[] body = in.readNBytes(length);
        return text + new String(body, StandardCharsets.UTF_8);
    }
}
