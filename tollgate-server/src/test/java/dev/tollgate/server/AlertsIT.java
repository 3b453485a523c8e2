package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.json.Json;
import dev.tollgate.server.webhook.WebhookAddresses;
import dev.tollgate.server.webhook.WebhookDeliverer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts over HTTP and their webhook delivery to a real local receiver: signed, retried with growing back-off after
 * failures, delivered once it succeeds, and delivered after a restart when the server stopped before it could.
 */
final class AlertsIT {
    private static final String SECRET = "whsec_0123456789abcdef";

    @TempDir
    Path dir;

    Harness h;
    WebhookReceiver receiver;

    @BeforeEach
    void start() throws Exception {
        receiver = new WebhookReceiver();
        // the receiver listens on 127.0.0.1, which webhooks may target only when the operator allows it
        h = new Harness(
                dir,
                Instant.parse("2026-04-10T09:00:00Z"),
                c -> c.toBuilder().webhookAddresses(WebhookAddresses.ANY).build());
        assertThat(h.applySampleCatalog().status()).isEqualTo(200);
        h.customerOn("acme", "free");
        ApiClient.Reply hook = h.put(
                "/v1/webhooks/ops",
                Map.of("url", receiver.url(), "events", List.of("limit.threshold"), "secret", SECRET));
        assertThat(hook.status()).as(hook.text()).isEqualTo(200);
        assertThat(hook.get("events")).isEqualTo(List.of("limit.threshold"));
    }

    @AfterEach
    void stop() {
        h.close();
        receiver.close();
    }

