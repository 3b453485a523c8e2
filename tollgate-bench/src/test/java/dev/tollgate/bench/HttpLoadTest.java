package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The load generator against a real local HTTP server that counts what it received. */
final class HttpLoadTest {
    static {
        // the JDK server writes head and body apart; with Nagle on, each answer would wait for a delayed ACK (40 ms)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private HttpServer server;
    private ExecutorService pool;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong bodyBytes = new AtomicLong();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                bodyBytes.addAndGet(in.readAllBytes().length);
            }
            received.incrementAndGet();
            int status = exchange.getRequestURI().getPath().equals("/fail") ? 503 : 200;
            byte[] answer = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        pool = Executors.newFixedThreadPool(4);
        server.setExecutor(pool);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        pool.shutdownNow();
    }

    private HttpLoad load() {
        return new HttpLoad("127.0.0.1", server.getAddress().getPort());
    }

    @Test
    void closed_loop_counts_every_answer_the_server_gave() throws IOException {
        HttpLoad.Run run =
                load().saturate(8, 0, 0.5, seq -> HttpLoad.request("POST", "/ok", "{\"n\":" + seq + "}", "k"));

        assertThat(run.errors()).isZero();
        assertThat(run.requests()).isPositive();
        assertThat(run.ok()).as("every answer counted once").isEqualTo(received.get());
        assertThat(run.latencyNanos().getTotalCount()).isEqualTo(run.requests());
    }

    @Test
    void large_requests_are_written_whole_across_partial_writes() throws IOException {
        String big = "{\"pad\":\"" + "x".repeat(400_000) + "\"}";
        byte[] request = HttpLoad.request("POST", "/ok", big, null);
        HttpLoad.Run run = load().saturate(2, 0, 0.5, seq -> request);

        assertThat(run.errors()).isZero();
        assertThat(run.ok()).isPositive().isEqualTo(received.get());
        assertThat(bodyBytes.get()).isEqualTo(run.ok() * big.length());
    }

    @Test
    void connections_are_spread_round_robin_over_several_servers() throws IOException {
        AtomicLong second = new AtomicLong();
        HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        other.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            second.incrementAndGet();
            byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        other.setExecutor(pool);
        other.start();
        try {
            HttpLoad spread = new HttpLoad(
                    "127.0.0.1",
                    List.of(server.getAddress().getPort(), other.getAddress().getPort()));
            HttpLoad.Run run = spread.saturate(4, 0, 0.5, seq -> HttpLoad.request("GET", "/ok", null, null));

            assertThat(run.errors()).isZero();
            assertThat(received.get()).as("the first server answered").isPositive();
            assertThat(second.get()).as("the second server answered").isPositive();
            assertThat(received.get() + second.get()).isEqualTo(run.ok());
        } finally {
            other.stop(0);
        }
    }

    @Test
    void non_2xx_answers_are_errors() throws IOException {
        HttpLoad.Run run = load().saturate(2, 0, 0.3, seq -> HttpLoad.request("GET", "/fail", null, null));

        assertThat(run.requests()).isPositive();
        assertThat(run.errors()).isEqualTo(run.requests());
        assertThat(run.ok()).isZero();
    }

    @Test
    void open_loop_sends_at_the_rate_asked_and_no_faster() throws IOException {
        HttpLoad.Run run = load().constantRate(4, 400, 0, 1.0, seq -> HttpLoad.request("GET", "/ok", null, null));

        assertThat(run.errors()).isZero();
        assertThat(run.requests())
                .as("400/s for 1 s: never more than due, most of it even on a busy machine")
                .isBetween(200L, 401L);
    }
}
