package dev.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client side of the change feed against a stand-in for the server's {@code GET /v1/stream} that speaks its wire
 * format ({@code docs/api.md}: snapshot, then changes, {@code id} = cursor, keep-alive comments) and drops the
 * connection where the test says: a dropped connection resumes from the last cursor. {@code ChangeFeedIT} runs the
 * same client against the real server.
 */
final class ChangeFeedTest {
    private HttpServer fake;
    private final List<String> streamQueries = new CopyOnWriteArrayList<>();
    private final List<String> lastEventIds = new CopyOnWriteArrayList<>();
    private final CountDownLatch end = new CountDownLatch(1);

    private static String list(boolean sso) {
        return "[{\"feature\":\"sso\",\"type\":\"boolean\",\"source\":\"plan\",\"enabled\":" + sso + "}]";
    }

    private static String entitlements(boolean sso) {
        return "{\"customerId\":\"acme\",\"entitlements\":" + list(sso) + "}";
    }

    private static String state(String cursor, boolean sso) {
        return "id: " + cursor + "\nevent: state\ndata: {\"customerId\":\"acme\",\"cursor\":\"" + cursor
                + "\",\"exists\":true,\"entitlements\":" + list(sso) + "}\n\n";
    }

    @BeforeEach
    void start() throws IOException {
        fake = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        fake.setExecutor(Executors.newCachedThreadPool());
        fake.createContext("/v1/customers/acme/entitlements", ex -> answer(ex, "application/json", entitlements(true)));
        fake.createContext("/v1/stream", this::stream);
        fake.start();
    }

    @AfterEach
    void stop() {
        end.countDown();
        fake.stop(0);
    }

    private void stream(HttpExchange ex) throws IOException {
        streamQueries.add(ex.getRequestURI().getQuery());
        String lastId = ex.getRequestHeaders().getFirst("Last-Event-ID");
        lastEventIds.add(lastId == null ? "" : lastId);
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            if (streamQueries.size() == 1) {
                // the snapshot, a change, then the connection drops
                write(out, state("5", true) + ": keep-alive\n\n" + state("7", false));
                return;
            }
            write(out, state("9", true));
            end.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void answer(HttpExchange ex, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Test
    void the_cache_follows_the_feed_and_a_dropped_feed_resumes_from_its_last_cursor() {
        try (Tollgate tollgate = Tollgate.builder()
                .baseUrl("http://127.0.0.1:" + fake.getAddress().getPort())
                .apiKey("tg_sk_test")
                .cacheTtl(Duration.ofHours(1))
                .build()) {
            assertThat(tollgate.check("acme", "sso").allowed()).isTrue();

            await().atMost(Duration.ofSeconds(30)).until(() -> streamQueries.size() >= 2);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() ->
                            assertThat(tollgate.check("acme", "sso").allowed()).isTrue());

            assertThat(streamQueries.get(0)).isEqualTo("customers=acme");
            assertThat(streamQueries.get(1)).isEqualTo("customers=acme&since=7");
            assertThat(lastEventIds).containsExactly("", "7");
            Decision d = tollgate.check("acme", "sso");
            assertThat(d.source()).isEqualTo(Source.CACHE);
        }
    }
}
