package dev.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The reporter's lease events are bounded: while the server does not take them, at most {@code maxQueuedLeaseEvents}
 * wait (in the queue or in flight) and the rest are folded into their lease's close, their fate settled at once. A real
 * local HTTP server plays {@code POST /v1/events}, holding its answers until the test lets them go.
 */
final class ReporterBacklogTest {
    private static final long FAR = Long.MAX_VALUE / 2;
    private static final Pattern KEY = Pattern.compile("\"idempotencyKey\":\"([^\"]+)\"");

    private final HttpServer server;
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<String> received = new CopyOnWriteArrayList<>();

    ReporterBacklogTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/v1/events", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = KEY.matcher(body);
            StringBuilder results = new StringBuilder();
            while (m.find()) {
                received.add(m.group(1));
                results.append(results.length() == 0 ? "" : ",").append("{\"status\":\"accepted\"}");
            }
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] answer = ("{\"results\":[" + results + "]}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private Reporter reporter(int maxQueued) {
        Http http = new Http(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                "tg_sk_x",
                Duration.ofSeconds(30),
                () -> {});
        return new Reporter(http, null, 10, Duration.ofMillis(1), maxQueued);
    }

    private static void admit(Reporter reporter, Lease lease, int i) {
        lease.eventQueued();
        assertThat(lease.tryAdmit(1, 0)).isTrue();
        reporter.leaseEvent(
                new UsageEvent("k" + i, "acme", "ai-queries", BigDecimal.ONE, null, lease.sessionId, Map.of(), null),
                lease);
    }

    @Test
    void past_the_bound_lease_events_are_folded_into_the_close_and_not_sent() throws Exception {
        Lease lease = new Lease("acme@s1", 100, 0, FAR, LeasePrice.FREE);
        try (Reporter reporter = reporter(5)) {
            for (int i = 0; i < 20; i++) {
                admit(reporter, lease, i);
            }
            assertThat(reporter.foldedLeaseEvents()).isEqualTo(15);

            assertThat(lease.seal()).isEqualTo(20);
            assertThat(lease.drained()).isNotDone();
            release.countDown();
            lease.drained().get(30, TimeUnit.SECONDS);
            reporter.flushAsync().get(30, TimeUnit.SECONDS);
        }
        assertThat(received).containsExactly("k0", "k1", "k2", "k3", "k4");
    }

    @Test
    void events_sent_free_their_room_for_later_ones() throws Exception {
        Lease lease = new Lease("acme@s1", 100, 0, FAR, LeasePrice.FREE);
        release.countDown();
        try (Reporter reporter = reporter(5)) {
            for (int i = 0; i < 5; i++) {
                admit(reporter, lease, i);
            }
            reporter.flushAsync().get(30, TimeUnit.SECONDS);
            for (int i = 5; i < 10; i++) {
                admit(reporter, lease, i);
            }
            reporter.flushAsync().get(30, TimeUnit.SECONDS);
            assertThat(reporter.foldedLeaseEvents()).isZero();
        }
        assertThat(received).hasSize(10);
    }

    @Test
    void with_a_bound_of_zero_no_lease_event_is_sent() throws Exception {
        Lease lease = new Lease("acme@s1", 100, 0, FAR, LeasePrice.FREE);
        release.countDown();
        try (Reporter reporter = reporter(0)) {
            for (int i = 0; i < 7; i++) {
                admit(reporter, lease, i);
            }
            assertThat(reporter.foldedLeaseEvents()).isEqualTo(7);
            assertThat(lease.seal()).isEqualTo(7);
            assertThat(lease.drained()).isDone();
        }
        assertThat(received).isEmpty();
    }
}
