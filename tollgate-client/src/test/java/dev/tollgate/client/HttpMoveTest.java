package dev.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server of a cluster answers {@code 503 NOT_OWNER} while the customer moves: the SDK sends the call again (nothing
 * was applied), and gives up as unavailable once its timeout would be passed. A real local HTTP server plays the
 * cluster's node.
 */
final class HttpMoveTest {
    private final HttpServer server;
    private final AtomicInteger calls = new AtomicInteger();
    private volatile int refusals;
    private volatile String refusalCode = "NOT_OWNER";

    HttpMoveTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/consume", exchange -> {
            int n = calls.incrementAndGet();
            boolean refuse = n <= refusals;
            byte[] body = (refuse
                            ? "{\"error\":{\"code\":\"" + refusalCode + "\",\"message\":\"moving\"}}"
                            : "{\"allowed\":true}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(refuse ? 503 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Http http(Duration timeout) {
        return new Http(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "tg_sk_x", timeout, () -> {});
    }

    @Test
    void a_call_refused_during_a_move_is_sent_again_and_answered() {
        refusals = 2;
        Http.Reply reply = http(Duration.ofSeconds(5)).send("POST", "/v1/consume", java.util.Map.of("k", 1));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void an_owner_that_cannot_be_reached_is_tried_again_too() {
        refusals = 1;
        refusalCode = "OWNER_UNREACHABLE";
        assertThat(http(Duration.ofSeconds(5))
                        .send("POST", "/v1/consume", java.util.Map.of("k", 1))
                        .status())
                .isEqualTo(200);
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void a_move_longer_than_the_timeout_fails_the_call_as_unavailable() {
        refusals = Integer.MAX_VALUE;
        assertThatThrownBy(() -> http(Duration.ofSeconds(3)).send("POST", "/v1/consume", java.util.Map.of("k", 1)))
                .isInstanceOf(TollgateUnavailableException.class)
                .hasMessageContaining("moving");
        assertThat(calls.get())
                .as("tried again, never past the timeout (waits of 100, 200, 400, 800 ms; 1.6 s more would pass 3 s)")
                .isBetween(2, 5);
    }

    @Test
    void another_503_is_not_sent_again() {
        refusals = 1;
        refusalCode = "STORE_UNAVAILABLE";
        assertThatThrownBy(() -> http(Duration.ofSeconds(5)).send("POST", "/v1/consume", java.util.Map.of("k", 1)))
                .isInstanceOf(TollgateUnavailableException.class);
        assertThat(calls.get()).isEqualTo(1);
    }
}
