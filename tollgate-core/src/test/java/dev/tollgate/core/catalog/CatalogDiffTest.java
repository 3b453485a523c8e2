package dev.tollgate.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 15 item 9: what changed between two catalog versions, feature by feature and plan by plan. */
final class CatalogDiffTest {
    private static final Instant T = Instant.parse("2026-01-06T10:00:00Z");

    private static Map<String, Object> v1() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("currencies", List.of(Map.of("key", "credits")));
        doc.put(
                "features",
                List.of(
                        Map.of("key", "q", "type", "metered", "reset", "month"),
                        Map.of("key", "sso", "type", "boolean")));
        doc.put("rateCards", List.of(Map.of("feature", "q", "currency", "credits", "rate", 1)));
        doc.put(
                "plans",
                List.of(
                        Map.of(
                                "key",
                                "pro",
                                "price",
                                Map.of("amount", 20, "currency", "USD", "every", "month"),
                                "entitlements",
                                Map.of("q", Map.of("limit", 100), "sso", Map.of("enabled", true))),
                        Map.of("key", "old", "entitlements", Map.of("q", Map.of("limit", 1)))));
        return doc;
    }

    private static Map<String, Object> v2() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("currencies", List.of(Map.of("key", "credits"), Map.of("key", "gems", "depletion", "soft")));
        doc.put(
                "features",
                List.of(
                        Map.of("key", "q", "type", "metered", "reset", "day"),
                        Map.of("key", "sso", "type", "boolean")));
        doc.put("rateCards", List.of(Map.of("feature", "q", "currency", "credits", "rate", 2)));
        doc.put(
                "plans",
                List.of(Map.of(
                        "key",
                        "pro",
                        "price",
                        Map.of("amount", 25, "currency", "USD", "every", "month"),
                        "entitlements",
                        Map.of("q", Map.of("limit", "unlimited", "enforcement", "soft")),
                        "credits",
                        List.of(Map.of("currency", "credits", "amount", 500)))));
        doc.put(
                "addons",
                List.of(Map.of("key", "boost", "entitlements", Map.of("q", Map.of("limit", 10, "mode", "increment")))));
        return doc;
    }

    private static Catalog publish(Catalog base, Map<String, Object> doc) {
        return base.publish(CatalogReader.read(doc), doc, T, "test");
    }

    /** Orders changes equal when their fields match and their values are equal, decimals by value. */
    private static int compare(CatalogDiff.Change x, CatalogDiff.Change y) {
        return x.field().equals(y.field())
                        && value(x.from()).equals(value(y.from()))
                        && value(x.to()).equals(value(y.to()))
                ? 0
                : 1;
    }

    private static String value(Object v) {
        return v instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : String.valueOf(v);
    }

    @Test
    void every_added_removed_and_changed_entry_is_listed_with_its_field_changes() {
        Catalog first = publish(Catalog.empty(), v1());
        Catalog second = publish(first, v2());

        CatalogDiff diff = CatalogDiff.between(first, second);

        assertThat(diff.fromVersion()).isEqualTo(1);
        assertThat(diff.toVersion()).isEqualTo(2);
        assertThat(diff.features().added()).isEmpty();
        assertThat(diff.features().changed()).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo("q");
            assertThat(e.changes()).containsExactly(new CatalogDiff.Change("reset", "month", "day"));
        });
        assertThat(diff.currencies().added()).extracting(CatalogDiff.Entry::key).containsExactly("gems");
        assertThat(diff.currencies().added().get(0).changes())
                .contains(new CatalogDiff.Change("depletion", null, "soft"));
        assertThat(diff.plans().removed()).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo("old");
            assertThat(e.fromVersion()).isEqualTo(1);
            assertThat(e.toVersion()).isNull();
            assertThat(e.changes()).contains(new CatalogDiff.Change("entitlements.q.limit", BigDecimal.ONE, null));
        });
        CatalogDiff.Entry pro = diff.plans().changed().get(0);
        assertThat(pro.key()).isEqualTo("pro");
        assertThat(pro.fromVersion()).isEqualTo(1);
        assertThat(pro.toVersion()).isEqualTo(2);
        assertThat(pro.changes())
                .usingElementComparator(CatalogDiffTest::compare)
                .containsExactlyInAnyOrder(
                        new CatalogDiff.Change("price.amount", new BigDecimal("20"), new BigDecimal("25")),
                        new CatalogDiff.Change("entitlements.q.limit", new BigDecimal("100"), "unlimited"),
                        new CatalogDiff.Change("entitlements.q.enforcement", "hard", "soft"),
                        new CatalogDiff.Change("entitlements.q.reset", "month", "day"),
                        new CatalogDiff.Change("entitlements.sso.enabled", true, null),
                        new CatalogDiff.Change("credits[0].currency", null, "credits"),
                        new CatalogDiff.Change("credits[0].amount", null, new BigDecimal("500")),
                        new CatalogDiff.Change("credits[0].every", null, "month"),
                        new CatalogDiff.Change("credits[0].category", null, "promotional"),
                        new CatalogDiff.Change("credits[0].expires", null, "period-end"),
                        new CatalogDiff.Change("credits[0].priority", null, 0));
        assertThat(diff.addons().added())
                .singleElement()
                .satisfies(e -> assertThat(e.changes())
                        .contains(
                                new CatalogDiff.Change("entitlements.q.mode", null, "increment"),
                                new CatalogDiff.Change("entitlements.q.limit", null, BigDecimal.TEN)));
        assertThat(diff.rateCards().changed()).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo("q/credits");
            assertThat(e.changes())
                    .containsExactly(new CatalogDiff.Change("rate", BigDecimal.ONE, new BigDecimal("2")));
        });
    }

    @Test
    void the_first_version_diffs_against_the_empty_catalog_and_an_unchanged_one_is_empty() {
        Catalog first = publish(Catalog.empty(), v1());

        CatalogDiff diff = CatalogDiff.between(Catalog.empty(), first);

        assertThat(diff.fromVersion()).isZero();
        assertThat(diff.plans().added()).extracting(CatalogDiff.Entry::key).containsExactly("old", "pro");
        assertThat(diff.features().added()).extracting(CatalogDiff.Entry::key).containsExactly("q", "sso");
        assertThat(diff.features().added().get(0).changes())
                .contains(
                        new CatalogDiff.Change("type", null, "metered"),
                        new CatalogDiff.Change("reset", null, "month"));
        assertThat(diff.isEmpty()).isFalse();

        Catalog same = publish(first, v1());
        assertThat(CatalogDiff.between(first, same).isEmpty()).isTrue();
    }

    @Test
    void the_history_summary_lists_plans_and_add_ons_in_document_order_so_a_replay_rebuilds_the_same_text() {
        List<String> keys = List.of("p7", "p2", "p5", "p0", "p3", "p6", "p1", "p4");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("features", List.of(Map.of("key", "q", "type", "metered")));
        doc.put(
                "plans",
                keys.stream()
                        .map(k -> Map.of("key", k, "entitlements", Map.of("q", Map.of("limit", 1))))
                        .toList());
        doc.put(
                "addons",
                keys.stream()
                        .map(k -> Map.of(
                                "key", "a" + k, "entitlements", Map.of("q", Map.of("limit", 1, "mode", "increment"))))
                        .toList());

        String summary = publish(Catalog.empty(), doc).summary();

        assertThat(summary)
                .startsWith(
                        "plan p7 v1; plan p2 v1; plan p5 v1; plan p0 v1; plan p3 v1; plan p6 v1; plan p1 v1; plan p4 v1; "
                                + "add-on ap7 v1; add-on ap2 v1; add-on ap5 v1; add-on ap0 v1; add-on ap3 v1; add-on ap6 v1; "
                                + "add-on ap1 v1; add-on ap4 v1;");
    }
}