    private static String hmac(String message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void a_crossed_limit_is_logged_and_delivered_signed_after_the_receiver_fails_twice() throws Exception {
        receiver.failNext(2);
        assertThat(h.consume("acme", "ai-queries", 8, "q-1").get("allowed")).isEqualTo(true);
        assertThat(h.get("/v1/events/log?customerId=acme").text())
                .as("waiting: the receiver refuses the first two attempts, 1.5 s apart at least")
                .contains("\"deliveries\":[{\"webhookId\":\"ops\",\"status\":\"pending\"}]");

        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> !receiver.delivered().isEmpty());
        List<WebhookReceiver.Attempt> attempts = receiver.attempts();
        assertThat(attempts).hasSize(3);
        assertThat(attempts).extracting(WebhookReceiver.Attempt::status).containsExactly(500, 500, 200);
        assertThat(attempts)
                .extracting(WebhookReceiver.Attempt::eventId)
                .as("the same event each time")
                .containsOnly(attempts.get(0).eventId());
        assertThat(Duration.ofNanos(attempts.get(1).atNanos() - attempts.get(0).atNanos()))
                .as("first back-off 0.5 s")
                .isGreaterThanOrEqualTo(Duration.ofMillis(450));
        assertThat(Duration.ofNanos(attempts.get(2).atNanos() - attempts.get(1).atNanos()))
                .as("second back-off 1 s")
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));

        WebhookReceiver.Attempt ok = attempts.get(2);
        assertThat(ok.signature()).matches("t=\\d+,v1=[0-9a-f]{64}");
        String t = ok.signature().substring(2, ok.signature().indexOf(','));
        assertThat(ok.signature()).endsWith("v1=" + hmac(t + "." + ok.body()));
        assertThat(Math.abs(Long.parseLong(t) - System.currentTimeMillis() / 1000))
                .as("a current timestamp")
                .isLessThan(60);
        @SuppressWarnings("unchecked")
        Map<String, Object> event = (Map<String, Object>) Json.parse(ok.body());
        assertThat(event)
                .containsEntry("id", ok.eventId())
                .containsEntry("type", "limit.threshold")
                .containsEntry("customerId", "acme");
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) event.get("data");
        assertThat((BigDecimal) data.get("threshold")).isEqualByComparingTo("0.8");
        assertThat(data).containsEntry("feature", "ai-queries");

        ApiClient.Reply log = h.get("/v1/events/log?customerId=acme");
        assertThat(log.status()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> events = (List<Map<String, Object>>) log.get("events");
        assertThat(events).singleElement().satisfies(e -> assertThat(e).containsEntry("id", ok.eventId()));
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .alias("the log shows the delivery once it is recorded")
                .until(() -> h.get("/v1/events/log?customerId=acme")
                        .text()
                        .contains("\"deliveries\":[{\"webhookId\":\"ops\",\"status\":\"delivered\"}]"));

        h.consume("acme", "ai-queries", 1, "q-2");
        Thread.sleep(3 * WebhookDeliverer.POLL_MILLIS + 500);
        assertThat(receiver.attempts())
                .as("nothing new: the 80 % threshold already fired, the delivery is recorded")
                .hasSize(3);
    }

    @Test
    void an_alert_not_delivered_before_a_restart_is_delivered_after_it_and_only_once() throws Exception {
        receiver.failNext(Integer.MAX_VALUE);
        h.consume("acme", "ai-queries", 10, "q-1");
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> receiver.attempts().size() >= 2);
        assertThat(receiver.delivered()).isEmpty();

        h.restart();
        receiver.failNext(0);

        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> receiver.delivered().size() == 2);
        assertThat(receiver.delivered())
                .extracting(WebhookReceiver.Attempt::eventId)
                .as("the 80 % and the 100 % alerts")
                .doesNotHaveDuplicates();

        h.restart();
        int before = receiver.attempts().size();
        Thread.sleep(3 * WebhookDeliverer.POLL_MILLIS + 500);
        assertThat(receiver.attempts()).as("recorded deliveries stay delivered").hasSize(before);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> events =
                (List<Map<String, Object>>) h.get("/v1/events/log").get("events");
        assertThat(events).hasSize(2);
    }

    @Test
    void bad_webhook_settings_and_queries_are_refused_with_the_field() {
        assertBad(h.put("/v1/webhooks/w", Map.of("url", "ftp://x/y", "secret", SECRET)), "INVALID_URL", "url");
        assertBad(
                h.put("/v1/webhooks/w", Map.of("url", receiver.url(), "events", List.of("nope"), "secret", SECRET)),
                "INVALID_EVENT_TYPE",
                "events[0]");
        assertBad(
                h.put("/v1/webhooks/w", Map.of("url", receiver.url(), "secret", "short")), "INVALID_SECRET", "secret");
        assertBad(h.get("/v1/events/log?limit=0"), "INVALID_QUERY", "limit");
        receiver.failNext(0);
        h.consume("acme", "ai-queries", 8, "q-1");
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> receiver.delivered().size() == 1);
        assertThat(receiver.attempts())
                .as("the refused settings did not replace the webhook")
                .hasSize(1);
    }

    private static void assertBad(ApiClient.Reply r, String code, String field) {
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.error()).containsEntry("code", code).containsEntry("field", field);
    }

    @Test
    void webhooks_are_listed_without_secrets_and_a_removed_one_gets_nothing_more_also_after_a_restart()
            throws Exception {
        try (WebhookReceiver audit = new WebhookReceiver()) {
            assertThat(h.put("/v1/webhooks/audit", Map.of("url", audit.url(), "secret", SECRET))
                            .status())
                    .isEqualTo(200);
            ApiClient.Reply list = h.get("/v1/webhooks?limit=1");
            assertThat(list.status()).as(list.text()).isEqualTo(200);
            assertThat(list.text()).doesNotContain(SECRET).doesNotContain("secret");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> page = (List<Map<String, Object>>) list.get("webhooks");
            assertThat(page)
                    .singleElement()
                    .satisfies(w -> assertThat(w)
                            .containsEntry("id", "audit")
                            .containsEntry("url", audit.url())
                            .containsEntry("events", List.of("*")));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rest = (List<Map<String, Object>>)
                    h.get("/v1/webhooks?cursor=" + list.get("nextCursor")).get("webhooks");
            assertThat(rest).extracting(w -> w.get("id")).containsExactly("ops");
            assertThat(h.get("/v1/webhooks/ops").body()).containsEntry("url", receiver.url());

            receiver.failNext(Integer.MAX_VALUE);
            h.consume("acme", "ai-queries", 8, "q-1");
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() ->
                            !receiver.attempts().isEmpty() && audit.delivered().size() == 1);

            ApiClient.Reply removed = h.delete("/v1/webhooks/ops");
            assertThat(removed.status()).as(removed.text()).isEqualTo(200);
            assertThat(removed.body()).containsEntry("id", "ops").containsEntry("deleted", true);
            assertThat(removed.text()).doesNotContain(SECRET);
            ApiClient.Reply again = h.delete("/v1/webhooks/ops");
            assertThat(again.status()).isEqualTo(404);
            assertThat(again.error()).containsEntry("code", "WEBHOOK_NOT_FOUND");
            assertThat(h.get("/v1/webhooks/ops").status()).isEqualTo(404);

            assertThat(h.server().engine().pendingDeliveries())
                    .as("nothing waits for the removed webhook")
                    .noneSatisfy(d -> assertThat(d.webhook().id()).isEqualTo("ops"));
            h.restart();
            assertThat(h.server().engine().pendingDeliveries())
                    .as("nor after a restart, which resends whatever still waits")
                    .noneSatisfy(d -> assertThat(d.webhook().id()).isEqualTo("ops"));
            h.consume("acme", "ai-queries", 2, "q-2");
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> audit.delivered().size() == 2);
            assertThat(h.server().engine().pendingDeliveries())
                    .as("a new alert goes to the remaining webhook only")
                    .noneSatisfy(d -> assertThat(d.webhook().id()).isEqualTo("ops"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> after =
                    (List<Map<String, Object>>) h.get("/v1/webhooks").get("webhooks");
            assertThat(after).extracting(w -> w.get("id")).containsExactly("audit");
        }
    }
}
