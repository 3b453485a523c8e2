package dev.tollgate.client.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.client.CheckRequest;
import dev.tollgate.client.ConsumeRequest;
import dev.tollgate.client.Decision;
import dev.tollgate.client.Fallback;
import dev.tollgate.client.FallbackValue;
import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fallback values on a cold miss while the server is unreachable, and the cache when it is warm. */
final class FallbackIT extends WithServer {

    private Tollgate client(String url, Fallback fallback) {
        return Tollgate.builder()
                .baseUrl(url)
                .apiKey(ServerUnderTest.KEY)
                .timeout(Duration.ofMillis(500))
                .fallback(fallback)
                .spoolDirectory(dir.resolve("spool"))
                .build();
    }

    @Test
    void a_cold_miss_with_the_server_down_answers_the_features_fallback_or_the_default() {
        server.stop();
        Fallback fallback = Fallback.failClosed().with("sso", FallbackValue.allow());
        try (Tollgate tollgate = client(server.url(), fallback)) {
            Decision sso = tollgate.check("acme", "sso");
            Decision queries = tollgate.check("acme", "queries");

            assertThat(sso.source()).isEqualTo(Source.FALLBACK);
            assertThat(sso.allowed()).isTrue();
            assertThat(queries.source()).isEqualTo(Source.FALLBACK);
            assertThat(queries.allowed()).isFalse();
            assertThat(queries.reason()).isEqualTo("UNAVAILABLE");
        }
        try (Tollgate open = client(server.url(), Fallback.failOpen())) {
            assertThat(open.check("acme", "queries").allowed()).isTrue();
        }
    }

    @Test
    void a_server_that_accepts_but_never_answers_costs_the_timeout_then_the_fallback_answers() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            @SuppressWarnings("ModifiedButNotUsed") // keeps the accepted connections referenced, so open
            List<Socket> held = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException e) {
                    // the test ended
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String url = "http://127.0.0.1:" + silent.getLocalPort();
            try (Tollgate tollgate = client(url, Fallback.failOpen())) {
                Decision d = tollgate.consume(ConsumeRequest.of("acme", "queries", 1, "k"));

                assertThat(d.source()).isEqualTo(Source.FALLBACK);
                assertThat(d.allowed()).isTrue();
                assertThat(d.recorded()).isFalse();
            }
        }
    }

    @Test
    void fallback_consumes_stop_at_the_fallback_limit_and_are_recorded_once_the_server_is_back() {
        server.stop();
        Fallback fallback = Fallback.failClosed().with("queries", FallbackValue.allowUpTo(3));
        try (Tollgate tollgate = client(server.url(), fallback)) {
            List<Decision> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(tollgate.consume(ConsumeRequest.of("acme", "queries", 1, "f-" + i)));
            }
            assertThat(answers).allSatisfy(d -> assertThat(d.source()).isEqualTo(Source.FALLBACK));
            assertThat(answers.subList(0, 3))
                    .allSatisfy(d -> assertThat(d.allowed()).isTrue());
            assertThat(answers.get(3).allowed()).isFalse();
            assertThat(answers.get(3).reason()).isEqualTo("LIMIT_EXCEEDED");
            Decision check = tollgate.check(CheckRequest.of("acme", "queries").withQuantity(BigDecimal.ONE));
            assertThat(check.allowed()).as("nothing left of the fallback's 3").isFalse();

            tollgate.flush();
            server.start();
            tollgate.flush();
        }
        assertThat(server.usage("acme", "queries")).isEqualByComparingTo("3");
    }

    @Test
    void with_the_server_down_a_warm_cache_answers_not_the_fallback() {
        try (Tollgate tollgate = client(server.url(), Fallback.failClosed())) {
            assertThat(tollgate.check("acme", "sso").source()).isEqualTo(Source.CACHE);
            server.stop();

            Decision sso = tollgate.check("acme", "sso");
            Decision queries = tollgate.check("acme", "queries");

            assertThat(sso.source()).isEqualTo(Source.CACHE);
            assertThat(sso.allowed()).isTrue();
            assertThat(queries.source())
                    .as("a metered check from the cached figures")
                    .isEqualTo(Source.CACHE);
            assertThat(queries.allowed()).isTrue();
            assertThat(queries.limit()).isEqualByComparingTo("3000");
        }
    }
}
