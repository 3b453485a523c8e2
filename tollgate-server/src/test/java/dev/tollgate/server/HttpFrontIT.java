package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP layer itself, over raw sockets: pipelining order, routing edges, malformed HTTP, connection handling. */
final class HttpFrontIT {
    @TempDir
    Path dir;

    Harness h;

    @BeforeEach
    void start() {
        h = new Harness(dir, Instant.parse("2026-01-06T10:00:00Z"));
        h.applySampleCatalog();
        h.customerOn("acme", "free");
    }

    @AfterEach
    void stop() {
        assertThat(h.get("/health").status()).isEqualTo(200);
        h.close();
    }

    /** A raw answer: status line, lower-cased header block, body. */
    record Raw(int status, String headers, String body) {}

    @Test
    void pipelined_requests_are_answered_in_request_order_although_the_write_completes_last() throws IOException {
        String consume = post(
                "/v1/consume",
                "{\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"quantity\":3,\"idempotencyKey\":\"p-1\"}");
        String check = post("/v1/check", "{\"customerId\":\"acme\",\"feature\":\"ai-queries\"}");
        String health = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
        try (Socket s = connect()) {
            s.getOutputStream().write((consume + check + health).getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            Raw first = read(in);
            Raw second = read(in);
            Raw third = read(in);
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).contains("\"recorded\":true");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.body()).contains("\"allowed\":true").doesNotContain("recorded");
            assertThat(third.body()).isEqualTo("{\"status\":\"ok\"}");
        }
        assertThat(h.check("acme", "ai-queries").decimal("used")).isEqualByComparingTo("3");
    }

    @Test
    @Timeout(120)
    void a_client_that_pipelines_without_reading_is_no_longer_read_and_then_gets_every_answer_in_order()
            throws Exception {
        byte[] check = post("/v1/check", "{\"customerId\":\"acme\",\"feature\":\"ai-queries\"}")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer batch = ByteBuffer.allocate(check.length * 1000);
        while (batch.hasRemaining()) {
            batch.put(check);
        }
        // loopback socket buffers hold a few MB at most: a server that reads on regardless takes all 64 MB
        long cap = 64L * 1024 * 1024;
        long sent = 0;
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", h.port()))) {
            ch.configureBlocking(false);
            long stalledSince = 0;
            while (sent < cap) {
                if (!batch.hasRemaining()) {
                    batch.flip();
                }
                int n = ch.write(batch);
                sent += n;
                if (n > 0) {
                    stalledSince = 0;
                } else if (stalledSince == 0) {
                    stalledSince = System.nanoTime();
                } else if (System.nanoTime() - stalledSince > 3_000_000_000L) {
                    break;
                } else {
                    LockSupport.parkNanos(1_000_000L);
                }
            }
            // regression: the server read everything and held every answer in memory, so writes never stalled
            assertThat(sent)
                    .as("the server stopped reading a client that does not read")
                    .isLessThan(cap);
            long requests = (sent + check.length - 1) / check.length;
            ByteBuffer rest = ByteBuffer.wrap(
                    check, (int) (sent % check.length), (int) ((check.length - sent % check.length) % check.length));
            ch.configureBlocking(true);
            ch.socket().setSoTimeout(10_000);
            AtomicReference<IOException> finishing = new AtomicReference<>();
            Thread finisher = new Thread(() -> {
                try {
                    while (rest.hasRemaining()) {
                        ch.write(rest);
                    }
                } catch (IOException e) {
                    finishing.set(e);
                }
            });
            finisher.start();
            InputStream in = new BufferedInputStream(ch.socket().getInputStream());
            for (long i = 0; i < requests; i++) {
                Raw answer = read(in);
                assertThat(answer.status()).as("answer %d of %d", i, requests).isEqualTo(200);
                assertThat(answer.body()).contains("\"allowed\":true");
            }
            finisher.join(10_000);
            assertThat(finisher.isAlive()).isFalse();
            assertThat(finishing.get()).isNull();
        }
    }

    @Test
    void a_connection_idle_for_the_timeout_is_closed_and_one_in_use_is_not() throws IOException {
        h.close();
        h = new Harness(dir, Instant.parse("2026-01-06T10:00:00Z"), c -> c.withIdleTimeoutSeconds(2));
        try (Socket idle = connect();
                Socket busy = connect()) {
            long opened = System.nanoTime();
            String health = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
            while (System.nanoTime() - opened < 4_500_000_000L) {
                busy.getOutputStream().write(health.getBytes(StandardCharsets.US_ASCII));
                assertThat(read(busy.getInputStream()).status()).isEqualTo(200);
                LockSupport.parkNanos(200_000_000L);
            }
            assertThat(idle.getInputStream().read())
                    .as("the idle connection was closed by the server")
                    .isEqualTo(-1);
            busy.getOutputStream().write(health.getBytes(StandardCharsets.US_ASCII));
            assertThat(read(busy.getInputStream()).status())
                    .as("the connection in use all along still answers")
                    .isEqualTo(200);
        }
    }

    @Test
    void nothing_pipelined_after_connection_close_is_executed() throws IOException {
        String last = post(
                        "/v1/consume",
                        "{\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"quantity\":1,\"idempotencyKey\":\"c-1\"}")
                .replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n");
        String after = post(
                "/v1/consume",
                "{\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"quantity\":5,\"idempotencyKey\":\"c-2\"}");
        Raw answer;
        try (Socket s = connect()) {
            s.getOutputStream().write((last + after).getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            answer = read(in);
            assertThat(in.read())
                    .as("closed after the answer to the request that asked for it")
                    .isEqualTo(-1);
        }
        assertThat(answer.status()).isEqualTo(200);
        assertThat(h.check("acme", "ai-queries").decimal("used"))
                .as("regression: the request after Connection: close was executed and never answered")
                .isEqualByComparingTo("1");
    }

    @Test
    void an_oversized_body_announced_with_expect_100_continue_is_413_with_the_code_and_closes() throws IOException {
        Raw r = exchangeExpectingClose("POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ApiClient.KEY
                + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "
                + (9 * 1024 * 1024) + "\r\n\r\n");
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.body()).contains("\"code\":\"BODY_TOO_LARGE\"");
    }

    @Test
    void a_known_path_with_another_method_is_405_and_an_unknown_one_404() throws IOException {
        Raw wrong =
                exchange("DELETE /v1/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ApiClient.KEY + "\r\n\r\n");
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.body()).contains("\"code\":\"METHOD_NOT_ALLOWED\"");
        Raw unknown = exchange("GET /v2/check HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("\"code\":\"ROUTE_NOT_FOUND\"");
    }

    @Test
    void a_trailing_slash_and_percent_encoded_path_segments_reach_the_route() {
        assertThat(h.post("/v1/check/", java.util.Map.of("customerId", "acme", "feature", "ai-queries"))
                        .status())
                .isEqualTo(200);
        ApiClient.Reply encoded = h.get("/v1/customers/ac%6De");
        assertThat(encoded.status()).as(encoded.text()).isEqualTo(200);
        assertThat(encoded.text()).contains("\"acme\"");
    }

    @Test
    void malformed_percent_encoding_in_the_path_is_400_with_the_parameter() throws IOException {
        Raw r = exchange(
                "GET /v1/customers/ac%zz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ApiClient.KEY + "\r\n\r\n");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("\"code\":\"MALFORMED_PATH\"").contains("\"field\":\"customerId\"");
    }

    @Test
    void an_oversized_body_is_413_and_a_keep_alive_connection_goes_on_after_it() throws IOException {
        int size = 9 * 1024 * 1024;
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ApiClient.KEY
                            + "\r\nContent-Type: application/json\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            for (int sent = 0; sent < size; sent += chunk.length) {
                out.write(chunk, 0, Math.min(chunk.length, size - sent));
            }
            out.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            Raw tooLarge = read(in);
            assertThat(tooLarge.status())
                    .as("regression: the connection was closed at once, resetting a client still sending")
                    .isEqualTo(413);
            assertThat(tooLarge.body()).contains("\"code\":\"BODY_TOO_LARGE\"");
            assertThat(read(in).status())
                    .as("the rest of the body was discarded")
                    .isEqualTo(200);
        }
    }

    @Test
    void garbage_instead_of_http_is_400_and_closes_only_that_connection() throws IOException {
        Raw r = exchangeExpectingClose("THIS IS NOT HTTP AT ALL\r\n\r\n");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("\"code\":\"MALFORMED_REQUEST\"");
    }

    @Test
    void http_1_0_without_keep_alive_gets_its_answer_and_the_connection_closes() throws IOException {
        assertThat(exchangeExpectingClose("GET /health HTTP/1.0\r\n\r\n").status())
                .isEqualTo(200);
    }

    private static String post(String path, String json) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ApiClient.KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
    }

    private Raw exchange(String request) throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            return read(s.getInputStream());
        }
    }

    /** Sends {@code request}, reads one response and asserts that the server then closes the connection. */
    private Raw exchangeExpectingClose(String request) throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            Raw r = read(in);
            assertThat(in.read()).as("connection closed").isEqualTo(-1);
            return r;
        }
    }

    /** A socket to the server whose reads give up after 10 s instead of hanging the build. */
    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", h.port());
        s.setSoTimeout(10_000);
        return s;
    }

    /** Reads one response with a Content-Length body. */
    private static Raw read(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            assertThat(b).as("the server answered before closing").isNotEqualTo(-1);
            if (b == '\n') {
                String text = line.toString(StandardCharsets.US_ASCII).stripTrailing();
                line.reset();
                if (text.isEmpty()) {
                    break;
                }
                lines.add(text);
            } else {
                line.write(b);
            }
        }
        int status = Integer.parseInt(lines.get(0).split(" ")[1]);
        int length = 0;
        StringBuilder headers = new StringBuilder();
        for (String header : lines.subList(1, lines.size())) {
            String lower = header.toLowerCase(Locale.ROOT);
            headers.append(lower).append('\n');
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(
                        lower.substring("content-length:".length()).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return new Raw(status, headers.toString(), new String(body, StandardCharsets.UTF_8));
    }
}
