package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 4 over HTTP: an idempotency key is tied to what it was used for. After a consume with a key, every
 * other write with it is {@code 409 IDEMPOTENCY_KEY_REUSED} (an event with it is rejected with that reason) and
 * changes nothing, also after a restart; the engine's own key prefixes are refused.
 */
final class IdempotencyIT {
    @TempDir
    Path dir;

    Harness h;

    @BeforeEach
    void start() {
        h = new Harness(dir, Instant.parse("2026-01-31T12:00:00Z"));
        assertThat(h.applySampleCatalog().status()).isEqualTo(200);
        h.customerOn("acme", "pro");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private void assertReused(ApiClient.Reply r, String what) {
        assertThat(r.status()).as(what + ": " + r.text()).isEqualTo(409);
        assertThat(r.error())
                .as(what)
                .containsEntry("code", "IDEMPOTENCY_KEY_REUSED")
                .containsEntry("field", "idempotencyKey");
    }

    private void everyOtherWriteIsRefused(String key) {
        assertReused(
                h.put("/v1/customers/acme/subscription", Map.of("plan", "enterprise", "idempotencyKey", key)),
                "subscription");
        assertReused(
                h.post(
                        "/v1/customers/acme/promotions",
                        Map.of("feature", "ai-queries", "entitlement", Map.of("limit", 50), "idempotencyKey", key)),
                "promotion (a ClassCastException, 500, before)");
        assertReused(h.put("/v1/customers/acme", Map.of("name", "Other", "idempotencyKey", key)), "customer");
        assertReused(
                h.post(
                        "/v1/customers/acme/grants",
                        Map.of("currency", "credits", "amount", 10, "category", "paid", "idempotencyKey", key)),
                "grant");
        assertReused(
                h.post(
                        "/v1/sessions",
                        Map.of(
                                "customerId",
                                "acme",
                                "feature",
                                "ai-queries",
                                "amount",
                                2,
                                "ttlSeconds",
                                60,
                                "idempotencyKey",
                                key)),
                "session");
        ApiClient.Reply events = h.post(
                "/v1/events",
                Map.of(
                        "events",
                        List.of(Map.of(
                                "idempotencyKey", key, "customerId", "acme", "feature", "ai-queries", "quantity", 1))));
        assertThat(events.status()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) ((List<?>) events.get("results")).get(0);
        assertThat(result)
                .as("an event with the key (a duplicate before)")
                .containsEntry("status", "rejected")
                .containsEntry("reason", "IDEMPOTENCY_KEY_REUSED")
                .containsEntry("field", "events[0].idempotencyKey");
    }

    @Test
    void a_consumes_key_is_refused_by_every_other_write_and_changes_nothing_also_after_a_restart() {
        ApiClient.Reply first = h.consume("acme", "ai-queries", 3, "K");
        assertThat(first.status()).isEqualTo(200);
        ApiClient.Reply customerBefore = h.get("/v1/customers/acme");
        ApiClient.Reply grantsBefore = h.get("/v1/customers/acme/grants");

        everyOtherWriteIsRefused("K");

        assertThat(h.get("/v1/customers/acme").body()).isEqualTo(customerBefore.body());
        assertThat(h.get("/v1/customers/acme/grants").body()).isEqualTo(grantsBefore.body());
        assertThat(h.check("acme", "ai-queries").decimal("used")).isEqualByComparingTo("3");

        h.restart();
        everyOtherWriteIsRefused("K");
        ApiClient.Reply again = h.consume("acme", "ai-queries", 3, "K");
        assertThat(again.replayed()).isTrue();
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(h.check("acme", "ai-queries").decimal("used")).isEqualByComparingTo("3");
    }

    @Test
    void a_repeated_customer_upsert_replays_and_other_content_with_its_key_is_refused() {
        assertThat(h.put("/v1/customers/acme", Map.of("name", "Acme", "idempotencyKey", "P"))
                        .status())
                .isEqualTo(200);
        ApiClient.Reply again = h.put("/v1/customers/acme", Map.of("name", "Acme", "idempotencyKey", "P"));
        assertThat(again.status())
                .as("the second record with the key failed the commit before: " + again.text())
                .isEqualTo(200);
        assertReused(h.put("/v1/customers/acme", Map.of("name", "Other", "idempotencyKey", "P")), "customer");
        assertThat(h.get("/v1/customers/acme").get("name")).isEqualTo("Acme");
    }

    @Test
    void keys_with_the_engines_own_prefixes_are_refused() {
        for (String key : List.of("void:g1", "refund:K", "close:acme@s1", "delivered:a w")) {
            ApiClient.Reply r = h.consume("acme", "ai-queries", 1, key);
            assertThat(r.status()).as(key).isEqualTo(400);
            assertThat(r.error())
                    .containsEntry("code", "INVALID_IDEMPOTENCY_KEY")
                    .containsEntry("field", "idempotencyKey");
        }
    }
}
