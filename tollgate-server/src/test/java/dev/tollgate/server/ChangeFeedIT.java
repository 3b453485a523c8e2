package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.core.json.Json;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The change feed over real HTTP: snapshot, changes, resume by cursor, bad input, a client that never reads. */
final class ChangeFeedIT {
    @TempDir
    Path dir;

    Harness h;

    @BeforeEach
    void start() {
        h = new Harness(dir, Instant.parse("2026-01-31T12:00:00Z"));
        assertThat(h.applySampleCatalog().status()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> entitlement(EventStream.Event e, String feature) {
        return ((List<Map<String, Object>>) e.data().get("entitlements"))
                .stream()
                        .filter(m -> feature.equals(m.get("feature")))
                        .findFirst()
                        .orElseThrow();
    }

    private static BigDecimal used(EventStream.Event e, String feature) {
        return new BigDecimal(entitlement(e, feature).get("used").toString());
    }

    @Test
    void a_subscriber_gets_a_snapshot_then_each_change_and_resumes_from_its_cursor_without_a_gap() throws Exception {
        h.customerOn("acme", "free");
        String last;
        try (EventStream s = EventStream.open(h.port(), "/v1/stream?customers=acme,ghost", null)) {
            assertThat(s.response().headers().firstValue("content-type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
            EventStream.Event acme = s.nextFor("acme");
            assertThat(acme.type()).isEqualTo("state");
            assertThat(acme.data()).containsEntry("exists", true).containsEntry("cursor", acme.id());
            assertThat(used(acme, "ai-queries")).isEqualByComparingTo("0");

            assertThat(h.consume("acme", "ai-queries", 3, "k1").get("allowed")).isEqualTo(true);
            EventStream.Event changed = s.nextFor("acme");
            assertThat(used(changed, "ai-queries")).isEqualByComparingTo("3");
            assertThat(Long.parseLong(changed.id())).isGreaterThan(Long.parseLong(acme.id()));
            last = changed.id();
        }

        assertThat(h.consume("acme", "ai-queries", 2, "k2").get("allowed")).isEqualTo(true);
        h.customerOn("ghost", "pro");

        try (EventStream s = EventStream.open(h.port(), "/v1/stream?customers=acme,ghost", last)) {
            EventStream.Event first = s.next();
            EventStream.Event second = s.next();
            assertThat(List.of(first.customerId(), second.customerId()))
                    .as("what changed while away, in commit order")
                    .containsExactly("acme", "ghost");
            assertThat(used(first, "ai-queries")).isEqualByComparingTo("5");
            assertThat(second.data()).containsEntry("exists", true);
            assertThat(entitlement(second, "ai-queries")).containsEntry("enforcement", "soft");
        }
    }

    /**
     * A stream opened with a key that is then revoked sends nothing more: it is closed at its next event (or
     * keep-alive), so a leaked key revoked by the operator stops leaking the customers' changes.
     */
    @Test
    void a_stream_whose_key_is_revoked_ends_without_sending_another_change() throws Exception {
        h.customerOn("acme", "free");
        ApiClient.Reply made = h.post("/v1/keys", Map.of("kind", "secret", "name", "feed reader"));
        assertThat(made.status()).as(made.text()).isEqualTo(201);
        try (EventStream s = EventStream.open(h.port(), "/v1/stream?customers=acme", null, (String) made.get("key"))) {
            assertThat(s.next().data()).containsEntry("customerId", "acme");
            assertThat(h.delete("/v1/keys/" + made.get("id")).status()).isEqualTo(200);
            assertThat(h.put("/v1/customers/acme/subscription", Map.of("plan", "pro"))
                            .status())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(s::ended);
            assertThat(s.drain())
                    .as("the change made after the revocation is never sent (a state from before it may have been on"
                            + " its way: an owner renders its state again after a batch that changed nothing)")
                    .allSatisfy(e -> assertThat(Json.write(e.data())).doesNotContain("plan:pro"));
        }
    }

    @Test
    void a_named_customer_that_does_not_exist_is_sent_as_such_then_when_it_is_created() throws Exception {
        try (EventStream s = EventStream.open(h.port(), "/v1/stream?customers=ghost", null)) {
            assertThat(s.next().data()).containsEntry("customerId", "ghost").containsEntry("exists", false);

            h.customerOn("ghost", "free");

            EventStream.Event created = s.next();
            assertThat(created.data()).containsEntry("exists", true);
            while (((List<?>) created.data().get("entitlements")).isEmpty()) {
                created = s.next(); // created, then subscribed: one event each unless the two were coalesced
            }
            assertThat(used(created, "ai-queries")).isEqualByComparingTo("0");
        }
    }

    @Test
    void a_resume_from_a_cursor_before_the_restart_gets_a_full_snapshot() throws Exception {
        h.customerOn("acme", "free");
        String last;
        try (EventStream s = EventStream.open(h.port(), "/v1/stream?customers=acme", null)) {
            last = s.next().id();
        }
        h.restart();

        try (EventStream s = EventStream.open(h.port(), "/v1/stream?customers=acme", last)) {
            EventStream.Event again = s.next();
            assertThat(again.customerId()).isEqualTo("acme");
            assertThat(Long.parseLong(again.id())).isLessThan(Long.parseLong(last) + 1_000_000_000L);
        }
    }

    /** Regression: stopping the I/O threads alone left a stream's connection open at times; its client never knew. */
    @Test
    void a_server_that_stops_ends_every_stream_so_that_clients_reconnect() throws Exception {
        h.customerOn("acme", "free");
        try (EventStream s = EventStream.open(h.port(), "/v1/stream?customers=acme", null)) {
            assertThat(s.next().customerId()).isEqualTo("acme");

            h.restart();

            assertThat(s.endedByServer()).isTrue();
        }
    }

    @Test
    void bad_input_is_refused_before_the_stream_starts_with_the_field_named() {
        ApiClient.Reply noIds = h.get("/v1/stream?customers=,");
        assertThat(noIds.status()).isEqualTo(400);
        assertThat(noIds.error()).containsEntry("code", "INVALID_FIELD").containsEntry("field", "customers");

        ApiClient.Reply badCursor = h.get("/v1/stream?since=yesterday");
        assertThat(badCursor.status()).isEqualTo(400);
        assertThat(badCursor.error()).containsEntry("field", "since");

        ApiClient.Reply noKey = h.send("GET", "/v1/stream", null, "application/json", null);
        assertThat(noKey.status()).isEqualTo(401);
    }

    /**
     * A subscriber to every customer that never reads: its socket buffers fill, the server stops writing to it, and
     * every write of every customer still completes; a subscriber that reads sees the last of them.
     */
    @Test
    void a_client_that_never_reads_does_not_hold_up_writes_or_other_subscribers() throws Exception {
        for (int i = 0; i < 20; i++) {
            h.customerOn("c" + i, "pro");
        }
        try (Socket stalled = new Socket("127.0.0.1", h.port());
                EventStream reader = EventStream.open(h.port(), "/v1/stream?customers=c7", null)) {
            stalled.setReceiveBufferSize(4096);
            OutputStream out = stalled.getOutputStream();
            out.write(("GET /v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ApiClient.KEY + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(reader.next().customerId()).isEqualTo("c7");

            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<ApiClient.Reply>> writes = new ArrayList<>();
                for (int n = 0; n < 2000; n++) {
                    String c = "c" + (n % 20);
                    String key = "k" + n;
                    writes.add(pool.submit(() -> h.consume(c, "ai-queries", 1, key)));
                }
                for (Future<ApiClient.Reply> w : writes) {
                    assertThat(w.get().status()).isEqualTo(200);
                }
            } finally {
                pool.shutdownNow();
            }

            EventStream.Event latest = reader.nextFor("c7");
            while (used(latest, "ai-queries").compareTo(BigDecimal.valueOf(100)) < 0) {
                latest = reader.nextFor("c7");
            }
            assertThat(used(latest, "ai-queries")).isEqualByComparingTo("100");
        }
    }
}
