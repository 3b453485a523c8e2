package dev.tollgate.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Issue 15 item 8: a catalog that removes what customers still use is refused. */
final class CatalogInUseTest {
    private static final CatalogDefinition NEXT = CatalogReader.read(Map.of(
            "currencies", List.of(Map.of("key", "credits")),
            "features", List.of(Map.of("key", "q", "type", "metered")),
            "plans", List.of(Map.of("key", "pro", "entitlements", Map.of("q", Map.of("limit", 5)))),
            "addons",
                    List.of(Map.of(
                            "key", "boost", "entitlements", Map.of("q", Map.of("limit", 1, "mode", "increment"))))));

    private static CatalogUse use(Set<String> plans, Set<String> addons, Set<String> features, Set<String> currencies) {
        return new CatalogUse(plans, addons, features, currencies);
    }

    @Test
    void what_the_next_catalog_still_has_is_no_conflict() {
        CatalogInUse check = new CatalogInUse(NEXT);
        check.add("a", use(Set.of("pro"), Set.of("boost"), Set.of("q"), Set.of("credits")));

        assertThat(check.conflicts()).isEmpty();
        assertThat(check.customers()).isZero();
        check.check();
    }

    @Test
    void every_removed_key_in_use_is_named_with_its_customers_count_and_the_first_few_in_order() {
        CatalogInUse check = new CatalogInUse(NEXT);
        for (int i = 9; i >= 1; i--) {
            check.add("c" + i, use(Set.of("legacy"), Set.of(), Set.of("q", "old-feature"), Set.of()));
        }
        check.add("z", use(Set.of("pro"), Set.of("gone-addon"), Set.of(), Set.of("euros")));

        assertThat(check.conflicts())
                .containsExactly(
                        new CatalogInUse.Conflict(
                                CatalogInUse.Kind.PLAN, "legacy", 9, List.of("c1", "c2", "c3", "c4", "c5")),
                        new CatalogInUse.Conflict(CatalogInUse.Kind.ADDON, "gone-addon", 1, List.of("z")),
                        new CatalogInUse.Conflict(
                                CatalogInUse.Kind.FEATURE, "old-feature", 9, List.of("c1", "c2", "c3", "c4", "c5")),
                        new CatalogInUse.Conflict(CatalogInUse.Kind.CURRENCY, "euros", 1, List.of("z")));
        assertThat(check.customers())
                .as("distinct customers behind all conflicts")
                .isEqualTo(10);
        assertThatThrownBy(check::check)
                .isInstanceOfSatisfying(CatalogInUseException.class, e -> {
                    assertThat(e.customers()).isEqualTo(10);
                    assertThat(e.conflicts()).hasSize(4);
                })
                .hasMessageStartingWith("the catalog removes what 10 customers still use: ")
                .hasMessageContaining("plan 'legacy' (9 customers: c1, c2, c3, c4, c5, ...)")
                .hasMessageContaining("add-on 'gone-addon' (1 customer: z)")
                .hasMessageContaining("currency 'euros'");
    }

    @Test
    void the_empty_catalog_conflicts_with_every_plan_in_use() {
        CatalogInUse check = new CatalogInUse(CatalogReader.read(Map.of()));
        check.add("a", use(Set.of("pro"), Set.of(), Set.of("q"), Set.of()));

        assertThat(check.conflicts())
                .extracting(CatalogInUse.Conflict::kind, CatalogInUse.Conflict::key)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(CatalogInUse.Kind.PLAN, "pro"),
                        org.assertj.core.groups.Tuple.tuple(CatalogInUse.Kind.FEATURE, "q"));
        assertThatThrownBy(check::check).hasMessageStartingWith("the catalog removes what 1 customer still uses: ");
    }
}
