package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.json.Json;
import dev.tollgate.server.webhook.WebhookAddresses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhook delivery under faults (issue 16), against real local receivers that misbehave: one hangs (reads the request
 * and never answers), one resets its first connections, one answers {@code 500} for a while, one is down (port
 * closed) and comes up later, one answers slowly, one is healthy. What SPEC §6 and {@code docs/api.md} promise is
 * asserted: every alert reaches every receiver that answers, at least once (receivers de-duplicate on
 * {@code Tollgate-Event-Id}), signed with that webhook's secret; a hanging receiver does not hold up the others; the
 * request path answers meanwhile; and what is still pending survives a restart. Waits have generous upper bounds only.
 */
final class WebhookFaultsIT {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final int CUSTOMERS = 12;

    @TempDir
    Path dir;

    Harness h;
    final Map<String, FaultyReceiver> receivers = new LinkedHashMap<>();

    @BeforeEach
    void start() throws Exception {
        receivers.put("healthy", FaultyReceiver.listening(FaultyReceiver.Mode.OK));
        receivers.put("slow", FaultyReceiver.listening(FaultyReceiver.Mode.OK).slow(300));
        receivers.put("hangs", FaultyReceiver.listening(FaultyReceiver.Mode.HANG));
        receivers.put(
                "resets", FaultyReceiver.listening(FaultyReceiver.Mode.OK).faultFor(FaultyReceiver.Mode.RESET, 8));
        receivers.put("fails", FaultyReceiver.listening(FaultyReceiver.Mode.OK).faultFor(FaultyReceiver.Mode.FAIL, 8));
        receivers.put("down", FaultyReceiver.down());
        // the receivers listen on 127.0.0.1, which webhooks may target only when the operator allows it
        h = new Harness(
                dir,
                Instant.parse("2026-04-10T09:00:00Z"),
                c -> c.toBuilder().webhookAddresses(WebhookAddresses.ANY).build());
        assertThat(h.applySampleCatalog().status()).isEqualTo(200);
        for (Map.Entry<String, FaultyReceiver> r : receivers.entrySet()) {
            ApiClient.Reply hook = h.put(
                    "/v1/webhooks/" + r.getKey(), Map.of("url", r.getValue().url(), "secret", secret(r.getKey())));
            assertThat(hook.status()).as(hook.text()).isEqualTo(200);
        }
    }

    @AfterEach
    void stop() {
        h.close();
        receivers.values().forEach(FaultyReceiver::close);
    }

    private static String secret(String webhook) {
        return "whsec_" + webhook + "_0123456789abcdef";
    }

