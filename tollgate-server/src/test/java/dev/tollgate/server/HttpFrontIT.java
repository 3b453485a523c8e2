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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
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
        h = new Harness(
                dir,
                Instant.parse("2026-01-06T10:00:00Z"),
                c -> c.toBuilder().idleTimeoutSeconds(2).build());
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

    /**
     * A request target that is not a path (no leading {@code /}: {@code Xv1/keys}, {@code v1/keys}, the absolute form
     * {@code http://host/v1/keys}, {@code *}) is refused from its head and reaches no route: {@code Xv1/keys} used to
     * skip the key check (only paths starting {@code /v1} needed one) and still route to {@code POST /v1/keys}, so
     * anyone could make a secret key.
     */
    @Test
    void a_request_target_that_is_not_a_path_is_refused_and_reaches_no_route() throws IOException {
        String body = "{\"kind\":\"secret\",\"name\":\"intruder\"}";
        for (String target : new String[] {"Xv1/keys", "v1/keys", "http://x/v1/keys", "*", "?/v1/keys"}) {
            Raw r = exchangeExpectingClose(
                    "POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + "Content-Length: "
                            + body.length() + "\r\n\r\n" + body);
            assertThat(r.status()).as(target).isEqualTo(400);
            assertThat(r.body()).as(target).contains("\"code\":\"MALFORMED_REQUEST\"");
        }
        Raw unauthenticated = exchangeExpectingClose("GET Xv1/customers HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(unauthenticated.status()).isEqualTo(400);
        ApiClient.Reply keys = h.get("/v1/keys");
        assertThat(keys.status()).isEqualTo(200);
        assertThat(keys.text()).as("no key was made").doesNotContain("intruder");
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

    @Test
    void a_head_trickling_in_past_the_header_deadline_is_answered_408_and_closed() throws Exception {
        restart(c ->
                c.toBuilder().headerTimeoutSeconds(1).bodyTimeoutSeconds(60).build());
        try (Socket s = connect()) {
            s.setSoTimeout(30_000);
            Thread trickle = trickle(s, "GET /health HTTP/1.1\r\nHost: x\r\n", "X-Slow: y\r\n");
            InputStream in = s.getInputStream();
            Raw r = read(in);
            assertThat(r.status())
                    .as("regression: a head sent a line at a time held the connection forever")
                    .isEqualTo(408);
            assertThat(r.body()).contains("\"code\":\"REQUEST_TIMEOUT\"");
            assertThat(closed(in)).as("closed after the answer").isTrue();
            trickle.join(30_000);
        }
    }

    @Test
    void a_new_connection_that_sends_nothing_is_closed_after_the_header_deadline_without_an_answer()
            throws IOException {
        restart(c ->
                c.toBuilder().headerTimeoutSeconds(1).bodyTimeoutSeconds(60).build());
        try (Socket s = connect()) {
            s.setSoTimeout(30_000);
            assertThat(s.getInputStream().read())
                    .as("regression: a connection that sent nothing stayed open for the idle timeout")
                    .isEqualTo(-1);
        }
    }

    @Test
    void a_body_trickling_in_past_the_body_deadline_is_answered_408_and_closed() throws Exception {
        restart(c ->
                c.toBuilder().headerTimeoutSeconds(60).bodyTimeoutSeconds(1).build());
        try (Socket s = connect()) {
            s.setSoTimeout(30_000);
            Thread trickle = trickle(
                    s,
                    "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ApiClient.KEY
                            + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n",
                    " ");
            InputStream in = s.getInputStream();
            Raw r = read(in);
            assertThat(r.status()).isEqualTo(408);
            assertThat(closed(in)).as("closed after the answer").isTrue();
            trickle.join(30_000);
        }
    }

    @Test
    void a_connection_kept_alive_between_requests_is_not_held_to_the_header_deadline() throws IOException {
        restart(c -> c.toBuilder().headerTimeoutSeconds(1).bodyTimeoutSeconds(1).build());
        try (Socket s = connect()) {
            String health = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
            s.getOutputStream().write(health.getBytes(StandardCharsets.US_ASCII));
            assertThat(read(s.getInputStream()).status()).isEqualTo(200);
            LockSupport.parkNanos(2_500_000_000L);
            s.getOutputStream().write(health.getBytes(StandardCharsets.US_ASCII));
            assertThat(read(s.getInputStream()).status())
                    .as("an idle keep-alive connection waits for the idle timeout, not the header deadline")
                    .isEqualTo(200);
        }
    }

    @Test
    void connections_beyond_the_limit_are_closed_at_once_while_those_within_it_still_work() throws Exception {
        restart(c -> c.toBuilder().maxConnections(20).build());
        String health = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = connect();
                open.add(s);
                s.getOutputStream().write(health.getBytes(StandardCharsets.US_ASCII));
                assertThat(read(s.getInputStream()).status()).isEqualTo(200);
            }
            for (int i = 0; i < 5; i++) {
                try (Socket over = connect()) {
                    assertThat(closedByServer(over))
                            .as("regression: connection %d beyond the limit was served", i + 1)
                            .isTrue();
                }
            }
            for (Socket s : open) {
                s.getOutputStream().write(health.getBytes(StandardCharsets.US_ASCII));
                assertThat(read(s.getInputStream()).status())
                        .as("the connections within the limit still work")
                        .isEqualTo(200);
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            try (Socket s = connect()) {
                s.getOutputStream().write(health.getBytes(StandardCharsets.US_ASCII));
                assertThat(read(s.getInputStream()).status())
                        .as("closed connections make room")
                        .isEqualTo(200);
            }
        });
    }

    @Test
    void an_unauthenticated_request_is_401_and_closed_before_its_body_is_sent() throws IOException {
        for (String auth : new String[] {"", "Authorization: Bearer tg_sk_wrong\r\n"}) {
            Raw r = exchangeExpectingClose("POST /v1/events HTTP/1.1\r\nHost: x\r\n" + auth
                    + "Content-Type: application/json\r\nContent-Length: 8000000\r\n\r\n");
            assertThat(r.status())
                    .as("regression: the server waited for (and buffered) the whole body before checking the key")
                    .isEqualTo(401);
            assertThat(r.body()).contains("\"code\":\"UNAUTHENTICATED\"");
            assertThat(r.headers()).contains("connection: close");
        }
    }

    @Test
    void an_unauthenticated_request_announcing_expect_100_continue_gets_no_100_but_a_401() throws IOException {
        Raw r = exchangeExpectingClose("""
                PUT /v1/catalog HTTP/1.1\r
                Host: x\r
                Expect: 100-continue\r
                Content-Type: application/json\r
                Content-Length: 1000\r
                \r
                """);
        assertThat(r.status()).isEqualTo(401);
    }

    @Test
    void every_v1_path_without_a_valid_key_is_401_whatever_the_route_or_method() throws IOException {
        for (String head : new String[] {
            "DELETE /v1/check", "GET /v1/nope", "GET /v1", "GET /v1/", "POST /v1/customers/acme/nothing/here"
        }) {
            Raw r = exchangeExpectingClose(head + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(r.status())
                    .as("regression: %s was answered 404/405 before the key was checked", head)
                    .isEqualTo(401);
        }
        assertThat(exchange("GET /v1/nope HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ApiClient.KEY + "\r\n\r\n")
                        .status())
                .as("with the key, an unknown route is still 404")
                .isEqualTo(404);
    }

    @Test
    void on_one_connection_a_wrong_key_after_the_right_one_is_still_refused() throws IOException {
        String good = "GET /v1/catalog HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ApiClient.KEY + "\r\n\r\n";
        for (String wrong :
                new String[] {ApiClient.KEY + "x", ApiClient.KEY.substring(1), "", "Basic " + ApiClient.KEY}) {
            try (Socket s = connect()) {
                InputStream in = s.getInputStream();
                s.getOutputStream().write(good.getBytes(StandardCharsets.US_ASCII));
                assertThat(read(in).status()).isEqualTo(200);
                s.getOutputStream().write(good.getBytes(StandardCharsets.US_ASCII));
                assertThat(read(in).status()).as("the same key again").isEqualTo(200);
                String header = wrong.startsWith("Basic ") ? wrong : "Bearer " + wrong;
                s.getOutputStream()
                        .write(("GET /v1/catalog HTTP/1.1\r\nHost: x\r\nAuthorization: " + header + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                assertThat(read(in).status()).as("then %s", header).isEqualTo(401);
            }
        }
    }

    /** Restarts the server on the same data with other settings. */
    private void restart(java.util.function.UnaryOperator<ServerConfig> tweak) {
        h.close();
        h = new Harness(dir, Instant.parse("2026-01-06T10:00:00Z"), tweak);
    }

    /** Sends {@code head}, then {@code each} every 100 ms until the server closes (or 30 s pass). */
    private static Thread trickle(Socket s, String head, String each) {
        Thread t = new Thread(() -> {
            try {
                OutputStream out = s.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 300; i++) {
                    LockSupport.parkNanos(100_000_000L);
                    out.write(each.getBytes(StandardCharsets.US_ASCII));
                }
            } catch (IOException closed) {
                // the server closed the connection: what the test waits for
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Whether the connection is closed: the end of the stream, or a reset when the server closed while the client was
     * still sending.
     */
    private static boolean closed(InputStream in) {
        try {
            return in.read() == -1;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Whether the server closes {@code s} without answering a request sent on it. */
    private static boolean closedByServer(Socket s) throws IOException {
        try {
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException reset) {
            return true;
        }
        return closed(s.getInputStream());
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
