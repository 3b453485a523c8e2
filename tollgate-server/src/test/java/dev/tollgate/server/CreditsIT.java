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

/** The Credits endpoints over HTTP: grants, priced consumption, balance, ledger pages and export, refunds, voids. */
final class CreditsIT {
    private static final Instant START = Instant.parse("2026-01-06T12:00:00Z");

    @TempDir
    Path dir;

    Harness h;

    @BeforeEach
    void start() {
        h = new Harness(dir, START);
        assertThat(h.applySampleCatalog().status()).isEqualTo(200);
        h.customerOn("acme", "free");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private Map<String, Object> credits() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> balances =
                (List<Map<String, Object>>) h.get("/v1/customers/acme/balance").get("balances");
        return balances.stream()
                .filter(b -> "credits".equals(b.get("currency")))
                .findFirst()
                .orElseThrow();
    }

    private ApiClient.Reply grant(Map<String, Object> body) {
        return h.post("/v1/customers/acme/grants", body);
    }

    @Test
    void grants_priced_consumption_ledger_refund_and_void_end_to_end() {
        ApiClient.Reply granted = grant(Map.of(
                "currency",
                "credits",
                "amount",
                100,
                "category",
                "paid",
                "costBasis",
                new BigDecimal("0.01"),
                "idempotencyKey",
                "buy-1"));
        assertThat(granted.status()).as(granted.text()).isEqualTo(201);
        String grantId = (String) granted.get("id");
        assertThat(granted.body()).containsEntry("status", "active").containsEntry("source", "api");
        ApiClient.Reply again = grant(Map.of(
                "currency",
                "credits",
                "amount",
                100,
                "category",
                "paid",
                "costBasis",
                new BigDecimal("0.01"),
                "idempotencyKey",
                "buy-1"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.replayed()).isTrue();

        ApiClient.Reply spent = h.post(
                "/v1/consume",
                Map.of(
                        "customerId", "acme",
                        "feature", "llm-tokens",
                        "quantity", 2000,
                        "dimensions", Map.of("model", "gpt-4o"),
                        "idempotencyKey", "call-1"));
        assertThat(spent.status()).as(spent.text()).isEqualTo(200);
        assertThat(spent.body()).containsEntry("allowed", true).containsEntry("currency", "credits");
        assertThat(spent.decimal("credits")).isEqualByComparingTo("10");
        assertThat(spent.decimal("balance")).isEqualByComparingTo("90");
        assertThat((BigDecimal) credits().get("available")).isEqualByComparingTo("90");

        ApiClient.Reply tooMuch = h.post(
                "/v1/consume",
                Map.of(
                        "customerId", "acme",
                        "feature", "llm-tokens",
                        "quantity", 20000,
                        "dimensions", Map.of("model", "gpt-4o"),
                        "idempotencyKey", "call-2"));
        assertThat(tooMuch.body())
                .containsEntry("allowed", false)
                .containsEntry("reason", "INSUFFICIENT_CREDITS")
                .containsEntry("boundBy", Map.of("kind", "currency", "currency", "credits"));

        ApiClient.Reply page1 = h.get("/v1/customers/acme/ledger?limit=1");
        assertThat(page1.status()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> first = (List<Map<String, Object>>) page1.get("entries");
        assertThat(first)
                .singleElement()
                .satisfies(e -> assertThat(e).containsEntry("type", "GRANT").containsEntry("grantId", grantId));
        ApiClient.Reply page2 = h.get("/v1/customers/acme/ledger?limit=10&cursor=" + page1.get("nextCursor"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rest = (List<Map<String, Object>>) page2.get("entries");
        assertThat(rest).singleElement().satisfies(e -> {
            assertThat(e).containsEntry("type", "CONSUME").containsEntry("idempotencyKey", "call-1");
            assertThat((BigDecimal) e.get("balanceAfter")).isEqualByComparingTo("90");
        });
        assertThat(page2.body()).doesNotContainKey("nextCursor");

        ApiClient.Reply csv = h.get("/v1/customers/acme/ledger/export?format=csv");
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.headers().get("content-type").get(0)).startsWith("text/csv");
        List<String> rows = csv.text().lines().toList();
        assertThat(rows.get(0)).startsWith("seq,time,type,currency,grantId,amount,balanceAfter");
        assertThat(rows).hasSize(3);
        assertThat(rows.get(2))
                .contains(",CONSUME,credits," + grantId + ",-10,90,call-1,")
                .contains("\"{\"\"model\"\":\"\"gpt-4o\"\"}\"");

        ApiClient.Reply refund = h.post("/v1/customers/acme/refunds", Map.of("idempotencyKey", "call-1"));
        assertThat(refund.status()).as(refund.text()).isEqualTo(201);
        assertThat(refund.decimal("refunded")).isEqualByComparingTo("10");
        assertThat(h.post("/v1/customers/acme/refunds", Map.of("idempotencyKey", "call-1"))
                        .replayed())
                .isTrue();
        assertThat((BigDecimal) credits().get("available")).isEqualByComparingTo("100");

        ApiClient.Reply voided = h.post("/v1/customers/acme/grants/" + grantId + "/void", Map.of());
        assertThat(voided.status()).isEqualTo(200);
        assertThat(voided.body()).containsEntry("status", "voided");
        assertThat((BigDecimal) credits().get("available")).isEqualByComparingTo("0");
        @SuppressWarnings("unchecked")
        List<Object> active =
                (List<Object>) h.get("/v1/customers/acme/grants?active=true").get("grants");
        assertThat(active).isEmpty();

        ApiClient.Reply recharge = h.put(
                "/v1/customers/acme/auto-recharge",
                Map.of(
                        "currency",
                        "credits",
                        "threshold",
                        50,
                        "target",
                        200,
                        "amount",
                        100,
                        "costBasis",
                        new BigDecimal("0.01"),
                        "maxPerPeriod",
                        3));
        assertThat(recharge.status()).as(recharge.text()).isEqualTo(200);
        assertThat(recharge.body()).containsKey("autoRecharge");
    }

    @Test
    void issue_15_a_consume_refused_for_credits_answers_usage_as_it_stands() {
        grant(Map.of("currency", "credits", "amount", 1, "category", "paid", "idempotencyKey", "buy-1"));
        Map<String, Object> body =
                Map.of("customerId", "acme", "feature", "llm-tokens", "quantity", 5000, "idempotencyKey", "too-much");

        ApiClient.Reply refused = h.post("/v1/consume", body);
        assertThat(refused.body())
                .as(refused.text())
                .containsEntry("allowed", false)
                .containsEntry("reason", "INSUFFICIENT_CREDITS")
                .containsEntry("recorded", false);
        assertThat((BigDecimal) refused.get("used")).as("nothing was taken").isEqualByComparingTo("0");
        assertThat((BigDecimal) refused.get("remaining")).isEqualByComparingTo("50000");
        ApiClient.Reply checked =
                h.post("/v1/check", Map.of("customerId", "acme", "feature", "llm-tokens", "quantity", 5000));
        for (String field : List.of("allowed", "reason", "limit", "used", "held", "remaining", "balance")) {
            assertThat(checked.get(field))
                    .as("a check right after agrees on " + field)
                    .isEqualTo(refused.get(field));
        }

        h.restart();
        ApiClient.Reply replayed = h.post("/v1/consume", body);
        assertThat(replayed.replayed()).isTrue();
        assertThat((BigDecimal) replayed.get("used")).isEqualByComparingTo("0");
    }

    @Test
    void the_plan_allotment_is_there_at_the_period_start_without_any_write() {
        h.customerOn("pro-co", "pro");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> balances = (List<Map<String, Object>>)
                h.get("/v1/customers/pro-co/balance").get("balances");
        assertThat((BigDecimal) balances.get(0).get("available")).isEqualByComparingTo("1000");
        h.clock.set(Instant.parse("2026-02-06T12:00:00Z"));
        ApiClient.Reply spent = h.post(
                "/v1/consume",
                Map.of("customerId", "pro-co", "feature", "llm-tokens", "quantity", 1000, "idempotencyKey", "p1"));
        assertThat(spent.decimal("balance"))
                .as("a fresh 1000 for February, minus 1")
                .isEqualByComparingTo("999");
    }

    @Test
    void bad_credit_requests_get_a_stable_code_and_field_and_change_nothing() {
        grant(Map.of("currency", "credits", "amount", 10, "category", "paid", "idempotencyKey", "ok"));
        assertError(
                grant(Map.of("currency", "credits", "amount", -5, "category", "paid", "idempotencyKey", "a")),
                400,
                "INVALID_QUANTITY",
                "amount");
        assertError(
                grant(Map.of("currency", "credits", "amount", 5, "category", "free", "idempotencyKey", "b")),
                400,
                "INVALID_CATEGORY",
                "category");
        assertError(
                grant(Map.of("currency", "gold", "amount", 5, "category", "paid", "idempotencyKey", "c")),
                404,
                "CURRENCY_NOT_FOUND",
                "currency");
        assertError(
                grant(Map.of(
                        "currency", "credits", "amount", 5, "category", "paid", "idempotencyKey", "d", "bonus", 1)),
                400,
                "UNKNOWN_FIELD",
                "bonus");
        assertError(
                grant(Map.of(
                        "currency", "credits",
                        "amount", 5,
                        "category", "paid",
                        "idempotencyKey", "e",
                        "effectiveAt", "2026-02-01T00:00:00Z",
                        "expiresAt", "2026-01-01T00:00:00Z")),
                400,
                "INVALID_GRANT",
                "expiresAt");
        assertError(
                grant(Map.of(
                        "currency",
                        "credits",
                        "amount",
                        5,
                        "category",
                        "promotional",
                        "costBasis",
                        1,
                        "idempotencyKey",
                        "f")),
                400,
                "INVALID_GRANT",
                "costBasis");
        assertError(h.get("/v1/customers/acme/ledger?cursor=bm9wZQ"), 400, "INVALID_CURSOR", "cursor");
        assertError(h.get("/v1/customers/acme/ledger?limit=0"), 400, "INVALID_QUERY", "limit");
        assertError(h.get("/v1/customers/acme/ledger/export?format=xml"), 400, "INVALID_QUERY", "format");
        assertError(
                h.post("/v1/customers/acme/refunds", Map.of("idempotencyKey", "never-consumed")),
                404,
                "CONSUMPTION_NOT_FOUND",
                "idempotencyKey");
        assertError(h.post("/v1/customers/acme/grants/nope/void", Map.of()), 404, "GRANT_NOT_FOUND", "grantId");
        assertError(h.get("/v1/customers/nobody/balance"), 404, "CUSTOMER_NOT_FOUND", "customerId");
        assertError(
                h.put(
                        "/v1/customers/acme/auto-recharge",
                        Map.of("currency", "credits", "threshold", 50, "target", 10, "amount", 5)),
                400,
                "INVALID_AUTO_RECHARGE",
                "target");

        assertThat((BigDecimal) credits().get("available"))
                .as("nothing changed")
                .isEqualByComparingTo("10");
        @SuppressWarnings("unchecked")
        List<Object> lines = (List<Object>) h.get("/v1/customers/acme/ledger").get("entries");
        assertThat(lines).hasSize(1);
        assertThat(h.get("/health").status()).isEqualTo(200);
    }

    @SuppressWarnings("unchecked")
    private static void assertError(ApiClient.Reply r, int status, String code, String field) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        Map<String, Object> error = (Map<String, Object>) r.body().get("error");
        assertThat(error).containsEntry("code", code).containsEntry("field", field);
    }
}
