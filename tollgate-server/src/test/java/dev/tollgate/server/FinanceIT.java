package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 21 over HTTP, on SQLite and PostgreSQL: the catalog's costs (applied as YAML, read back, compared in the
 * diff, kept across a restart), the margin report and the what-if, with the figures of {@code
 * docs/finance-margin.md} worked out by hand, and the what-if's promise that it changes nothing.
 */
final class FinanceIT {
    private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");

    @TempDir
    Path dir;

    static String financeCatalog() {
        Path sample = ApiClient.sampleCatalog().resolveSibling("finance-catalog.yaml");
        try {
            return Files.readString(sample);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The world of the docs' example: acme on pro with a promotional and a paid grant, globex on starter. */
    private static void world(Harness h) {
        ApiClient.Reply applied = h.send("PUT", "/v1/catalog", financeCatalog(), "application/yaml", ApiClient.KEY);
        assertThat(applied.status()).as(applied.text()).isEqualTo(200);
        h.customerOn("acme", "pro");
        h.customerOn("globex", "starter");
        grant(h, "promo", "100", "promotional", "0");
        grant(h, "paid", "1000", "paid", "0.01");
        h.clock.set(Instant.parse("2026-03-02T10:00:00Z"));
        consume(h, "acme", "llm-tokens", 5000, "t1", "gpt-4o");
        consume(h, "acme", "llm-tokens", 8000, "t2", "gpt-4o");
        consume(h, "acme", "llm-tokens", 20000, "t3", "gpt-4o-mini");
        consume(h, "acme", "ai-queries", 90, "q1", null);
        consume(h, "acme", "ai-queries", 30, "q2", null);
        ApiClient.Reply event = h.post(
                "/v1/events",
                Map.of(
                        "events",
                        List.of(Map.of(
                                "idempotencyKey",
                                "e1",
                                "customerId",
                                "acme",
                                "feature",
                                "llm-tokens",
                                "quantity",
                                1000,
                                "dimensions",
                                Map.of("model", "llama")))));
        assertThat(event.status()).as(event.text()).isEqualTo(200);
        consume(h, "globex", "ai-queries", 8, "g1", null);
        ApiClient.Reply refused = h.consume("globex", "ai-queries", 5, "g2");
        assertThat(refused.get("reason")).isEqualTo("LIMIT_EXCEEDED");
        h.clock.set(Instant.parse("2026-03-20T10:00:00Z"));
    }

    private static void grant(Harness h, String key, String amount, String category, String costBasis) {
        ApiClient.Reply r = h.post(
                "/v1/customers/acme/grants",
                Map.of(
                        "currency",
                        "credits",
                        "amount",
                        new BigDecimal(amount),
                        "category",
                        category,
                        "costBasis",
                        new BigDecimal(costBasis),
                        "idempotencyKey",
                        key));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
    }

    private static void consume(Harness h, String customer, String feature, int quantity, String key, String model) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customerId", customer);
        body.put("feature", feature);
        body.put("quantity", quantity);
        body.put("idempotencyKey", key);
        if (model != null) {
            body.put("dimensions", Map.of("model", model));
        }
        ApiClient.Reply r = h.post("/v1/consume", body);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.get("allowed")).as(r.text()).isEqualTo(true);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) Objects.requireNonNull(o);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) Objects.requireNonNull(o);
    }

    private static BigDecimal dec(Map<String, Object> m, String field) {
        return (BigDecimal) Objects.requireNonNull(m.get(field), field);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void costs_are_read_back_compared_and_kept_across_a_restart(String store) {
        try (StoreHarness s = StoreHarness.start(store, dir, START)) {
            Harness h = s.h;
            assertThat(h.send("PUT", "/v1/catalog", financeCatalog(), "application/yaml", ApiClient.KEY)
                            .status())
                    .isEqualTo(200);
            Map<String, Object> document = map(h.get("/v1/catalog").get("document"));
            List<Map<String, Object>> costs = list(document.get("costs"));
            assertThat(costs.get(0))
                    .containsEntry("feature", "llm-tokens")
                    .containsEntry("currency", "USD")
                    .containsEntry("per", new BigDecimal("1000"))
                    .containsEntry(
                            "byDimension",
                            Map.of(
                                    "model",
                                    Map.of("gpt-4o", new BigDecimal("0.02"), "gpt-4o-mini", new BigDecimal("0.001"))));

            Map<String, Object> changed = new LinkedHashMap<>(document);
            changed.put(
                    "costs",
                    List.of(Map.of(
                            "feature",
                            "llm-tokens",
                            "currency",
                            "USD",
                            "per",
                            1000,
                            "amount",
                            new BigDecimal("0.004"),
                            "byDimension",
                            Map.of("model", Map.of("gpt-4o", new BigDecimal("0.025"))))));
            ApiClient.Reply second = h.put("/v1/catalog", changed);
            assertThat(second.status()).as(second.text()).isEqualTo(200);
            assertThat((String) second.get("summary")).isEqualTo("costs changed");
            Map<String, Object> diff = h.get("/v1/catalog/versions/2/diff").body();
            Object costsRead = map(h.get("/v1/catalog").get("document")).get("costs");

            s.h.restart();

            assertThat(h.get("/v1/catalog/versions/2/diff").body()).isEqualTo(diff);
            Map<String, Object> costDiff = map(diff.get("costs"));
            assertThat(list(costDiff.get("removed")))
                    .extracting(e -> e.get("key"))
                    .containsExactly("ai-queries");
            assertThat(list(list(costDiff.get("changed")).get(0).get("changes")))
                    .extracting(c -> c.get("field") + ":" + c.get("from") + "->" + c.get("to"))
                    .containsExactly(
                            "amount:null->0.004",
                            "byDimension.model.gpt-4o:0.02->0.025",
                            "byDimension.model.gpt-4o-mini:0.001->null");
            assertThat(map(h.get("/v1/catalog").get("document")).get("costs")).isEqualTo(costsRead);
            assertThat(list(costsRead).get(0)).containsEntry("amount", new BigDecimal("0.004"));

            ApiClient.Reply invalid = h.put(
                    "/v1/catalog",
                    Map.of(
                            "features",
                            List.of(Map.of("key", "q", "type", "metered")),
                            "costs",
                            List.of(
                                    Map.of("feature", "q", "amount", -1),
                                    Map.of("feature", "x", "currency", "USD", "amount", 1))));
            assertThat(invalid.status()).isEqualTo(400);
            assertThat(invalid.error()).containsEntry("code", "CATALOG_INVALID");
            assertThat(list(invalid.get("errors")))
                    .extracting(e -> e.get("field"))
                    .containsExactlyInAnyOrder("costs[0].currency", "costs[0].amount", "costs[1].feature");
            assertThat(h.get("/v1/catalog").get("version")).isEqualTo(new BigDecimal("2"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void margin_by_customer_feature_and_model(String store) {
        try (StoreHarness s = StoreHarness.start(store, dir, START)) {
            Harness h = s.h;
            world(h);

            ApiClient.Reply r = h.get("/v1/reports/margin?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z"
                    + "&groupBy=customer,feature,dimension.model");

            assertThat(r.status()).as(r.text()).isEqualTo(200);
            List<Map<String, Object>> rows = list(r.get("rows"));
            assertThat(rows)
                    .extracting(
                            row -> row.get("customer") + "/" + row.get("feature") + "/" + row.get("dimension.model"))
                    .containsExactly(
                            "acme/ai-queries/null",
                            "acme/llm-tokens/gpt-4o",
                            "acme/llm-tokens/gpt-4o-mini",
                            "acme/llm-tokens/llama",
                            "globex/ai-queries/null");
            // 120 queries, 20 past the soft 100 at 0.05: revenue 1.00; cost 120 × 0.01
            assertThat(dec(rows.get(0), "overageRevenue")).isEqualByComparingTo("1.00");
            assertThat(dec(rows.get(0), "cost")).isEqualByComparingTo("1.20");
            assertThat(dec(rows.get(0), "margin")).isEqualByComparingTo("-0.20");
            // 130 credits: 100 promotional (cost basis 0) and 30 paid at 0.01; cost 13 × 0.02
            assertThat(map(rows.get(1).get("credits"))).containsEntry("credits", new BigDecimal("130"));
            assertThat(dec(rows.get(1), "creditRevenue")).isEqualByComparingTo("0.30");
            assertThat(dec(rows.get(1), "cost")).isEqualByComparingTo("0.26");
            assertThat(dec(rows.get(1), "margin")).isEqualByComparingTo("0.04");
            assertThat(dec(rows.get(2), "margin")).isEqualByComparingTo("0.18");
            assertThat(dec(rows.get(3), "uncostedQuantity")).isEqualByComparingTo("1000");
            assertThat(rows.get(3)).containsEntry("margin", null);
            assertThat(dec(rows.get(4), "cost")).isEqualByComparingTo("0.08");
            assertThat(dec(rows.get(4), "margin")).isEqualByComparingTo("-0.08");
            Map<String, Object> total = list(r.get("totals")).get(0);
            assertThat(total).containsEntry("currency", "USD").containsEntry("margin", null);
            assertThat(dec(total, "revenue")).isEqualByComparingTo("1.52");
            assertThat(dec(total, "cost")).isEqualByComparingTo("1.56");

            ApiClient.Reply badGroup = h.get("/v1/reports/margin?groupBy=scope");
            assertThat(badGroup.status()).isEqualTo(400);
            assertThat(badGroup.error())
                    .containsEntry("code", "INVALID_GROUP_BY")
                    .containsEntry("field", "groupBy");
            ApiClient.Reply badTime = h.get("/v1/reports/margin?from=yesterday");
            assertThat(badTime.status()).isEqualTo(400);
            assertThat(badTime.error()).containsEntry("code", "INVALID_QUERY").containsEntry("field", "from");
            ApiClient.Reply badRange = h.get("/v1/reports/margin?from=2026-04-01T00:00:00Z&to=2026-03-01T00:00:00Z");
            assertThat(badRange.status()).isEqualTo(400);
            assertThat(badRange.error()).containsEntry("code", "INVALID_QUERY").containsEntry("field", "to");
        }
    }

    /** The draft of the docs' example: gpt-4o doubles, pro's queries become a hard 110, starter becomes basic (20). */
    static Map<String, Object> draft() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("currencies", List.of(Map.of("key", "credits")));
        doc.put(
                "features",
                List.of(
                        Map.of("key", "llm-tokens", "type", "metered"),
                        Map.of("key", "ai-queries", "type", "metered")));
        doc.put(
                "rateCards",
                List.of(Map.of(
                        "feature",
                        "llm-tokens",
                        "currency",
                        "credits",
                        "per",
                        1000,
                        "rate",
                        2,
                        "byDimension",
                        Map.of("model", Map.of("gpt-4o", 20, "gpt-4o-mini", 1)))));
        doc.put(
                "plans",
                List.of(
                        Map.of(
                                "key",
                                "pro",
                                "entitlements",
                                Map.of("llm-tokens", Map.of("limit", "unlimited"), "ai-queries", Map.of("limit", 110))),
                        Map.of("key", "basic", "entitlements", Map.of("ai-queries", Map.of("limit", 20)))));
        return doc;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void what_if_replays_the_month_against_a_draft_and_changes_nothing(String store) {
        try (StoreHarness s = StoreHarness.start(store, dir, START)) {
            Harness h = s.h;
            world(h);
            StoreHarness.Stored stored = s.stored();
            Map<String, Object> balance = h.get("/v1/customers/acme/balance").body();
            Map<String, Object> entitlements =
                    h.get("/v1/customers/acme/entitlements").body();
            Object versions = h.get("/v1/catalog/versions").get("versions");

            Map<String, Object> body = new LinkedHashMap<>();
            body.put("catalog", draft());
            body.put("from", "2026-03-01T00:00:00Z");
            body.put("to", "2026-04-01T00:00:00Z");
            body.put("plans", Map.of("starter", "basic"));
            ApiClient.Reply r = h.post("/v1/what-if", body);

            assertThat(r.status()).as(r.text()).isEqualTo(200);
            Map<String, Object> total = map(r.get("total"));
            assertThat(total)
                    .containsEntry("requests", new BigDecimal("8"))
                    .containsEntry("newlyRefused", BigDecimal.ONE)
                    .containsEntry("newlyAdmitted", BigDecimal.ONE);
            // before: 50 + 80 + 20 + 2 credits; under the draft gpt-4o costs 20: 100 + 160 + 20 + 2
            assertThat(map(map(total.get("before")).get("credits"))).containsEntry("credits", new BigDecimal("152"));
            assertThat(map(map(total.get("after")).get("credits"))).containsEntry("credits", new BigDecimal("282"));
            List<Map<String, Object>> customers = list(r.get("customers"));
            Map<String, Object> acmeAfter = map(customers.get(0).get("after"));
            assertThat(map(map(acmeAfter.get("features")).get("ai-queries")))
                    .containsEntry("quantity", new BigDecimal("90"))
                    .containsEntry("overage", BigDecimal.ZERO);
            assertThat(map(customers.get(1).get("after"))).containsEntry("refused", BigDecimal.ZERO);
            Map<String, Object> refused = map(r.get("refused"));
            assertThat(refused).containsEntry("count", BigDecimal.ONE).containsEntry("newly", BigDecimal.ONE);
            assertThat(list(refused.get("sample")))
                    .singleElement()
                    .satisfies(x -> assertThat(x)
                            .containsEntry("customerId", "acme")
                            .containsEntry("idempotencyKey", "q2")
                            .containsEntry("reason", "LIMIT_EXCEEDED")
                            .containsEntry("recordedReason", null));

            ApiClient.Reply unmapped = h.post(
                    "/v1/what-if",
                    Map.of("catalog", draft(), "from", "2026-03-01T00:00:00Z", "to", "2026-04-01T00:00:00Z"));
            assertThat(unmapped.status()).isEqualTo(400);
            assertThat(unmapped.error())
                    .containsEntry("code", "PLAN_NOT_MAPPED")
                    .containsEntry("field", "plans.starter");
            Map<String, Object> broken = new HashMap<>(draft());
            broken.put("features", List.of(Map.of("key", "llm-tokens", "type", "metred")));
            ApiClient.Reply invalid = h.post(
                    "/v1/what-if",
                    Map.of("catalog", broken, "from", "2026-03-01T00:00:00Z", "to", "2026-04-01T00:00:00Z"));
            assertThat(invalid.status()).isEqualTo(400);
            assertThat(invalid.error()).containsEntry("code", "CATALOG_INVALID");
            assertThat(list(invalid.get("errors")))
                    .extracting(e -> e.get("field"))
                    .contains("catalog.features[0].type");
            ApiClient.Reply noFrom = h.post("/v1/what-if", Map.of("catalog", draft(), "to", "2026-04-01T00:00:00Z"));
            assertThat(noFrom.status()).isEqualTo(400);
            assertThat(noFrom.error()).containsEntry("code", "MISSING_FIELD").containsEntry("field", "from");
            ApiClient.Reply ghost = h.post(
                    "/v1/what-if",
                    Map.of(
                            "catalog",
                            draft(),
                            "from",
                            "2026-03-01T00:00:00Z",
                            "to",
                            "2026-04-01T00:00:00Z",
                            "customers",
                            List.of("acme", "nobody")));
            assertThat(ghost.status()).isEqualTo(404);
            assertThat(ghost.error())
                    .containsEntry("code", "CUSTOMER_NOT_FOUND")
                    .containsEntry("field", "customers[1]");

            assertThat(h.get("/v1/customers/acme/balance").body()).isEqualTo(balance);
            assertThat(h.get("/v1/customers/acme/entitlements").body()).isEqualTo(entitlements);
            assertThat(h.get("/v1/catalog/versions").get("versions")).isEqualTo(versions);
            assertThat(s.stored()).as("records and counters in the store").isEqualTo(stored);
            s.assertVerified();
        }
    }
}
