package dev.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes of a cluster, played by real local HTTP servers: the node the client is configured with names another as
 * the customer's owner; the next calls go there; when the owner cannot be connected to, the call goes back to the
 * configured node; when that one cannot be connected to either, to another live node.
 */
final class HttpRoutingTest {
    private final Node entry = new Node();
    private final Node owner = new Node();

    /** A node answering every consume {@code 200}, naming {@code owner} as the customer's owner. */
    private final class Node {
        final HttpServer server;
        final AtomicInteger calls = new AtomicInteger();

        Node() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            server.createContext("/v1/consume", exchange -> {
                calls.incrementAndGet();
                byte[] body = "{\"allowed\":true}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                // no kept-alive connection: a call after stop() cannot be sent on one the client has not seen closed
                exchange.getResponseHeaders().add("Connection", "close");
                exchange.getResponseHeaders()
                        .add(Routes.OWNER_HEADER, url(owner).toString());
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        }
    }

    private static URI url(Node n) {
        return URI.create("http://127.0.0.1:" + n.server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        entry.server.stop(0);
        owner.server.stop(0);
    }

    private static Http.Reply consume(Http http) {
        return http.send("POST", "/v1/consume", Map.of("customerId", "acme", "quantity", 1));
    }

    @Test
    void calls_follow_the_owner_named_and_fall_back_when_it_cannot_be_reached() {
        Http http = new Http(url(entry), "tg_sk_x", Duration.ofSeconds(5), () -> {});
        assertThat(consume(http).status()).isEqualTo(200);
        assertThat(consume(http).status()).isEqualTo(200);
        assertThat(consume(http).status()).isEqualTo(200);
        assertThat(entry.calls)
                .as("the first call, whose answer named the owner")
                .hasValue(1);
        assertThat(owner.calls).as("the next ones, straight to the owner").hasValue(2);

        owner.server.stop(0);
        assertThat(consume(http).status())
                .as("the owner gone: sent to the entry node")
                .isEqualTo(200);
        assertThat(entry.calls).hasValue(2);
    }

    @Test
    void opening_a_connection_leaves_time_to_try_another_node() {
        assertThat(Http.connectTimeout(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(1));
        assertThat(Http.connectTimeout(Duration.ofMillis(300))).isEqualTo(Duration.ofMillis(100));
        assertThat(Http.connectTimeout(Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void without_direct_routing_every_call_goes_to_the_configured_node() {
        Http http = new Http(url(entry), "tg_sk_x", Duration.ofSeconds(5), () -> {}, false);
        consume(http);
        consume(http);
        assertThat(entry.calls).hasValue(2);
        assertThat(owner.calls).hasValue(0);
    }

    @Test
    void the_configured_node_gone_calls_go_to_another_live_node() {
        Http http = new Http(url(entry), "tg_sk_x", Duration.ofSeconds(5), () -> {}, false);
        http.routes().members(List.of(url(entry), url(owner)));
        entry.server.stop(0);
        assertThat(consume(http).status()).isEqualTo(200);
        assertThat(owner.calls).hasValue(1);
    }
}