    @Test
    void every_alert_reaches_every_answering_receiver_while_one_hangs_and_what_waits_survives_a_restart()
            throws Exception {
        for (int i = 0; i < CUSTOMERS; i++) {
            h.customerOn("c" + i, "free");
        }
        // 8 of 10 crosses 80 %, 2 more cross 100 %: two alerts per customer, each for all six webhooks
        for (int i = 0; i < CUSTOMERS; i++) {
            assertThat(h.consume("c" + i, "ai-queries", 8, "a-" + i).status()).isEqualTo(200);
            assertThat(h.consume("c" + i, "ai-queries", 2, "b-" + i).status()).isEqualTo(200);
        }
        Set<String> alerts = alertIds();
        assertThat(alerts).hasSize(2 * CUSTOMERS);

        // the request path answers while receivers hang, reset, fail and are down
        for (int i = 0; i < 20; i++) {
            ApiClient.Reply check = h.check("c" + (i % CUSTOMERS), "ai-queries");
            assertThat(check.status()).as(check.text()).isEqualTo(200);
            ApiClient.Reply consume = h.consume("c" + (i % CUSTOMERS), "agent-runs", 1, "during-" + i);
            assertThat(consume.status()).as(consume.text()).isEqualTo(200);
            assertThat(consume.get("allowed")).isEqualTo(true);
        }

        // a hanging receiver costs its own deliveries the client's timeout each; the others' arrive meanwhile
        for (String answering : List.of("healthy", "slow", "resets", "fails")) {
            awaitAllDelivered(answering, alerts);
        }
        assertThat(receivers.get("hangs").delivered()).isEmpty();
        assertThat(receivers.get("hangs").attempts())
                .as("the hanging receiver was tried")
                .isNotEmpty();
        assertThat(receivers.get("resets").attempts())
                .as("resets are retried")
                .anySatisfy(a -> assertThat(a.outcome()).isEqualTo(-1));
        assertThat(receivers.get("fails").attempts())
                .as("500s are retried")
                .anySatisfy(a -> assertThat(a.outcome()).isEqualTo(500));

        // what waits for the hanging and the down receiver is in the durable outbox: it survives a restart
        h.restart();
        Map<String, Set<String>> waiting = h.server().engine().pendingDeliveries().stream()
                .collect(Collectors.groupingBy(
                        d -> d.webhook().id(), Collectors.mapping(d -> d.alert().id(), Collectors.toSet())));
        assertThat(waiting).containsOnlyKeys("hangs", "down");
        assertThat(waiting.get("hangs")).isEqualTo(alerts);
        assertThat(waiting.get("down")).isEqualTo(alerts);

        receivers.get("down").up();
        awaitAllDelivered("down", alerts);
        receivers.get("hangs").heal();
        awaitAllDelivered("hangs", alerts);
        Awaitility.await()
                .atMost(PATIENCE)
                .untilAsserted(() -> assertThat(h.server().engine().pendingDeliveries())
                        .as("every delivery recorded")
                        .isEmpty());

        for (Map.Entry<String, FaultyReceiver> r : receivers.entrySet()) {
            for (FaultyReceiver.Attempt a : r.getValue().delivered()) {
                assertSigned(a, secret(r.getKey()));
            }
        }
    }

    @Test
    void a_new_alert_reaches_the_answering_receivers_while_many_deliveries_to_a_hanging_one_wait() throws Exception {
        for (String broken : List.of("resets", "fails", "down")) {
            assertThat(h.delete("/v1/webhooks/" + broken).status()).isEqualTo(200);
        }
        for (int i = 0; i < CUSTOMERS; i++) {
            h.customerOn("c" + i, "free");
            h.consume("c" + i, "ai-queries", 10, "all-" + i);
        }
        Set<String> first = alertIds();
        awaitAllDelivered("healthy", first);
        awaitAllDelivered("slow", first);

        // the hanging receiver now has a backlog; one more alert must not queue behind it
        h.customerOn("late", "free");
        h.consume("late", "ai-queries", 8, "late");
        Set<String> all = alertIds();
        assertThat(all).hasSize(first.size() + 1);
        awaitAllDelivered("healthy", all);
        awaitAllDelivered("slow", all);
        assertThat(receivers.get("hangs").delivered()).isEmpty();
    }

    private Set<String> alertIds() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> events =
                (List<Map<String, Object>>) h.get("/v1/events/log?limit=1000").get("events");
        return events.stream().map(e -> (String) e.get("id")).collect(Collectors.toSet());
    }

    /** Waits until {@code receiver} answered 200 to every alert in {@code alerts} (repeats allowed: at least once). */
    private void awaitAllDelivered(String receiver, Set<String> alerts) {
        Awaitility.await()
                .atMost(PATIENCE)
                .untilAsserted(() -> assertThat(receivers.get(receiver).delivered().stream()
                                .map(FaultyReceiver.Attempt::eventId)
                                .collect(Collectors.toSet()))
                        .as("alerts delivered to %s", receiver)
                        .isEqualTo(alerts));
    }

    private static void assertSigned(FaultyReceiver.Attempt a, String secret) throws Exception {
        assertThat(a.signature()).matches("t=\\d+,v1=[0-9a-f]{64}");
        String t = a.signature().substring(2, a.signature().indexOf(','));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String v1 = HexFormat.of().formatHex(mac.doFinal((t + "." + a.body()).getBytes(StandardCharsets.UTF_8)));
        assertThat(a.signature()).endsWith("v1=" + v1);
        @SuppressWarnings("unchecked")
        Map<String, Object> event = (Map<String, Object>) Json.parse(a.body());
        assertThat(event).containsEntry("id", a.eventId());
    }
}
