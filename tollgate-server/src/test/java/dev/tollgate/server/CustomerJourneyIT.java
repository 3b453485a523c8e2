package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A customer walked from free, through a trial of pro, to pro with an add-on, over the sample catalog. */
final class CustomerJourneyIT {
    @TempDir
    Path dir;

    Harness h;

    @BeforeEach
    void start() {
        h = new Harness(dir, Instant.parse("2026-01-06T10:00:00Z"));
        assertThat(h.applySampleCatalog().status()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void free_then_trial_of_pro_then_back_to_free_then_pro_with_addon() {
        h.customerOn("acme", "free");
        assertThat(limits("acme")).containsEntry("ai-queries", "10");
        assertThat(h.check("acme", "sso").body())
                .containsEntry("allowed", false)
                .containsEntry("reason", "NOT_ENTITLED");

        ApiClient.Reply trial =
                h.put("/v1/customers/acme/subscription", Map.of("plan", "free", "trial", Map.of("plan", "pro")));
        assertThat(trial.status()).as(trial.text()).isEqualTo(200);
        assertThat(trial.get("status")).isEqualTo("trialing");
        assertThat(limits("acme")).containsEntry("ai-queries", "1000");
        assertThat(h.check("acme", "sso").get("allowed")).isEqualTo(true);

        h.clock.advance(Duration.ofDays(14).minusNanos(1));
        assertThat(h.check("acme", "sso").get("allowed")).isEqualTo(true);
        h.clock.advance(Duration.ofNanos(1));
        assertThat(h.check("acme", "sso").get("allowed"))
                .as("trial ends exactly at its end")
                .isEqualTo(false);
        assertThat(limits("acme")).containsEntry("ai-queries", "10");
        assertThat(h.get("/v1/customers/acme").get("status")).isEqualTo("active");

        ApiClient.Reply pro = h.put(
                "/v1/customers/acme/subscription",
                Map.of("plan", "pro", "addons", List.of(Map.of("key", "extra-queries", "quantity", 2))));
        assertThat(pro.status()).as(pro.text()).isEqualTo(200);
        assertThat(limits("acme")).containsEntry("ai-queries", "2000").containsEntry("llm-tokens", "2000000");
        ApiClient.Reply seats = h.post("/v1/check", Map.of("customerId", "acme", "feature", "seats", "quantity", 6));
        assertThat(seats.body()).containsEntry("allowed", false).containsEntry("value", new BigDecimal(5));
    }

    @Test
    void trial_true_tries_the_subscribed_plan_and_the_plan_continues_after_it() {
        h.customerOn("beta", "free");
        ApiClient.Reply r = h.put("/v1/customers/beta/subscription", Map.of("plan", "pro", "trial", true));
        assertThat(r.get("status")).isEqualTo("trialing");
        h.clock.advance(Duration.ofDays(15));
        assertThat(h.get("/v1/customers/beta").get("status")).isEqualTo("active");
        assertThat(h.check("beta", "sso").get("allowed")).isEqualTo(true);
    }

    @Test
    void a_plan_without_a_trial_refuses_trial_true() {
        h.customerOn("gamma", "free");
        ApiClient.Reply r = h.put("/v1/customers/gamma/subscription", Map.of("plan", "free", "trial", true));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).containsEntry("code", "TRIAL_NOT_AVAILABLE").containsEntry("field", "trial");
    }

    @Test
    void promotion_counts_until_it_expires_exactly() {
        h.customerOn("delta", "free");
        Instant expires = h.clock.instant().plus(Duration.ofHours(1));
        ApiClient.Reply promo = h.post(
                "/v1/customers/delta/promotions",
                Map.of("feature", "ai-queries", "entitlement", Map.of("limit", 300), "expiresAt", expires.toString()));
        assertThat(promo.status()).as(promo.text()).isEqualTo(201);
        assertThat(limits("delta")).containsEntry("ai-queries", "300");
        h.clock.set(expires);
        assertThat(limits("delta")).containsEntry("ai-queries", "10");
    }

    @Test
    void cancel_at_period_end_keeps_entitlements_until_the_billing_period_ends() {
        h.customerOn("eps", "pro");
        ApiClient.Reply cancel = h.delete("/v1/customers/eps/subscription?at=period-end");
        assertThat(cancel.status()).as(cancel.text()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        Map<String, Object> sub = (Map<String, Object>) cancel.get("subscription");
        assertThat(sub).containsEntry("cancelAt", "2026-02-06T10:00:00Z");
        h.clock.set(Instant.parse("2026-02-06T09:59:59Z"));
        assertThat(h.check("eps", "sso").get("allowed")).isEqualTo(true);
        h.clock.set(Instant.parse("2026-02-06T10:00:00Z"));
        assertThat(h.check("eps", "sso").get("allowed")).isEqualTo(false);
        assertThat(h.get("/v1/customers/eps").get("status")).isEqualTo("cancelled");
    }

    @Test
    void a_customer_without_a_subscription_in_force_is_refused_no_subscription() {
        assertThat(h.put("/v1/customers/idle", Map.of("name", "idle")).status()).isEqualTo(200);
        assertThat(h.check("idle", "ai-queries").body())
                .containsEntry("allowed", false)
                .containsEntry("reason", "NO_SUBSCRIPTION");
        ApiClient.Reply consumed = h.consume("idle", "ai-queries", 1, "idle-1");
        assertThat(consumed.status()).isEqualTo(200);
        assertThat(consumed.body()).containsEntry("recorded", false).containsEntry("reason", "NO_SUBSCRIPTION");
        ApiClient.Reply events = h.post(
                "/v1/events",
                Map.of(
                        "events",
                        List.of(Map.of(
                                "idempotencyKey",
                                "idle-e1",
                                "customerId",
                                "idle",
                                "feature",
                                "ai-queries",
                                "quantity",
                                1))));
        assertThat(events.text()).contains("\"rejected\"").contains("\"NO_SUBSCRIPTION\"");
        ApiClient.Reply cancel = h.delete("/v1/customers/idle/subscription");
        assertThat(cancel.status()).isEqualTo(409);
        assertThat(cancel.error()).containsEntry("code", "NO_SUBSCRIPTION");

        h.customerOn("ended", "free");
        assertThat(h.check("ended", "sso").get("reason"))
                .as("subscribed, not granted")
                .isEqualTo("NOT_ENTITLED");
        assertThat(h.delete("/v1/customers/ended/subscription").status()).isEqualTo(200);
        assertThat(h.check("ended", "ai-queries").get("reason")).isEqualTo("NO_SUBSCRIPTION");
    }

    @Test
    void unknown_plan_and_addon_are_404_with_the_field() {
        h.customerOn("zeta", "free");
        ApiClient.Reply plan = h.put("/v1/customers/zeta/subscription", Map.of("plan", "platinum"));
        assertThat(plan.status()).isEqualTo(404);
        assertThat(plan.error()).containsEntry("code", "PLAN_NOT_FOUND").containsEntry("field", "plan");
        ApiClient.Reply addon = h.put(
                "/v1/customers/zeta/subscription",
                Map.of("plan", "pro", "addons", List.of(Map.of("key", "nope", "quantity", 1))));
        assertThat(addon.status()).isEqualTo(404);
        assertThat(addon.error()).containsEntry("field", "addons[0].key");
        assertThat(h.put("/v1/customers/nobody/subscription", Map.of("plan", "pro"))
                        .status())
                .isEqualTo(404);
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> limits(String customer) {
        ApiClient.Reply r = h.get("/v1/customers/" + customer + "/entitlements");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        List<Map<String, Object>> list = (List<Map<String, Object>>) r.get("entitlements");
        return list.stream()
                .filter(e -> "metered".equals(e.get("type")))
                .collect(Collectors.toMap(
                        e -> (String) e.get("feature"),
                        e -> e.get("limit") == null ? "unlimited" : ((BigDecimal) e.get("limit")).toPlainString()));
    }

    @Test
    void customers_are_listed_a_page_at_a_time_with_their_plan_version_and_filtered_by_plan() {
        h.customerOn("carol", "pro");
        h.customerOn("alice", "free");
        h.customerOn("bob", "pro");

        ApiClient.Reply first = h.get("/v1/customers?limit=2");
        assertThat(first.status()).as(first.text()).isEqualTo(200);
        assertThat(ids(first)).containsExactly("alice", "bob");
        @SuppressWarnings("unchecked")
        Map<String, Object> alice = ((List<Map<String, Object>>) first.get("customers")).get(0);
        assertThat(alice.get("subscription").toString()).contains("plan=free", "planVersion=1");
        String cursor = (String) first.get("nextCursor");
        assertThat(cursor).isNotNull();
        ApiClient.Reply second = h.get("/v1/customers?limit=2&cursor=" + cursor);
        assertThat(ids(second)).containsExactly("carol");
        assertThat(second.body()).containsEntry("nextCursor", null);

        assertThat(ids(h.get("/v1/customers?plan=pro"))).containsExactly("bob", "carol");
        ApiClient.Reply pro = h.get("/v1/customers?plan=pro&limit=1");
        assertThat(ids(pro)).containsExactly("bob");
        assertThat(ids(h.get("/v1/customers?plan=pro&limit=1&cursor=" + pro.get("nextCursor"))))
                .containsExactly("carol");

        for (String bad : List.of("limit=0", "limit=1001", "limit=x")) {
            ApiClient.Reply r = h.get("/v1/customers?" + bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.error()).containsEntry("field", "limit");
        }
        ApiClient.Reply badCursor = h.get("/v1/customers?cursor=%21%21");
        assertThat(badCursor.status()).isEqualTo(400);
        assertThat(badCursor.error()).containsEntry("code", "INVALID_CURSOR").containsEntry("field", "cursor");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> ids(ApiClient.Reply r) {
        return ((List<Map<String, Object>>) r.get("customers"))
                .stream().map(c -> c.get("id")).toList();
    }
}
