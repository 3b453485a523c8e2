package dev.tollgate.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.client.CheckRequest;
import dev.tollgate.client.ConsumeRequest;
import dev.tollgate.client.Decision;
import dev.tollgate.client.EventOutcome;
import dev.tollgate.client.Session;
import dev.tollgate.client.SessionRequest;
import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import dev.tollgate.client.TollgateClientException;
import dev.tollgate.client.UsageEvent;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SDK's remote calls against a real server: checks, consumes, reports, sessions and errors. */
final class ClientIT extends WithServer {
    Tollgate tollgate;

    @BeforeEach
    void start() {
        tollgate = Tollgate.builder()
                .baseUrl(server.url())
                .apiKey(ServerUnderTest.KEY)
                .timeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterEach
    void stop() {
        tollgate.close();
    }

    @Test
    void a_metered_check_is_decided_by_the_server_with_its_figures() {
        Decision d = tollgate.check(CheckRequest.of("acme", "queries").withQuantity(BigDecimal.TEN));

        assertThat(d.source()).isEqualTo(Source.SERVER);
        assertThat(d.allowed()).isTrue();
        assertThat(d.limit()).isEqualByComparingTo("3000");
        assertThat(d.remaining()).isEqualByComparingTo("3000");
        assertThat(d.resetsAt()).isNotNull();
        assertThat(d.recorded()).isNull();
    }

    @Test
    void a_refusal_is_an_answer_with_the_servers_reason() {
        Decision unknown = tollgate.check("nobody", "queries");
        assertThat(unknown.allowed()).isFalse();
        assertThat(unknown.reason()).isEqualTo("CUSTOMER_NOT_FOUND");

        server.customer("small", "starter");
        Decision tooMuch = tollgate.consume(
                new ConsumeRequest("small", "queries", BigDecimal.valueOf(11), "k-11", null, null, java.util.Map.of()));
        assertThat(tooMuch.allowed()).isFalse();
        assertThat(tooMuch.reason()).isEqualTo("LIMIT_EXCEEDED");
        assertThat(tooMuch.boundBy()).isNotNull();
        assertThat(tooMuch.boundBy().kind()).isEqualTo("feature");
        assertThat(tooMuch.recorded()).isFalse();
        assertThat(tooMuch.source()).isEqualTo(Source.SERVER);
    }

    @Test
    void consumes_turn_local_after_the_first_and_the_server_counts_each_once() {
        Decision first = tollgate.consume(ConsumeRequest.of("acme", "queries", 1, "q-0"));
        assertThat(first.source()).isEqualTo(Source.SERVER);
        assertThat(first.recorded()).isTrue();

        List<Decision> rest = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            rest.add(tollgate.consume(ConsumeRequest.of("acme", "queries", 1, "q-" + i)));
        }
        assertThat(rest).allSatisfy(d -> assertThat(d.allowed()).isTrue());
        assertThat(rest).anySatisfy(d -> assertThat(d.source()).isEqualTo(Source.CACHE));

        tollgate.close();
        assertThat(server.usage("acme", "queries")).isEqualByComparingTo("101");
        assertThat(server.entitlement("acme", "queries").path("held").decimalValue())
                .isEqualByComparingTo("0");
        assertThat(server.usageEvents("acme", "queries"))
                .as("one event per consume")
                .isEqualTo(101);
    }

    @Test
    void a_priced_feature_is_consumed_against_a_lease_and_charged_what_each_answer_said() {
        server.post(
                "/v1/customers/acme/grants",
                java.util.Map.of("currency", "credits", "amount", 100, "category", "paid", "idempotencyKey", "g"));
        List<Decision> answers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            answers.add(tollgate.consume(ConsumeRequest.of("acme", "tokens", 100, "t-" + i)));
        }
        Decision byModel = tollgate.consume(
                ConsumeRequest.of("acme", "tokens", 100, "t-model").withDimensions(java.util.Map.of("model", "x")));

        assertThat(answers.get(0).source()).isEqualTo(Source.SERVER);
        assertThat(answers).allSatisfy(d -> {
            assertThat(d.allowed()).isTrue();
            assertThat(d.recorded()).isTrue();
            assertThat(d.currency()).isEqualTo("credits");
            assertThat(d.credits()).as("100 tokens at 1 credit per 1000").isEqualByComparingTo("0.1");
        });
        assertThat(answers).anySatisfy(d -> assertThat(d.source()).isEqualTo(Source.CACHE));
        assertThat(byModel.source())
                .as("a consume with dimensions is the server's")
                .isEqualTo(Source.SERVER);
        assertThat(byModel.credits()).isEqualByComparingTo("0.1");

