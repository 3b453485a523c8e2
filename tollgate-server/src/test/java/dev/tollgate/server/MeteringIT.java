package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Check, consume and events against metered limits: boundaries, resets, soft overage, idempotency. */
final class MeteringIT {
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

    @Test
    void hard_limit_admits_exactly_up_to_the_limit_and_names_what_bound_it() {
        h.customerOn("acme", "free");
        ApiClient.Reply first = h.consume("acme", "ai-queries", 9, "k1");
        assertThat(first.body()).containsEntry("allowed", true).containsEntry("recorded", true);
        assertThat(first.decimal("used")).isEqualByComparingTo("9");
        assertThat(first.decimal("remaining")).isEqualByComparingTo("1");

        ApiClient.Reply tooMuch = h.consume("acme", "ai-queries", 2, "k2");
        assertThat(tooMuch.status()).isEqualTo(200);
        assertThat(tooMuch.body())
                .containsEntry("allowed", false)
                .containsEntry("reason", "LIMIT_EXCEEDED")
                .containsEntry("recorded", false)
                .containsEntry("boundBy", Map.of("kind", "feature", "feature", "ai-queries"));
        assertThat(tooMuch.decimal("used")).isEqualByComparingTo("9");

        ApiClient.Reply exact = h.consume("acme", "ai-queries", 1, "k3");
        assertThat(exact.body()).containsEntry("allowed", true);
        assertThat(exact.decimal("remaining")).isEqualByComparingTo("0");
        assertThat(h.check("acme", "ai-queries").body()).containsEntry("allowed", false);
    }

    @Test
    void anchored_month_resets_on_the_last_day_of_a_shorter_month_and_not_before() {
        h.customerOn("acme", "free");
        for (int i = 0; i < 10; i++) {
            assertThat(h.consume("acme", "ai-queries", 1, "q" + i).get("allowed"))
                    .isEqualTo(true);
        }
        ApiClient.Reply full = h.check("acme", "ai-queries");
        assertThat(full.get("allowed")).isEqualTo(false);
        assertThat(full.get("resetsAt")).isEqualTo("2026-02-28T12:00:00Z");

        h.clock.set(Instant.parse("2026-02-28T11:59:59.999Z"));
        assertThat(h.consume("acme", "ai-queries", 1, "late").get("allowed")).isEqualTo(false);
        h.clock.set(Instant.parse("2026-02-28T12:00:00Z"));
        ApiClient.Reply fresh = h.consume("acme", "ai-queries", 1, "fresh");
        assertThat(fresh.get("allowed")).isEqualTo(true);
        assertThat(fresh.decimal("used")).isEqualByComparingTo("1");
        assertThat(fresh.get("resetsAt")).isEqualTo("2026-03-31T12:00:00Z");
    }

    @Test
    void soft_limit_admits_and_flags_the_overage_quantity() {
        h.customerOn("acme", "pro");
        h.consume("acme", "ai-queries", 999, "a");
        ApiClient.Reply over = h.consume("acme", "ai-queries", 5, "b");
        assertThat(over.body()).containsEntry("allowed", true).containsEntry("overage", true);
        assertThat(over.decimal("overageQuantity")).isEqualByComparingTo("4");
        assertThat(over.decimal("used")).isEqualByComparingTo("1004");
        assertThat(over.decimal("remaining")).isEqualByComparingTo("0");
    }

    @Test
    void decimal_quantities_are_exact_at_the_boundary() {
        h.put(
                "/v1/catalog",
                Map.of(
                        "features", List.of(Map.of("key", "gpu", "type", "metered")),
                        "plans",
                                List.of(Map.of(
                                        "key",
                                        "p",
                                        "entitlements",
                                        Map.of("gpu", Map.of("limit", new BigDecimal("1.0")))))));
        h.customerOn("acme", "p");
        assertThat(h.consume("acme", "gpu", new BigDecimal("0.7"), "a").get("allowed"))
                .isEqualTo(true);
        assertThat(h.consume("acme", "gpu", new BigDecimal("0.30000001"), "b").get("allowed"))
                .isEqualTo(false);
        ApiClient.Reply exact = h.consume("acme", "gpu", new BigDecimal("0.3"), "c");
        assertThat(exact.get("allowed")).isEqualTo(true);
        assertThat(exact.decimal("used")).isEqualByComparingTo("1.0");
    }

    @Test
    void a_repeated_key_returns_the_first_answer_and_changes_nothing() {
        h.customerOn("acme", "free");
        ApiClient.Reply first = h.consume("acme", "ai-queries", 3, "same");
        ApiClient.Reply again = h.consume("acme", "ai-queries", 3, "same");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.replayed()).isTrue();
        assertThat(first.replayed()).isFalse();
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(h.check("acme", "ai-queries").decimal("used")).isEqualByComparingTo("3");

