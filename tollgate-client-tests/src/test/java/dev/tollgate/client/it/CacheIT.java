package dev.tollgate.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.client.CheckRequest;
import dev.tollgate.client.Decision;
import dev.tollgate.client.Entitlement;
import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The local cache of entitlements: boolean and config checks answered locally, kept correct by its TTL. */
final class CacheIT extends WithServer {

    private Tollgate client(Duration ttl) {
        return Tollgate.builder()
                .baseUrl(server.url())
                .apiKey(ServerUnderTest.KEY)
                .timeout(Duration.ofSeconds(5))
                .cacheTtl(ttl)
                .changeFeed(false)
                .build();
    }

    @Test
    void boolean_and_config_checks_are_answered_locally_and_so_is_a_known_refusal() {
        try (Tollgate tollgate = client(Duration.ofMinutes(5))) {
            Decision sso = tollgate.check("acme", "sso");
            Decision seats = tollgate.check(CheckRequest.of("acme", "seats").withQuantity(BigDecimal.valueOf(6)));
            Decision audit = tollgate.check("acme", "audit-log");
            Decision auditAgain = tollgate.check("acme", "audit-log");

            assertThat(sso.allowed()).isTrue();
            assertThat(sso.source()).isEqualTo(Source.CACHE);
            assertThat(seats.allowed()).isFalse();
            assertThat(seats.reason()).isEqualTo("LIMIT_EXCEEDED");
            assertThat(seats.value()).isEqualByComparingTo("5");
            assertThat(seats.source()).isEqualTo(Source.CACHE);
            assertThat(audit.source()).as("not in the entitlements: asked once").isEqualTo(Source.SERVER);
            assertThat(audit.reason()).isEqualTo("NOT_ENTITLED");
            assertThat(auditAgain.source()).isEqualTo(Source.CACHE);
            assertThat(auditAgain.reason()).isEqualTo("NOT_ENTITLED");
        }
    }

    @Test
    void a_subscription_change_reaches_the_cache_within_its_ttl() {
        try (Tollgate tollgate = client(Duration.ofMillis(300))) {
            assertThat(tollgate.check("acme", "sso").allowed()).isTrue();

            server.put("/v1/customers/acme/subscription", Map.of("plan", "starter"));

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() ->
                            assertThat(tollgate.check("acme", "sso").allowed()).isFalse());
            Decision seats = tollgate.check("acme", "seats");
            assertThat(seats.value()).isEqualByComparingTo("1");
            assertThat(seats.source()).isEqualTo(Source.CACHE);
        }
    }

    @Test
    void the_entitlements_for_display_carry_the_metered_figures_as_read() {
        server.post(
                "/v1/consume",
                Map.of("customerId", "acme", "feature", "queries", "quantity", 7, "idempotencyKey", "k"));
        try (Tollgate tollgate = client(Duration.ofMinutes(5))) {
            List<Entitlement> all = tollgate.entitlements("acme");

            Entitlement queries = all.stream()
                    .filter(e -> e.feature().equals("queries"))
                    .findFirst()
                    .orElseThrow();
            assertThat(queries.type()).isEqualTo("metered");
            assertThat(queries.limit()).isEqualByComparingTo("3000");
            assertThat(queries.used()).isEqualByComparingTo("7");
            assertThat(queries.remaining()).isEqualByComparingTo("2993");
            assertThat(queries.enforcement()).isEqualTo("hard");
            assertThat(all).extracting(Entitlement::feature).contains("sso", "seats", "reports", "tokens");
            assertThat(queries.price()).as("no rate card").isNull();
            Entitlement.Price tokens = all.stream()
                    .filter(e -> e.feature().equals("tokens"))
                    .findFirst()
                    .orElseThrow()
                    .price();
            assertThat(tokens.currency()).isEqualTo("credits");
            assertThat(tokens.unitPrice()).as("1 credit per 1000 tokens").isEqualByComparingTo("0.001");
        }
    }
}
