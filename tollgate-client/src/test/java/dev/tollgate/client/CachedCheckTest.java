package dev.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Boolean checks answered from the cache allocate nothing: their decisions are shared immutable instances, and {@code
 * check(customerId, feature)} builds no request when the cache answers. Against a stand-in for the server's {@code GET
 * /v1/customers/{id}/entitlements} and {@code POST /v1/check} (wire format of {@code docs/api.md}); the change feed is
 * off and the TTL an hour, so every check after the first is the cache's.
 */
final class CachedCheckTest {
    private static final int CALLS = 100_000;

    private HttpServer fake;
    private final AtomicInteger serverChecks = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        fake = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        fake.createContext(
                "/v1/customers/acme/entitlements",
                ex -> answer(
                        ex,
                        "{\"customerId\":\"acme\",\"entitlements\":["
                                + "{\"feature\":\"sso\",\"type\":\"boolean\",\"source\":\"plan\",\"enabled\":true},"
                                + "{\"feature\":\"beta\",\"type\":\"boolean\",\"source\":\"plan\",\"enabled\":false}]}"));
        fake.createContext("/v1/check", ex -> {
            serverChecks.incrementAndGet();
            answer(
                    ex,
                    "{\"allowed\":false,\"reason\":\"NOT_ENTITLED\",\"used\":0,\"held\":0,\"unlimited\":false,"
                            + "\"overage\":false}");
        });
        fake.start();
    }

    @AfterEach
    void stop() {
        fake.stop(0);
    }

    private static void answer(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private Tollgate client() {
        return Tollgate.builder()
                .baseUrl("http://127.0.0.1:" + fake.getAddress().getPort())
                .apiKey("tg_sk_test")
                .changeFeed(false)
                .cacheTtl(Duration.ofHours(1))
                .build();
    }

    @Test
    void a_boolean_answer_from_the_cache_is_the_same_instance_every_time() {
        try (Tollgate tollgate = client()) {
            Decision on = tollgate.check("acme", "sso");
            Decision off = tollgate.check(CheckRequest.of("acme", "beta"));

            assertThat(on.allowed()).isTrue();
            assertThat(on.reason()).isNull();
            assertThat(on.source()).isEqualTo(Source.CACHE);
            assertThat(off.allowed()).isFalse();
            assertThat(off.reason()).isEqualTo("NOT_ENTITLED");
            assertThat(off.source()).isEqualTo(Source.CACHE);
            assertThat(tollgate.check(CheckRequest.of("acme", "sso"))).isSameAs(on);
            assertThat(tollgate.check("acme", "beta")).isSameAs(off);
        }
    }

    @Test
    void a_refusal_kept_for_an_unlisted_feature_is_the_same_instance_every_time() {
        try (Tollgate tollgate = client()) {
            Decision first = tollgate.check("acme", "export");
            Decision second = tollgate.check("acme", "export");

            assertThat(first.source()).isEqualTo(Source.SERVER);
            assertThat(second.source()).isEqualTo(Source.CACHE);
            assertThat(second.reason()).isEqualTo("NOT_ENTITLED");
            assertThat(tollgate.check(CheckRequest.of("acme", "export"))).isSameAs(second);
            assertThat(serverChecks).hasValue(1);
        }
    }

    @Test
    void boolean_checks_from_the_cache_allocate_nothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().getId();
        try (Tollgate tollgate = client()) {
            CheckRequest beta = CheckRequest.of("acme", "beta");
            int admitted = 0;
            for (int i = 0; i < 1000; i++) {
                admitted += tollgate.check("acme", "sso").allowed() ? 1 : 0;
                admitted += tollgate.check(beta).allowed() ? 1 : 0;
            }
            long before = threads.getThreadAllocatedBytes(me);
            for (int i = 0; i < CALLS; i++) {
                admitted += tollgate.check("acme", "sso").allowed() ? 1 : 0;
                admitted += tollgate.check(beta).allowed() ? 1 : 0;
            }
            long allocated = threads.getThreadAllocatedBytes(me) - before;

            assertThat(admitted).isEqualTo(1000 + CALLS);
            // less than a byte per call: what the measurement itself may allocate, not a decision (72 bytes) per call
            assertThat(allocated).isLessThan(2L * CALLS);
        }
    }
}
