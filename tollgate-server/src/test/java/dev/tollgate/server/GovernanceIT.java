package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scopes and budgets over HTTP: the tree, budget usage, refusals naming the binding budget, bad inputs. */
final class GovernanceIT {
    @TempDir
    Path dir;

    Harness h;

    @BeforeEach
    void start() {
        h = new Harness(dir, Instant.parse("2026-04-10T09:00:00Z"));
        assertThat(h.applySampleCatalog().status()).isEqualTo(200);
        h.customerOn("acme", "enterprise");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private ApiClient.Reply consumeAt(String scope, int quantity, String key) {
        return h.post(
                "/v1/consume",
                Map.of(
                        "customerId",
                        "acme",
                        "feature",
                        "ai-queries",
                        "quantity",
                        quantity,
                        "scope",
                        scope,
                        "idempotencyKey",
                        key));
    }

    @Test
    void a_team_budget_binds_an_agent_and_the_tree_shows_usage() {
        assertThat(h.put("/v1/customers/acme/scopes/analytics", Map.of("kind", "department"))
                        .status())
                .isEqualTo(200);
        assertThat(h.put("/v1/customers/acme/scopes/pipeline", Map.of("kind", "agent", "parent", "analytics"))
                        .status())
                .isEqualTo(200);
        ApiClient.Reply budget = h.put(
                "/v1/customers/acme/scopes/analytics/budgets/monthly",
                Map.of(
                        "feature",
                        "ai-queries",
                        "limit",
                        5,
                        "period",
                        "month",
                        "enforcement",
                        "hard",
                        "alerts",
                        List.of(new BigDecimal("0.5"), BigDecimal.ONE)));
        assertThat(budget.status()).as(budget.text()).isEqualTo(200);

        assertThat(consumeAt("pipeline", 4, "k1").get("allowed")).isEqualTo(true);
        ApiClient.Reply refused = consumeAt("pipeline", 2, "k2");
        assertThat(refused.body())
                .containsEntry("allowed", false)
                .containsEntry("reason", "BUDGET_EXCEEDED")
                .containsEntry("boundBy", Map.of("kind", "budget", "scope", "analytics", "budget", "monthly"));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> roots =
                (List<Map<String, Object>>) h.get("/v1/customers/acme/scopes").get("scopes");
        assertThat(roots).singleElement().satisfies(root -> {
            assertThat(root).containsEntry("id", "analytics");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> budgets = (List<Map<String, Object>>) root.get("budgets");
            assertThat((BigDecimal) budgets.get(0).get("used")).isEqualByComparingTo("4");
            assertThat((BigDecimal) budgets.get(0).get("remaining")).isEqualByComparingTo("1");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> children = (List<Map<String, Object>>) root.get("children");
            assertThat(children).singleElement().satisfies(c -> assertThat(c).containsEntry("id", "pipeline"));
        });
    }

    @Test
    void a_session_opens_holds_is_consumed_in_and_closes_over_http() {
        h.put("/v1/customers/acme/scopes/job", Map.of("kind", "agent"));
        h.put("/v1/customers/acme/scopes/job/budgets/cap", Map.of("feature", "ai-queries", "limit", 10));
        ApiClient.Reply opened = h.post(
                "/v1/sessions",
                Map.of(
                        "customerId",
                        "acme",
                        "scope",
                        "job",
                        "feature",
                        "ai-queries",
                        "amount",
                        6,
                        "ttlSeconds",
                        60,
                        "idempotencyKey",
                        "open-1"));
        assertThat(opened.status()).as(opened.text()).isEqualTo(201);
        String id = (String) opened.get("sessionId");
        assertThat(opened.body()).containsEntry("opened", true).containsEntry("status", "open");

        ApiClient.Reply refused = h.post(
                "/v1/sessions",
                Map.of(
                        "customerId",
                        "acme",
                        "scope",
                        "job",
                        "feature",
                        "ai-queries",
                        "amount",
                        5,
                        "ttlSeconds",
                        60,
                        "idempotencyKey",
                        "open-2"));
        assertThat(refused.status()).isEqualTo(200);
        assertThat(refused.body())
                .containsEntry("opened", false)
                .containsEntry("reason", "BUDGET_EXCEEDED")
                .containsEntry("boundBy", Map.of("kind", "budget", "scope", "job", "budget", "cap"));

        ApiClient.Reply inside = h.post(
                "/v1/consume",
                Map.of(
                        "customerId",
                        "acme",
                        "feature",
                        "ai-queries",
                        "quantity",
                        2,
                        "sessionId",
                        id,
                        "idempotencyKey",
                        "c1"));
        assertThat(inside.body()).containsEntry("allowed", true);
        assertThat((BigDecimal) h.get("/v1/sessions/" + id).get("held")).isEqualByComparingTo("4");
        ApiClient.Reply checkedOver = h.post(
                "/v1/check", Map.of("customerId", "acme", "feature", "ai-queries", "quantity", 5, "sessionId", id));
        assertThat(checkedOver.body())
                .containsEntry("allowed", false)
                .containsEntry("reason", "SESSION_EXHAUSTED")
                .containsEntry(
                        "boundBy", Map.of("kind", "session", "feature", "ai-queries", "scope", "job", "session", id));
        ApiClient.Reply events = h.post(
                "/v1/events",
                Map.of(
                        "events",
                        List.of(
                                Map.of(
                                        "idempotencyKey",
                                        "e1",
                                        "customerId",
                                        "acme",
                                        "feature",
                                        "ai-queries",
                                        "quantity",
                                        1,
                                        "sessionId",
                                        id),
                                Map.of(
                                        "idempotencyKey",
                                        "e2",
                                        "customerId",
                                        "acme",
                                        "feature",
                                        "ai-queries",
                                        "quantity",
                                        1,
                                        "sessionId",
                                        "acme@s77"))));
        assertThat(events.status()).as(events.text()).isEqualTo(200);
        assertThat(events.get("results").toString()).contains("status=accepted").contains("reason=SESSION_NOT_FOUND");
        assertThat((BigDecimal) h.get("/v1/sessions/" + id).get("held")).isEqualByComparingTo("3");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> running =
                (List<Map<String, Object>>) h.get("/v1/customers/acme/sessions").get("sessions");
        assertThat(running).as("the sessions running now").anySatisfy(r -> {
            assertThat(r).containsEntry("sessionId", id).containsEntry("status", "open");
            assertThat((BigDecimal) r.get("held")).isEqualByComparingTo("3");
        });
        assertThat(h.get("/v1/customers/nobody/sessions").error()).containsEntry("code", "CUSTOMER_NOT_FOUND");
        assertThat(h.post("/v1/sessions/" + id + "/heartbeat", Map.of("ttlSeconds", 120))
                        .status())
                .isEqualTo(200);
        ApiClient.Reply closed = h.post("/v1/sessions/" + id + "/close", Map.of("used", 4));
        assertThat(closed.body()).containsEntry("status", "closed");
        assertThat((BigDecimal) closed.get("consumed")).isEqualByComparingTo("4");

        ApiClient.Reply unknown = h.post("/v1/sessions/acme@s99/close", Map.of());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error()).containsEntry("code", "SESSION_NOT_FOUND");
        ApiClient.Reply again = h.post("/v1/sessions/" + id + "/heartbeat", Map.of("ttlSeconds", 10));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.error()).containsEntry("code", "SESSION_CLOSED");
        ApiClient.Reply both = h.post(
                "/v1/sessions",
                Map.of(
                        "customerId",
                        "acme",
                        "feature",
                        "ai-queries",
                        "currency",
                        "credits",
                        "amount",
                        1,
                        "ttlSeconds",
                        60,
                        "idempotencyKey",
                        "bad"));
        assertThat(both.error()).containsEntry("code", "INVALID_SESSION");
    }

    @Test
    void issue_15_a_currency_session_settled_above_its_consumption_counts_on_budgets_and_in_usage() {
        h.put("/v1/customers/acme/scopes/team", Map.of("kind", "team"));
        h.put("/v1/customers/acme/scopes/team/budgets/credit-cap", Map.of("currency", "credits", "limit", 5));
        h.post(
                "/v1/customers/acme/grants",
                Map.of("currency", "credits", "amount", 100, "category", "paid", "idempotencyKey", "buy"));
        String id = (String) openCredits("s1", 5).get("sessionId");

        ApiClient.Reply closed = h.post("/v1/sessions/" + id + "/close", Map.of("used", 3));
        assertThat(closed.status()).as(closed.text()).isEqualTo(200);
        assertThat(closed.decimal("consumed")).as("the settled total").isEqualByComparingTo("3");
        for (int run = 0; run < 2; run++) {
            assertThat(budgetUsed("team")).isEqualByComparingTo("3");
            ApiClient.Reply usage = h.get("/v1/customers/acme/usage?groupBy=scope");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rows = (List<Map<String, Object>>) usage.get("rows");
            assertThat(rows)
                    .as(usage.text())
                    .singleElement()
                    .satisfies(r -> assertThat(r).containsEntry("scope", "team"));
            assertThat(usage.text()).contains("\"credits\":{\"credits\":3}");
            ApiClient.Reply tooBig = openCredits("big-" + run, 5);
            assertThat(tooBig.body()).containsEntry("opened", false).containsEntry("reason", "BUDGET_EXCEEDED");
            h.restart();
        }
    }

    @Test
    void a_refused_currency_session_answers_the_currencys_figures_and_a_close_above_the_hold_says_so() {
        h.post(
                "/v1/customers/acme/grants",
                Map.of("currency", "credits", "amount", 4, "category", "paid", "idempotencyKey", "buy"));
        ApiClient.Reply refused = h.post(
                "/v1/sessions",
                Map.of(
                        "customerId",
                        "acme",
                        "currency",
                        "credits",
                        "amount",
                        5,
                        "ttlSeconds",
                        60,
                        "idempotencyKey",
                        "too-much"));
        assertThat(refused.status()).as(refused.text()).isEqualTo(200);
        assertThat(refused.body())
                .containsEntry("opened", false)
                .containsEntry("reason", "INSUFFICIENT_CREDITS")
                .containsEntry("currency", "credits")
                .doesNotContainKeys("used", "held", "unlimited", "limit", "remaining", "overage");
        assertThat(refused.decimal("credits")).isEqualByComparingTo("5");
        assertThat(refused.decimal("balance")).isEqualByComparingTo("4");

        ApiClient.Reply opened = h.post(
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
                        "small"));
        String id = (String) opened.get("sessionId");
        assertThat(opened.body()).containsEntry("overage", false).doesNotContainKeys("excess", "boundBy");
        for (int run = 0; run < 2; run++) {
            ApiClient.Reply closed = h.post("/v1/sessions/" + id + "/close", Map.of("used", 5));
            assertThat(closed.status()).as(closed.text()).isEqualTo(200);
            assertThat(closed.body())
                    .as("run " + run)
                    .containsEntry("overage", true)
                    .doesNotContainKey("boundBy");
            assertThat(closed.decimal("excess")).isEqualByComparingTo("3");
            h.restart();
        }
    }

    private ApiClient.Reply openQuoted(String feature, @Nullable String currency, int amount, String key) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("customerId", "acme");
        if (currency != null) {
            body.put("currency", currency);
        } else {
            body.put("feature", feature);
        }
        body.put("amount", amount);
        body.put("ttlSeconds", 60);
        body.put("quote", true);
        body.put("idempotencyKey", key);
        return h.post("/v1/sessions", body);
    }

    @SuppressWarnings("unchecked")
    private @Nullable Map<String, Object> priceOf(String feature) {
        ApiClient.Reply answer = h.get("/v1/customers/acme/entitlements");
        for (Map<String, Object> e : (List<Map<String, Object>>) answer.get("entitlements")) {
            if (feature.equals(e.get("feature"))) {
                return (Map<String, Object>) e.get("price");
            }
        }
        throw new AssertionError(answer.text());
    }

    private BigDecimal creditsHeld() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> balances =
                (List<Map<String, Object>>) h.get("/v1/customers/acme/balance").get("balances");
        return (BigDecimal) balances.get(0).get("held");
    }

    @Test
    void a_quoted_session_over_http_shows_the_price_it_fixed_and_holds_its_credits() throws Exception {
        assertThat(priceOf("llm-tokens")).as("priced by model").isEqualTo(Map.of("currency", "credits"));
        assertThat(priceOf("ai-queries")).isNull();
        ApiClient.Reply byModel = openQuoted("llm-tokens", null, 1000, "by-model");
        assertThat(byModel.status()).as(byModel.text()).isEqualTo(409);
        assertThat(byModel.error()).containsEntry("code", "PRICE_NOT_FLAT").containsEntry("field", "quote");
        ApiClient.Reply currency = openQuoted("", "credits", 1, "currency");
        assertThat(currency.status()).as(currency.text()).isEqualTo(400);
        assertThat(currency.error()).containsEntry("code", "INVALID_SESSION").containsEntry("field", "quote");
        ApiClient.Reply free = openQuoted("ai-queries", null, 5, "free");
        assertThat(free.status()).as(free.text()).isEqualTo(201);
        assertThat(free.get("quote")).isEqualTo(Map.of("unitPrice", BigDecimal.ZERO));

        String flat = Files.readString(ApiClient.sampleCatalog())
                .replace("    byDimension:\n      model: { gpt-4o: 5, gpt-4o-mini: 0.3 }\n", "");
        assertThat(flat).doesNotContain("byDimension");
        ApiClient.Reply applied = h.send("PUT", "/v1/catalog", flat, "application/yaml", ApiClient.KEY);
        assertThat(applied.status()).as(applied.text()).isEqualTo(200);
        assertThat(priceOf("llm-tokens")).containsEntry("currency", "credits");
        assertThat((BigDecimal) priceOf("llm-tokens").get("unitPrice")).isEqualByComparingTo("0.001");
        ApiClient.Reply poor = openQuoted("llm-tokens", null, 10_000, "poor");
        assertThat(poor.body())
                .containsEntry("opened", false)
                .containsEntry("reason", "INSUFFICIENT_CREDITS")
                .containsEntry("currency", "credits");
        assertThat(poor.decimal("credits")).as("10 000 tokens at 0.001").isEqualByComparingTo("10");
        h.post(
                "/v1/customers/acme/grants",
                Map.of("currency", "credits", "amount", 25, "category", "paid", "idempotencyKey", "buy"));
        ApiClient.Reply quoted = openQuoted("llm-tokens", null, 10_000, "flat");
        assertThat(quoted.status()).as(quoted.text()).isEqualTo(201);
        @SuppressWarnings("unchecked")
        Map<String, Object> quote = (Map<String, Object>) quoted.get("quote");
        assertThat(quote).containsEntry("currency", "credits");
        assertThat((BigDecimal) quote.get("unitPrice")).isEqualByComparingTo("0.001");
        assertThat(creditsHeld()).isEqualByComparingTo("10");
        assertThat(h.get("/v1/sessions/" + quoted.get("sessionId")).get("quote"))
                .isEqualTo(quote);
        assertThat(openQuoted("llm-tokens", null, 10_000, "flat").replayed()).isTrue();
    }

    private ApiClient.Reply openCredits(String key, int amount) {
        return h.post(
                "/v1/sessions",
                Map.of(
                        "customerId",
                        "acme",
                        "scope",
                        "team",
                        "currency",
                        "credits",
                        "amount",
                        amount,
                        "ttlSeconds",
                        60,
                        "idempotencyKey",
                        key));
    }

    private BigDecimal budgetUsed(String scope) {
        ApiClient.Reply tree = h.get("/v1/customers/acme/scopes");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> scopes = (List<Map<String, Object>>) tree.get("scopes");
        Map<String, Object> node = scopes.stream()
                .filter(s -> scope.equals(s.get("id")))
                .findFirst()
                .orElseThrow(() -> new AssertionError(tree.text()));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> budgets = (List<Map<String, Object>>) node.get("budgets");
        return (BigDecimal) budgets.get(0).get("used");
    }

    @Test
    void usage_groups_by_scope_and_dimension_over_http() {
        h.put("/v1/customers/acme/scopes/team-a", Map.of("kind", "team"));
        h.post(
                "/v1/events",
                Map.of(
                        "events",
                        List.of(
                                Map.of(
                                        "idempotencyKey",
                                        "e1",
                                        "customerId",
                                        "acme",
                                        "feature",
                                        "ai-queries",
                                        "quantity",
                                        2,
                                        "scope",
                                        "team-a",
                                        "dimensions",
                                        Map.of("model", "x"),
                                        "timestamp",
                                        "2026-04-09T10:00:00Z"),
                                Map.of(
                                        "idempotencyKey",
                                        "e2",
                                        "customerId",
                                        "acme",
                                        "feature",
                                        "ai-queries",
                                        "quantity",
                                        5,
                                        "dimensions",
                                        Map.of("model", "y"),
                                        "timestamp",
                                        "2026-04-09T11:00:00Z"))));
        ApiClient.Reply report = h.get(
                "/v1/customers/acme/usage?from=2026-04-08T00:00:00Z&to=2026-04-15T00:00:00Z&groupBy=scope,dimension.model");
        assertThat(report.status()).as(report.text()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) report.get("rows");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsEntry("scope", null).containsEntry("dimension.model", "y");
        assertThat((BigDecimal) rows.get(0).get("quantity")).isEqualByComparingTo("5");
        assertThat(rows.get(1)).containsEntry("scope", "team-a").containsEntry("dimension.model", "x");

        ApiClient.Reply byDay =
                h.get("/v1/customers/acme/usage?from=2026-04-08T00:00:00Z&to=2026-04-15T00:00:00Z&groupBy=day,scope");
        assertThat(byDay.status()).as(byDay.text()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> days = (List<Map<String, Object>>) byDay.get("rows");
        assertThat(days)
                .extracting(
                        r -> r.get("day"), r -> r.get("scope"), r -> ((BigDecimal) r.get("quantity")).toPlainString())
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("2026-04-09", "team-a", "2"),
                        org.assertj.core.groups.Tuple.tuple("2026-04-09", null, "5"));

        ApiClient.Reply bad = h.get("/v1/customers/acme/usage?groupBy=colour");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error()).containsEntry("code", "INVALID_GROUP_BY").containsEntry("field", "groupBy");
        ApiClient.Reply badTime = h.get("/v1/customers/acme/usage?from=yesterday");
        assertThat(badTime.error()).containsEntry("code", "INVALID_QUERY").containsEntry("field", "from");
    }

    @Test
    void unknown_scopes_cycles_and_bad_budgets_are_refused_with_a_code_and_field() {
        h.put("/v1/customers/acme/scopes/a", Map.of("kind", "team"));
        h.put("/v1/customers/acme/scopes/b", Map.of("kind", "team", "parent", "a"));

        ApiClient.Reply unknown = consumeAt("nowhere", 1, "u1");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error()).containsEntry("code", "SCOPE_NOT_FOUND").containsEntry("field", "scope");
        ApiClient.Reply cycle = h.put("/v1/customers/acme/scopes/a", Map.of("kind", "team", "parent", "b"));
        assertThat(cycle.status()).isEqualTo(409);
        assertThat(cycle.error()).containsEntry("code", "SCOPE_CYCLE").containsEntry("field", "parent");
        ApiClient.Reply orphan = h.put("/v1/customers/acme/scopes/c", Map.of("parent", "zzz"));
        assertThat(orphan.status()).isEqualTo(404);
        assertThat(orphan.error()).containsEntry("code", "SCOPE_NOT_FOUND").containsEntry("field", "parent");
        ApiClient.Reply both = h.put(
                "/v1/customers/acme/scopes/a/budgets/x",
                Map.of("feature", "ai-queries", "currency", "credits", "limit", 1));
        assertThat(both.error()).containsEntry("code", "INVALID_BUDGET");
        ApiClient.Reply period = h.put(
                "/v1/customers/acme/scopes/a/budgets/x",
                Map.of("feature", "ai-queries", "limit", 1, "period", "fortnight"));
        assertThat(period.error()).containsEntry("code", "INVALID_PERIOD").containsEntry("field", "period");
        ApiClient.Reply noScope =
                h.put("/v1/customers/acme/scopes/zzz/budgets/x", Map.of("feature", "ai-queries", "limit", 1));
        assertThat(noScope.status()).isEqualTo(404);
        ApiClient.Reply sso = h.put("/v1/customers/acme/scopes/a/budgets/x", Map.of("feature", "sso", "limit", 1));
        assertThat(sso.error()).containsEntry("code", "FEATURE_NOT_METERED");

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> roots =
                (List<Map<String, Object>>) h.get("/v1/customers/acme/scopes").get("scopes");
        assertThat(roots)
                .as("nothing changed: a is still the root, with no budget")
                .singleElement()
                .satisfies(r -> {
                    assertThat(r).containsEntry("id", "a");
                    assertThat((List<?>) r.get("budgets")).isEmpty();
                });
    }

    @Test
    void usage_of_a_department_counts_everything_below_it_and_rolls_up_to_a_level() {
        h.put("/v1/customers/acme/scopes/eng", Map.of("kind", "department"));
        h.put("/v1/customers/acme/scopes/platform", Map.of("kind", "team", "parent", "eng"));
        h.put("/v1/customers/acme/scopes/bot", Map.of("kind", "agent", "parent", "platform"));
        h.put("/v1/customers/acme/scopes/sales", Map.of("kind", "department"));
        consumeAt("eng", 1, "e");
        consumeAt("platform", 10, "p");
        consumeAt("bot", 100, "b");
        consumeAt("sales", 1000, "s");

        ApiClient.Reply eng = h.get("/v1/customers/acme/usage?scope=eng");
        assertThat(eng.status()).as(eng.text()).isEqualTo(200);
        assertThat(eng.body()).containsEntry("scope", "eng");
        assertThat((BigDecimal) rows(eng).get(0).get("quantity")).isEqualByComparingTo("111");

        ApiClient.Reply departments = h.get("/v1/customers/acme/usage?groupBy=scope&depth=1");
        assertThat(departments.status()).as(departments.text()).isEqualTo(200);
        assertThat(rows(departments))
                .extracting(r -> r.get("scope"), r -> ((BigDecimal) r.get("quantity")).toPlainString())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("eng", "111"),
                        org.assertj.core.groups.Tuple.tuple("sales", "1000"));
        ApiClient.Reply teams = h.get("/v1/customers/acme/usage?scope=eng&groupBy=scope&depth=2");
        assertThat(rows(teams))
                .extracting(r -> r.get("scope"), r -> ((BigDecimal) r.get("quantity")).toPlainString())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("eng", "1"),
                        org.assertj.core.groups.Tuple.tuple("platform", "110"));

        ApiClient.Reply unknown = h.get("/v1/customers/acme/usage?scope=nowhere");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error()).containsEntry("code", "SCOPE_NOT_FOUND").containsEntry("field", "scope");
        ApiClient.Reply noGrouping = h.get("/v1/customers/acme/usage?depth=1");
        assertThat(noGrouping.status()).isEqualTo(400);
        assertThat(noGrouping.error()).containsEntry("code", "INVALID_QUERY").containsEntry("field", "depth");
        ApiClient.Reply badDepth = h.get("/v1/customers/acme/usage?groupBy=scope&depth=x");
        assertThat(badDepth.status()).isEqualTo(400);
        assertThat(badDepth.error()).containsEntry("field", "depth");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(ApiClient.Reply r) {
        return (List<Map<String, Object>>) r.get("rows");
    }
}