        ApiClient.Reply reused = h.consume("acme", "ai-queries", 4, "same");
        assertThat(reused.status()).isEqualTo(409);
        assertThat(reused.error())
                .containsEntry("code", "IDEMPOTENCY_KEY_REUSED")
                .containsEntry("field", "idempotencyKey");
    }

    @Test
    void a_repeated_denial_is_still_a_denial_after_room_appears() {
        h.customerOn("acme", "free");
        h.consume("acme", "ai-queries", 10, "fill");
        ApiClient.Reply denied = h.consume("acme", "ai-queries", 1, "retry-me");
        assertThat(denied.get("allowed")).isEqualTo(false);
        h.put("/v1/customers/acme/subscription", Map.of("plan", "pro"));
        ApiClient.Reply again = h.consume("acme", "ai-queries", 1, "retry-me");
        assertThat(again.replayed()).isTrue();
        assertThat(again.get("allowed")).isEqualTo(false);
    }

    @Test
    void events_batch_answers_per_event_and_records_overage_past_a_hard_limit() {
        h.customerOn("acme", "free");
        Map<String, Object> ok =
                Map.of("idempotencyKey", "e1", "customerId", "acme", "feature", "ai-queries", "quantity", 8);
        Map<String, Object> over =
                Map.of("idempotencyKey", "e2", "customerId", "acme", "feature", "ai-queries", "quantity", 5);
        Map<String, Object> dup =
                Map.of("idempotencyKey", "e1", "customerId", "acme", "feature", "ai-queries", "quantity", 8);
        Map<String, Object> ghost =
                Map.of("idempotencyKey", "e3", "customerId", "ghost", "feature", "ai-queries", "quantity", 1);
        Map<String, Object> negative =
                Map.of("idempotencyKey", "e4", "customerId", "acme", "feature", "ai-queries", "quantity", -1);
        Map<String, Object> bool =
                Map.of("idempotencyKey", "e5", "customerId", "acme", "feature", "sso", "quantity", 1);

        ApiClient.Reply r = h.post("/v1/events", Map.of("events", List.of(ok, over, dup, ghost, negative, bool)));

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body())
                .containsEntry("accepted", new BigDecimal(2))
                .containsEntry("duplicates", BigDecimal.ONE)
                .containsEntry("rejected", new BigDecimal(3));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) r.get("results");
        assertThat(results)
                .extracting(m -> m.get("status"))
                .containsExactly("accepted", "accepted", "duplicate", "rejected", "rejected", "rejected");
        assertThat(results.get(0)).containsEntry("overage", false);
        assertThat(results.get(1)).containsEntry("overage", true);
        assertThat(results.get(3)).containsEntry("reason", "CUSTOMER_NOT_FOUND");
        assertThat(results.get(4))
                .containsEntry("reason", "INVALID_EVENT")
                .containsEntry("field", "events[4].quantity");
        assertThat(results.get(5)).containsEntry("reason", "FEATURE_NOT_METERED");
        assertThat(h.check("acme", "ai-queries").decimal("used")).isEqualByComparingTo("13");

        ApiClient.Reply again = h.post("/v1/events", Map.of("events", List.of(ok)));
        assertThat(again.body()).containsEntry("duplicates", BigDecimal.ONE);
        assertThat(h.check("acme", "ai-queries").decimal("used")).isEqualByComparingTo("13");
    }

    @Test
    void an_event_timestamped_in_the_previous_period_counts_there() {
        h.customerOn("acme", "free");
        h.clock.set(Instant.parse("2026-03-05T00:00:00Z"));
        Map<String, Object> old = Map.of(
                "idempotencyKey",
                "old",
                "customerId",
                "acme",
                "feature",
                "ai-queries",
                "quantity",
                4,
                "timestamp",
                "2026-02-27T00:00:00Z");
        assertThat(h.post("/v1/events", Map.of("events", List.of(old))).get("accepted"))
                .isEqualTo(BigDecimal.ONE);
        assertThat(h.check("acme", "ai-queries").decimal("used")).isEqualByComparingTo("0");
        Map<String, Object> future = Map.of(
                "idempotencyKey",
                "future",
                "customerId",
                "acme",
                "feature",
                "ai-queries",
                "quantity",
                1,
                "timestamp",
                "2026-03-06T00:00:00Z");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>)
                h.post("/v1/events", Map.of("events", List.of(future))).get("results");
        assertThat(results.get(0)).containsEntry("reason", "TIMESTAMP_IN_FUTURE");
    }

    @Test
    void boolean_and_config_checks_answer_without_metering() {
        h.customerOn("acme", "pro");
        assertThat(h.check("acme", "sso").body()).containsEntry("allowed", true);
        ApiClient.Reply seats = h.check("acme", "seats");
        assertThat(seats.body()).containsEntry("allowed", true).containsEntry("value", new BigDecimal(5));
        ApiClient.Reply consumeBool = h.consume("acme", "sso", 1, "x");
        assertThat(consumeBool.body()).containsEntry("allowed", false).containsEntry("reason", "FEATURE_NOT_METERED");
    }

    @Test
    void unknown_customer_and_feature_are_404_with_a_reason() {
        h.customerOn("acme", "free");
        ApiClient.Reply noCustomer = h.check("ghost", "ai-queries");
        assertThat(noCustomer.status()).isEqualTo(404);
        assertThat(noCustomer.body()).containsEntry("allowed", false).containsEntry("reason", "CUSTOMER_NOT_FOUND");
        assertThat(noCustomer.error()).containsEntry("field", "customerId");
        ApiClient.Reply noFeature = h.consume("acme", "teleport", 1, "t");
        assertThat(noFeature.status()).isEqualTo(404);
        assertThat(noFeature.error()).containsEntry("code", "FEATURE_NOT_FOUND").containsEntry("field", "feature");
    }

    @Test
    void overage_is_read_back_from_entitlements_usage_and_the_billing_export_also_after_a_restart() {
        h.customerOn("acme", "free");
        h.customerOn("soft", "pro");
        assertThat(h.consume("acme", "ai-queries", 8, "k1").get("allowed")).isEqualTo(true);
        ApiClient.Reply events = h.post(
                "/v1/events",
                Map.of(
                        "events",
                        List.of(Map.of(
                                "idempotencyKey",
                                "e1",
                                "customerId",
                                "acme",
                                "feature",
                                "ai-queries",
                                "quantity",
                                5))));
        assertThat(events.text()).contains("\"overage\":true");
        assertThat(h.consume("soft", "ai-queries", 1004, "s1").decimal("overageQuantity"))
                .isEqualByComparingTo("4");

        for (int pass = 0; pass < 2; pass++) {
            assertThat((BigDecimal) entitlement("acme", "ai-queries").get("overage"))
                    .isEqualByComparingTo("3");
            assertThat((BigDecimal) entitlement("acme", "llm-tokens").get("overage"))
                    .as("0 when none")
                    .isEqualByComparingTo("0");
            assertThat((BigDecimal) entitlement("soft", "ai-queries").get("overage"))
                    .isEqualByComparingTo("4");

            ApiClient.Reply usage = h.get("/v1/customers/acme/usage?groupBy=feature");
            assertThat(usage.status()).as(usage.text()).isEqualTo(200);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rows = (List<Map<String, Object>>) usage.get("rows");
            assertThat(rows).singleElement().satisfies(r -> {
                assertThat((BigDecimal) r.get("quantity")).isEqualByComparingTo("13");
                assertThat((BigDecimal) r.get("overage")).isEqualByComparingTo("3");
            });

            ApiClient.Reply export = h.get("/v1/customers/acme/usage/export?format=json");
            assertThat(export.status()).as(export.text()).isEqualTo(200);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> periods = (List<Map<String, Object>>) export.get("periods");
            assertThat(periods)
                    .singleElement()
                    .satisfies(p -> assertThat(p)
                            .containsEntry("feature", "ai-queries")
                            .containsEntry("periodStart", "2026-01-31T12:00:00Z")
                            .containsEntry("periodEnd", "2026-02-28T12:00:00Z")
                            .containsEntry("limit", BigDecimal.TEN)
                            .containsEntry("used", new BigDecimal("13"))
                            .containsEntry("overage", new BigDecimal("3"))
                            .containsEntry("events", BigDecimal.valueOf(2)));
            ApiClient.Reply csv = h.get("/v1/customers/acme/usage/export?format=csv&from=2026-01-01T00:00:00Z");
            assertThat(csv.status()).isEqualTo(200);
            assertThat(csv.headers().get("content-type"))
                    .singleElement()
                    .asString()
                    .startsWith("text/csv");
            assertThat(csv.text()).isEqualTo("""
                            customerId,feature,periodStart,periodEnd,limit,unlimited,used,overage,credits,events\r
                            acme,ai-queries,2026-01-31T12:00:00Z,2026-02-28T12:00:00Z,10,false,13,3,,2\r
                            """);
            h.restart();
        }
        ApiClient.Reply bad = h.get("/v1/customers/acme/usage/export?format=xml");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error()).containsEntry("code", "INVALID_QUERY").containsEntry("field", "format");
        assertThat(h.get("/v1/customers/nobody/usage/export").status()).isEqualTo(404);
    }

    private Map<String, Object> entitlement(String customer, String feature) {
        ApiClient.Reply r = h.get("/v1/customers/" + customer + "/entitlements");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) r.get("entitlements");
        return list.stream()
                .filter(e -> feature.equals(e.get("feature")))
                .findFirst()
                .orElseThrow();
    }
}