        tollgate.close();
        assertThat(server.usage("acme", "tokens")).isEqualByComparingTo("5100");
        assertThat(server.credits("acme", "tokens", "credits")).isEqualByComparingTo("5.1");
        assertThat(server.balance("acme", "credits").path("available").decimalValue())
                .isEqualByComparingTo("94.9");
        assertThat(server.balance("acme", "credits").path("held").decimalValue())
                .isEqualByComparingTo("0");
        assertThat(server.entitlement("acme", "tokens").path("remaining").decimalValue())
                .as("the limit of a priced feature counts its units as well")
                .isEqualByComparingTo("994900");
    }

    @Test
    void a_feature_priced_by_tiers_is_always_consumed_at_the_server() {
        server.post(
                "/v1/customers/acme/grants",
                java.util.Map.of("currency", "credits", "amount", 100, "category", "paid", "idempotencyKey", "g"));
        List<Decision> answers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            answers.add(tollgate.consume(ConsumeRequest.of("acme", "images", 1, "i-" + i)));
        }

        assertThat(answers).allSatisfy(d -> assertThat(d.source()).isEqualTo(Source.SERVER));
        assertThat(answers.get(9).credits())
                .as("the tenth image, in the first tier")
                .isEqualByComparingTo("1");
        assertThat(answers.get(10).credits()).as("the eleventh, in the second").isEqualByComparingTo("0.5");
    }

    @Test
    void a_repeated_idempotency_key_answers_the_first_answer_and_counts_once() {
        tollgate.consume(ConsumeRequest.of("acme", "queries", 1, "first"));
        Decision once = tollgate.consume(ConsumeRequest.of("acme", "queries", 2, "again"));
        Decision twice = tollgate.consume(ConsumeRequest.of("acme", "queries", 2, "again"));

        assertThat(twice).isEqualTo(once);
        tollgate.close();
        assertThat(server.usage("acme", "queries")).isEqualByComparingTo("3");
    }

    @Test
    void a_key_the_server_decided_is_repeated_at_the_server_not_admitted_again_against_a_lease() {
        Decision first = tollgate.consume(ConsumeRequest.of("acme", "queries", 1, "k-first"));
        Decision leased = tollgate.consume(ConsumeRequest.of("acme", "queries", 1, "k-leased"));
        Decision repeated = tollgate.consume(ConsumeRequest.of("acme", "queries", 1, "k-first"));

        assertThat(first.source()).isEqualTo(Source.SERVER);
        assertThat(leased.source()).isEqualTo(Source.CACHE);
        assertThat(repeated.source()).as("the server's replay").isEqualTo(Source.SERVER);
        assertThat(repeated.recorded()).isTrue();
        tollgate.close();
        assertThat(server.usage("acme", "queries")).isEqualByComparingTo("2");
    }

    @Test
    void reports_are_batched_and_each_answered() {
        List<CompletableFuture<EventOutcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            outcomes.add(tollgate.report(UsageEvent.of("r-" + i, "acme", "reports", 2)));
        }
        UsageEvent repeated = UsageEvent.of("r-0", "acme", "reports", 2);
        EventOutcome first = outcomes.get(0).join();
        EventOutcome again =
                tollgate.report(repeated.at(java.time.Instant.now())).join();
        EventOutcome unknown =
                tollgate.report(UsageEvent.of("r-x", "acme", "nope", 1)).join();

        assertThat(outcomes).allSatisfy(f -> assertThat(f.join().status()).isEqualTo(EventOutcome.Status.ACCEPTED));
        assertThat(first.idempotencyKey()).isEqualTo("r-0");
        assertThat(again.status()).as("same key, other timestamp").isEqualTo(EventOutcome.Status.REJECTED);
        assertThat(again.reason()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        assertThat(unknown.status()).isEqualTo(EventOutcome.Status.REJECTED);
        assertThat(unknown.reason()).isEqualTo("FEATURE_NOT_FOUND");
        assertThat(server.usage("acme", "reports")).isEqualByComparingTo("100");
    }

    @Test
    void a_session_opens_holds_and_closes_with_what_was_used() {
        Session s = tollgate.openSession(
                SessionRequest.ofFeature("acme", "queries", BigDecimal.valueOf(5), Duration.ofMinutes(1), "s-1"));
        assertThat(s.opened()).isTrue();
        assertThat(s.sessionId()).startsWith("acme@s");
        assertThat(server.entitlement("acme", "queries").path("held").decimalValue())
                .isEqualByComparingTo("5");

        Decision inside = tollgate.consume(new ConsumeRequest(
                "acme", "queries", BigDecimal.valueOf(2), "in-s", null, s.sessionId(), java.util.Map.of()));
        assertThat(inside.allowed()).isTrue();
        assertThat(inside.source()).isEqualTo(Source.SERVER);

        Session closed = tollgate.closeSession(s.sessionId(), BigDecimal.valueOf(3));
        assertThat(closed.status()).isEqualTo("closed");
        assertThat(closed.consumed()).isEqualByComparingTo("3");
        assertThat(server.usage("acme", "queries")).isEqualByComparingTo("3");

        Session refused = tollgate.openSession(
                SessionRequest.ofFeature("acme", "queries", BigDecimal.valueOf(5000), Duration.ofMinutes(1), "s-2"));
        assertThat(refused.opened()).isFalse();
        assertThat(refused.refusal().reason()).isEqualTo("LIMIT_EXCEEDED");
    }

    @Test
    void a_request_the_server_refuses_throws_its_stable_code() {
        assertThatThrownBy(() -> tollgate.openSession(
                        SessionRequest.ofFeature("acme", "nope", BigDecimal.ONE, Duration.ofMinutes(1), "s-x")))
                .isInstanceOfSatisfying(TollgateClientException.class, e -> {
                    assertThat(e.code()).isEqualTo("FEATURE_NOT_FOUND");
                    assertThat(e.httpStatus()).isEqualTo(404);
                    assertThat(e.field()).isEqualTo("feature");
                });
        assertThatThrownBy(() -> tollgate.closeSession("acme@s999", null))
                .isInstanceOfSatisfying(
                        TollgateClientException.class, e -> assertThat(e.code()).isEqualTo("SESSION_NOT_FOUND"));
    }

    @Test
    void a_closed_client_refuses_every_call() {
        tollgate.close();
        assertThatThrownBy(() -> tollgate.check("acme", "sso"))
                .isInstanceOfSatisfying(
                        TollgateClientException.class, e -> assertThat(e.code()).isEqualTo("CLOSED"));
    }
}
