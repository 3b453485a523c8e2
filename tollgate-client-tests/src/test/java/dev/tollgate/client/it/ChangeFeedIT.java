package dev.tollgate.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.client.Decision;
import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cache kept current by the server's change feed: with a TTL of an hour, only the feed can bring a subscription
 * change to the client, and it does, also one made while the connection was down.
 */
final class ChangeFeedIT extends WithServer {
    private Tollgate client() {
        return Tollgate.builder()
                .baseUrl(server.url())
                .apiKey(ServerUnderTest.KEY)
                .timeout(Duration.ofSeconds(5))
                .cacheTtl(Duration.ofHours(1))
                .build();
    }

    @Test
    void a_subscription_change_reaches_a_connected_client_and_one_made_while_it_was_cut_off_too() {
        try (Tollgate tollgate = client()) {
            assertThat(tollgate.check("acme", "sso").allowed()).isTrue();

            server.put("/v1/customers/acme/subscription", Map.of("plan", "starter"));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() ->
                            assertThat(tollgate.check("acme", "sso").allowed()).isFalse());
            Decision seats = tollgate.check("acme", "seats");
            assertThat(seats.source()).isEqualTo(Source.CACHE);
            assertThat(seats.value()).isEqualByComparingTo("1");

            server.stop();
            server.start();
            server.put("/v1/customers/acme/subscription", Map.of("plan", "team"));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() ->
                            assertThat(tollgate.check("acme", "seats").value()).isEqualByComparingTo("5"));
            assertThat(tollgate.check("acme", "sso").allowed()).isTrue();
        }
    }
}
