package dev.tollgate.client.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tollgate.client.EventOutcome;
import dev.tollgate.client.Tollgate;
import dev.tollgate.client.UsageEvent;
import dev.tollgate.client.it.SidecarClient.Answer;
import dev.tollgate.server.sidecar.Sidecar;
import dev.tollgate.server.sidecar.SidecarConfig;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * A usage report repeated with its idempotency key is the same request wherever it is repeated: through the SDK
 * again, through the sidecar again, or straight to the server. The SDK adds nothing to a report it sends at once (an
 * event without a timestamp is placed by the server when it receives it), so every repeat answers {@code duplicate};
 * only a report that waits in the spool is stamped with the time it was made, so that it counts when it happened.
 */
final class ReportIdempotencyIT extends WithServer {
    private static final String EVENT =
            "{\"idempotencyKey\": \"e-1\", \"customerId\": \"acme\", \"feature\": \"reports\", \"quantity\": 3}";

    private Tollgate client() {
        return Tollgate.builder()
                .baseUrl(server.url())
                .apiKey(ServerUnderTest.KEY)
                .timeout(Duration.ofSeconds(2))
                .spoolDirectory(dir.resolve("spool"))
                .changeFeed(false)
                .build();
    }

    private JsonNode direct(String event) {
        return server.post("/v1/events", Map.of("events", List.of(server.json(event))))
                .path("results")
                .get(0);
    }

    @Test
    void a_report_repeated_through_the_sdk_or_sent_again_straight_to_the_server_is_a_duplicate() {
        try (Tollgate tollgate = client()) {
            UsageEvent event = UsageEvent.of("e-1", "acme", "reports", 3);
            EventOutcome first = tollgate.report(event).join();
            EventOutcome again = tollgate.report(event).join();

            assertThat(first.status()).isEqualTo(EventOutcome.Status.ACCEPTED);
            assertThat(again.status()).as("the same report again: %s", again).isEqualTo(EventOutcome.Status.DUPLICATE);
        }
        JsonNode resent = direct(EVENT);
        assertThat(resent.path("status").asString())
                .as("the same event straight to the server: %s", resent)
                .isEqualTo("duplicate");
        assertThat(server.usage("acme", "reports")).isEqualByComparingTo("3");
        assertThat(server.usageEvents("acme", "reports")).isEqualTo(1);
    }

    @Test
    void an_event_repeated_through_the_sidecar_or_sent_again_straight_to_the_server_is_a_duplicate() {
        String body = "{\"events\": [" + EVENT + "]}";
        try (Sidecar sidecar = Sidecar.start(SidecarConfig.of(URI.create(server.url()), ServerUnderTest.KEY, 0))) {
            String url = "http://127.0.0.1:" + sidecar.port();
            Answer first = SidecarClient.post(url, "/v1/events", body, null);
            Answer again = SidecarClient.post(url, "/v1/events", body, null);

            assertThat(first.body().path("results").get(0).path("status").asString())
                    .isEqualTo("accepted");
            assertThat(again.body().path("results").get(0).path("status").asString())
                    .as("the same body again through the sidecar: %s", again.body())
                    .isEqualTo("duplicate");
        }
        Answer direct = SidecarClient.post(server.url(), "/v1/events", body, ServerUnderTest.KEY);
        assertThat(direct.body().path("results").get(0).path("status").asString())
                .as("the same body straight to the server: %s", direct.body())
                .isEqualTo("duplicate");
        assertThat(server.usage("acme", "reports")).isEqualByComparingTo("3");
    }

    @Test
    void a_report_that_waited_in_the_spool_counts_when_it_was_made_not_when_it_was_delivered() {
        server.stop();
        Instant made;
        try (Tollgate tollgate = client()) {
            EventOutcome spooled =
                    tollgate.report(UsageEvent.of("e-1", "acme", "reports", 3)).join();
            made = Instant.now();
            assertThat(spooled.status()).isEqualTo(EventOutcome.Status.SPOOLED);

            server.start();
            tollgate.flush();
        }
        assertThat(server.usage("acme", "reports")).isEqualByComparingTo("3");
        assertThat(server.usage("acme", "reports", made))
                .as("recorded at the time it was reported, before the server came back")
                .isEqualByComparingTo("3");
    }

    @Test
    void a_spooled_copy_of_a_report_the_server_already_recorded_is_delivered_as_a_duplicate() {
        // the server recorded the report, but its answer was lost: the SDK spooled it, stamped, as undelivered
        assertThat(direct(EVENT).path("status").asString()).isEqualTo("accepted");
        server.stop();
        Logger reporter = (Logger) LoggerFactory.getLogger("dev.tollgate.client.Reporter");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        reporter.addAppender(logged);
        try (Tollgate tollgate = client()) {
            assertThat(tollgate.report(UsageEvent.of("e-1", "acme", "reports", 3))
                            .join()
                            .status())
                    .isEqualTo(EventOutcome.Status.SPOOLED);

            server.start();
            tollgate.flush();
        } finally {
            reporter.detachAppender(logged);
        }
        assertThat(SpoolDirectory.undeliveredBytes(dir.resolve("spool")))
                .as("the spool was delivered")
                .isZero();
        assertThat(logged.list)
                .as("the spooled copy was not refused as a reuse of its key")
                .noneMatch(e -> e.getFormattedMessage().contains("spooled_event_rejected"));
        assertThat(server.usage("acme", "reports")).isEqualByComparingTo("3");
        assertThat(server.usageEvents("acme", "reports")).isEqualTo(1);
    }
}
