package dev.tollgate.client.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.client.Decision;
import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Redis cache (127.0.0.1:6379): shared by instances and kept across their restarts; Redis down changes nothing. */
final class RedisCacheIT extends WithServer {
    String customer;

    @BeforeEach
    void start() {
        customer = "acme-" + UUID.randomUUID();
        server.customer(customer, "team");
    }

    private Tollgate client(String redisUrl) {
        return Tollgate.builder()
                .baseUrl(server.url())
                .apiKey(ServerUnderTest.KEY)
                .timeout(Duration.ofSeconds(2))
                .changeFeed(false)
                .redisUrl(redisUrl)
                .build();
    }

    @Test
    void entitlements_one_instance_read_answer_a_new_instance_while_the_server_is_down() {
        try (Tollgate first = client("redis://127.0.0.1:6379")) {
            assertThat(first.check(customer, "sso").source()).isEqualTo(Source.CACHE);
        }
        server.stop();

        try (Tollgate restarted = client("redis://127.0.0.1:6379")) {
            Decision sso = restarted.check(customer, "sso");
            Decision queries = restarted.check(customer, "queries");

            assertThat(sso.source())
                    .as("from Redis, not the fail-closed fallback")
                    .isEqualTo(Source.CACHE);
            assertThat(sso.allowed()).isTrue();
            assertThat(queries.source()).isEqualTo(Source.CACHE);
            assertThat(queries.limit()).isEqualByComparingTo("3000");
        }
    }

    @Test
    void with_redis_down_the_client_goes_on_with_its_memory() {
        try (Tollgate tollgate = client("redis://127.0.0.1:1")) {
            Decision sso = tollgate.check(customer, "sso");
            assertThat(sso.allowed()).isTrue();
            assertThat(sso.source()).isEqualTo(Source.CACHE);

            server.stop();
            Decision again = tollgate.check(customer, "sso");
            assertThat(again.allowed()).isTrue();
            assertThat(again.source()).isEqualTo(Source.CACHE);
        }
    }
}
