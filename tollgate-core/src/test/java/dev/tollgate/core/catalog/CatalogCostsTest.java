package dev.tollgate.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 21: the catalog's {@code costs} and a plan's overage prices, validated, computed and compared. */
final class CatalogCostsTest {
    private static final Instant T = Instant.parse("2026-03-01T00:00:00Z");

    private static Map<String, Object> document(List<Object> costs, Map<String, Object> proPrice) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("currencies", List.of(Map.of("key", "credits")));
        doc.put(
                "features",
                List.of(
                        Map.of("key", "tokens", "type", "metered", "unit", "token"),
                        Map.of("key", "q", "type", "metered"),
                        Map.of("key", "sso", "type", "boolean")));
        doc.put(
                "plans",
                List.of(Map.of(
                        "key",
                        "pro",
                        "price",
                        proPrice,
                        "entitlements",
                        Map.of("q", Map.of("limit", 100, "enforcement", "soft")))));
        doc.put("costs", costs);
        return doc;
    }

    private static Map<String, Object> tokensCost() {
        return Map.of(
                "feature",
                "tokens",
                "currency",
                "USD",
                "per",
                1000,
                "amount",
                new BigDecimal("0.002"),
                "byDimension",
                Map.of("model", Map.of("gpt-4o", new BigDecimal("0.01"), "gpt-4o-mini", new BigDecimal("0.0006"))));
    }

    private static Map<String, Object> proPrice(Object overageCurrency) {
        return Map.of(
                "amount",
                20,
                "currency",
                overageCurrency,
                "every",
                "month",
                "overage",
                Map.of("q", Map.of("amount", new BigDecimal("0.05"))));
    }

    @Test
    void costs_and_overage_prices_are_read_and_compute_money_exactly() {
        CatalogDefinition d = CatalogReader.read(document(List.of(tokensCost()), proPrice("USD")));

        Cost tokens = d.costs().get("tokens");
        assertThat(tokens.of(new BigDecimal("1500"), Map.of("model", "gpt-4o"))).isEqualByComparingTo("0.015");
        assertThat(tokens.of(new BigDecimal("1500"), Map.of("model", "gpt-4o-mini")))
                .isEqualByComparingTo("0.0009");
        assertThat(tokens.of(new BigDecimal("1500"), Map.of("model", "llama")))
                .as("a value not listed costs the default amount")
                .isEqualByComparingTo("0.003");
        assertThat(d.moneyCurrency()).isEqualTo("USD");
        OveragePrice q = d.plans().get("pro").price().overage().get("q");
        assertThat(q.of(new BigDecimal("7"))).isEqualByComparingTo("0.35");
    }

    @Test
    void a_cost_without_a_default_amount_leaves_unlisted_values_unknown_not_free() {
        Map<String, Object> cost =
                Map.of("feature", "tokens", "currency", "USD", "byDimension", Map.of("model", Map.of("gpt-4o", 1)));
        Cost c = CatalogReader.read(document(List.of(cost), Map.of("amount", 1, "currency", "EUR")))
                .costs()
                .get("tokens");

        assertThat(c.of(BigDecimal.TEN, Map.of("model", "other"))).isNull();
        assertThat(c.of(BigDecimal.TEN, Map.of())).isNull();
        assertThat(c.of(BigDecimal.TEN, Map.of("model", "gpt-4o"))).isEqualByComparingTo("10");
    }

    @Test
    void a_division_that_does_not_terminate_is_rounded_half_even_to_twelve_places() {
        Map<String, Object> cost = Map.of("feature", "tokens", "currency", "USD", "per", 3, "amount", 1);
        Cost c = CatalogReader.read(document(List.of(cost), Map.of("amount", 1, "currency", "USD")))
                .costs()
                .get("tokens");

        assertThat(c.of(BigDecimal.ONE, Map.of())).isEqualTo(new BigDecimal("0.333333333333"));
        assertThat(c.of(new BigDecimal("2"), Map.of())).isEqualTo(new BigDecimal("0.666666666667"));
    }

    @Test
    void every_error_of_costs_and_overage_prices_is_listed_with_its_location() {
        List<Object> costs = List.of(
                tokensCost(),
                Map.of("feature", "tokens", "currency", "USD", "amount", 1),
                Map.of("feature", "q", "currency", "EUR", "amount", 1),
                Map.of("feature", "sso", "currency", "USD", "amount", 1),
                Map.of("feature", "nope", "currency", "USD", "amount", -1, "per", 0),
                Map.of("feature", "q", "currency", "USD"),
                Map.of(
                        "feature",
                        "q",
                        "currency",
                        "USD",
                        "amount",
                        1,
                        "rate",
                        2,
                        "byDimension",
                        Map.of("a", Map.of("x", 1), "b", Map.of("y", -1))));
        Map<String, Object> price = Map.of(
                "amount",
                20,
                "currency",
                "EUR",
                "overage",
                Map.of("sso", Map.of("amount", 1), "q", Map.of("per", 0), "tokens", 5));

        CatalogException e =
                catchThrowableOfType(CatalogException.class, () -> CatalogReader.read(document(costs, price)));

        assertThat(e.errors())
                .extracting(CatalogError::path)
                .containsExactlyInAnyOrder(
                        "costs[1].feature",
                        "costs[2].currency",
                        "costs[3].feature",
                        "costs[4].feature",
                        "costs[4].amount",
                        "costs[4].per",
                        "costs[5].amount",
                        "costs[6].rate",
                        "costs[6].byDimension",
                        "costs[6].byDimension.b.y",
                        "plans[0].price.overage.sso",
                        "plans[0].price.overage.q.amount",
                        "plans[0].price.overage.q.per",
                        "plans[0].price.overage.tokens",
                        "plans[0].price.currency");
        assertThat(e.errors())
                .contains(
                        new CatalogError("costs[1].feature", "duplicate cost for feature 'tokens'"),
                        new CatalogError("costs[3].feature", "feature 'sso' is not metered"),
                        new CatalogError("costs[5].amount", "is required unless byDimension gives the amounts"));
        assertThat(e.errors())
                .filteredOn(err -> err.path().equals("costs[2].currency"))
                .singleElement()
                .satisfies(err -> assertThat(err.message()).contains("'USD'"));
        assertThat(e.errors())
                .filteredOn(err -> err.path().equals("plans[0].price.currency"))
                .singleElement()
                .satisfies(err -> assertThat(err.message()).contains("'EUR'").contains("'USD'"));
    }

    @Test
    void an_add_on_price_has_no_overage_and_a_catalog_without_costs_stays_valid() {
        Map<String, Object> doc = document(List.of(), Map.of("amount", 1, "currency", "USD"));
        doc.remove("costs");
        doc.put(
                "addons",
                List.of(Map.of("key", "x", "price", Map.of("amount", 1, "currency", "USD", "overage", Map.of()))));

        CatalogException e = catchThrowableOfType(CatalogException.class, () -> CatalogReader.read(doc));
        assertThat(e.errors()).extracting(CatalogError::path).containsExactly("addons[0].price.overage");

        doc.remove("addons");
        CatalogDefinition d = CatalogReader.read(doc);
        assertThat(d.costs()).isEmpty();
        assertThat(d.moneyCurrency()).isNull();
    }

    @Test
    void the_diff_lists_costs_by_feature_and_overage_prices_as_plan_fields() {
        Map<String, Object> v1 = document(List.of(tokensCost()), Map.of("amount", 20, "currency", "USD"));
        Map<String, Object> v2 = document(
                List.of(Map.of(
                        "feature",
                        "tokens",
                        "currency",
                        "USD",
                        "per",
                        1000,
                        "byDimension",
                        Map.of("model", Map.of("gpt-4o", new BigDecimal("0.012"))))),
                proPrice("USD"));
        Catalog first = Catalog.empty().publish(CatalogReader.read(v1), v1, T, "test");
        Catalog second = first.publish(CatalogReader.read(v2), v2, T, "test");

        CatalogDiff diff = CatalogDiff.between(first, second);

        assertThat(diff.costs().changed()).singleElement().satisfies(entry -> {
            assertThat(entry.key()).isEqualTo("tokens");
            assertThat(entry.changes())
                    .containsExactly(
                            new CatalogDiff.Change(
                                    "byDimension.model.gpt-4o", new BigDecimal("0.01"), new BigDecimal("0.012")),
                            new CatalogDiff.Change("amount", new BigDecimal("0.002"), null),
                            new CatalogDiff.Change("byDimension.model.gpt-4o-mini", new BigDecimal("0.0006"), null));
        });
        assertThat(diff.plans().changed())
                .singleElement()
                .satisfies(entry -> assertThat(entry.changes())
                        .containsExactly(
                                new CatalogDiff.Change("price.overage.q.amount", null, new BigDecimal("0.05")),
                                new CatalogDiff.Change("price.overage.q.per", null, BigDecimal.ONE)));
        assertThat(second.summary()).contains("plan pro v2").contains("costs changed");
        assertThat(CatalogDiff.between(Catalog.empty(), first).costs().added())
                .singleElement()
                .satisfies(entry -> assertThat(entry.changes())
                        .startsWith(
                                new CatalogDiff.Change("currency", null, "USD"),
                                new CatalogDiff.Change("per", null, new BigDecimal("1000"))));
    }
}
