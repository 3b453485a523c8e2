package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.core.api.CatalogFileOutcome;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.PromotionRequest;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.catalog.CatalogInUse;
import dev.tollgate.core.catalog.CatalogInUseException;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The catalog's lifecycle against customer state, run on every store (issue 15, items 7 and 8): a catalog that removes
 * what customers use is refused, also when that use is rebuilt from the store after a restart; a start-up file is
 * applied again only when it changed since it was last applied, which the journal remembers across restarts. It runs on
 * every store its test class lists ({@link StoreSuite}).
 */
public abstract class CatalogContract extends EngineSuite {
    private static final Instant START = Instant.parse("2026-01-06T10:00:00Z");

    protected CatalogContract() {
        super(START, AfterEachTest.NOTHING);
    }

    @BeforeEach
    void startEngine() throws Exception {
        restart();
        engine().publishCatalog(catalog(true, true, true), "contract").get();
        engine().upsertCustomer("acme", new CustomerUpdate("Acme", Map.of(), null), "create")
                .get();
        engine().subscribe("acme", new SubscriptionRequest("small", List.of(), null, null, "sub-1"))
                .get();
    }

    /**
     * A catalog: features {@code q}, {@code runs} (unless left out), {@code sso}; currency {@code credits} (unless left
     * out); plans {@code small} ({@code runs} only if {@code smallRuns}) and {@code big}; add-on {@code pack}.
     */
    private static Map<String, Object> catalog(boolean runs, boolean smallRuns, boolean credits) {
        Map<String, Object> small = new LinkedHashMap<>();
        small.put("q", Map.of("limit", 500));
        if (smallRuns) {
            small.put("runs", Map.of("limit", 9));
        }
        Map<String, Object> big = new LinkedHashMap<>();
        big.put("q", Map.of("limit", 5000));
        big.put("sso", Map.of("enabled", true));
        if (runs) {
            big.put("runs", Map.of("limit", 90));
        }
        List<Object> features = new java.util.ArrayList<>(List.of(
                Map.of("key", "q", "type", "metered", "reset", "month"), Map.of("key", "sso", "type", "boolean")));
        if (runs) {
            features.add(Map.of("key", "runs", "type", "metered", "reset", "day"));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        if (credits) {
            doc.put("currencies", List.of(Map.of("key", "credits")));
        }
        doc.put("features", features);
        doc.put(
                "plans",
                List.of(Map.of("key", "small", "entitlements", small), Map.of("key", "big", "entitlements", big)));
        doc.put(
                "addons",
                List.of(Map.of("key", "pack", "entitlements", Map.of("q", Map.of("limit", 100, "mode", "increment")))));
        return doc;
    }

    private Decision check(String customer, String feature) {
        return engine().check(new CheckRequest(customer, feature, null, null, Map.of()));
    }

    private CatalogInUseException refusal(Map<String, Object> document) {
        return catchThrowableOfType(
                CatalogInUseException.class,
                () -> engine().publishCatalog(document, "contract").get());
    }

    @Test
    void a_catalog_removing_a_feature_a_grandfathered_plan_version_grants_is_refused_also_after_a_restart()
            throws Exception {
        engine().publishCatalog(catalog(true, false, true), "contract").get();
        assertThat(engine().catalog().plans().get("small").version()).isEqualTo(2);
        assertThat(check("acme", "runs").allowed())
                .as("acme keeps small v1, which grants runs")
                .isTrue();

        CatalogInUseException refused = refusal(catalog(false, false, true));

        assertThat(refused).as("removing runs must be refused").isNotNull();
        assertThat(refused.conflicts())
                .containsExactly(new CatalogInUse.Conflict(CatalogInUse.Kind.FEATURE, "runs", 1, List.of("acme")));
        assertThat(engine().catalog().version()).isEqualTo(2);
        assertThat(check("acme", "runs").allowed()).isTrue();

        restart();
        assertThat(refusal(catalog(false, false, true)))
                .as("the use is rebuilt from the store")
                .isNotNull();
        assertThat(engine().catalog().version()).isEqualTo(2);
    }

    @Test
    void the_empty_catalog_and_a_rollback_dropping_a_plan_in_use_are_refused_until_the_subscription_ends()
            throws Exception {
        CatalogInUseException empty = refusal(Map.of());
        assertThat(empty).as("an empty catalog removes every plan").isNotNull();
        assertThat(empty.conflicts())
                .extracting(CatalogInUse.Conflict::kind, CatalogInUse.Conflict::key)
                .containsExactly(
                        Tuple.tuple(CatalogInUse.Kind.PLAN, "small"),
                        Tuple.tuple(CatalogInUse.Kind.FEATURE, "q"),
                        Tuple.tuple(CatalogInUse.Kind.FEATURE, "runs"));

        Map<String, Object> withTeam = new LinkedHashMap<>(catalog(true, true, true));
        withTeam.put(
                "plans",
                List.of(
                        Map.of(
                                "key",
                                "small",
                                "entitlements",
                                Map.of("q", Map.of("limit", 500), "runs", Map.of("limit", 9))),
                        Map.of("key", "team", "entitlements", Map.of("q", Map.of("limit", 50)))));
        engine().publishCatalog(withTeam, "contract").get();
        engine().upsertCustomer("beta", new CustomerUpdate("Beta", Map.of(), null), "create")
                .get();
        engine().subscribe("beta", new SubscriptionRequest("team", List.of(), null, null, "sub-1"))
                .get();

        CatalogInUseException rollback =
                catchThrowableOfType(CatalogInUseException.class, () -> engine().rollbackCatalog(1, "contract"));
        assertThat(rollback).as("version 1 has no plan team").isNotNull();
        assertThat(rollback.conflicts())
                .containsExactly(new CatalogInUse.Conflict(CatalogInUse.Kind.PLAN, "team", 1, List.of("beta")));

        engine().cancel("beta", false).get();
        assertThat(engine().rollbackCatalog(1, "contract").get().version())
                .as("an ended subscription uses nothing")
                .isEqualTo(3);
    }

    @Test
    void balances_promotions_budgets_and_add_ons_keep_what_they_name_in_use() throws Exception {
        engine().grant("acme", new GrantRequest("credits", BigDecimal.TEN, false, BigDecimal.ZERO, 0, null, null, "g"))
                .get();
        engine().upsertCustomer("beta", new CustomerUpdate("Beta", Map.of(), null), "create")
                .get();
        engine().promote("beta", new PromotionRequest("sso", Map.of("enabled", true), null, null, "p"))
                .get();
        engine().upsertCustomer("gamma", new CustomerUpdate("Gamma", Map.of(), null), "create")
                .get();
        engine().setScope("gamma", "team", "team", null, "The team").get();
        engine().setBudget(
                        "gamma",
                        "team",
                        "runs-cap",
                        new Budget(
                                "runs-cap", null, "runs", BigDecimal.TEN, ResetPeriod.MONTH, true, List.of(), Map.of()))
                .get();
        engine().upsertCustomer("delta", new CustomerUpdate("Delta", Map.of(), null), "create")
                .get();
        engine().subscribe(
                        "delta",
                        new SubscriptionRequest(
                                "big", List.of(new SubscriptionRequest.AddonQuantity("pack", 2)), null, null, "s"))
                .get();
        restart();

        Map<String, Object> bare = new LinkedHashMap<>();
        bare.put("features", List.of(Map.of("key", "q", "type", "metered", "reset", "month")));
        bare.put("plans", List.of(Map.of("key", "small", "entitlements", Map.of("q", Map.of("limit", 500)))));
        CatalogInUseException refused = refusal(bare);

        assertThat(refused).isNotNull();
        assertThat(refused.conflicts())
                .extracting(CatalogInUse.Conflict::kind, CatalogInUse.Conflict::key, CatalogInUse.Conflict::first)
                .containsExactly(
                        Tuple.tuple(CatalogInUse.Kind.PLAN, "big", List.of("delta")),
                        Tuple.tuple(CatalogInUse.Kind.ADDON, "pack", List.of("delta")),
                        Tuple.tuple(CatalogInUse.Kind.FEATURE, "runs", List.of("acme", "delta", "gamma")),
                        Tuple.tuple(CatalogInUse.Kind.FEATURE, "sso", List.of("beta", "delta")),
                        Tuple.tuple(CatalogInUse.Kind.CURRENCY, "credits", List.of("acme")));
        assertThat(refused.customers()).isEqualTo(4);
    }

    @Test
    void a_start_up_file_is_applied_again_only_when_it_changed_since_it_was_last_applied() throws Exception {
        Map<String, Object> file = catalog(true, true, true);
        Map<String, Object> fromApi = new LinkedHashMap<>(file);
        fromApi.put("addons", List.of());
        engine().publishCatalog(fromApi, "api").get();
        assertThat(engine().catalog().version()).isEqualTo(2);

        CatalogFileOutcome first =
                engine().publishCatalogFile(file, "catalog.yaml").get();
        assertThat(first.applied())
                .as("never applied from this file, and it differs from the current catalog")
                .isTrue();
        assertThat(first.current().version()).isEqualTo(3);
        engine().publishCatalog(fromApi, "api").get();
        assertThat(engine().catalog().version()).isEqualTo(4);

        restart();
        CatalogFileOutcome kept =
                engine().publishCatalogFile(file, "catalog.yaml").get();
        assertThat(kept.applied())
                .as("the file did not change: the API's version 4 is kept")
                .isFalse();
        assertThat(kept.lastFromFile()).isEqualTo(3);
        assertThat(kept.current().version()).isEqualTo(4);
        assertThat(engine().catalog().addons()).isEmpty();
        assertThat(kept.reason()).contains("version 3").contains("version 4");

        Map<String, Object> edited = catalog(true, true, true);
        edited.put(
                "plans",
                List.of(
                        Map.of(
                                "key",
                                "small",
                                "entitlements",
                                Map.of("q", Map.of("limit", 600), "runs", Map.of("limit", 9))),
                        Map.of("key", "big", "entitlements", Map.of("q", Map.of("limit", 5000)))));
        CatalogFileOutcome changed =
                engine().publishCatalogFile(edited, "catalog.yaml").get();
        assertThat(changed.applied()).isTrue();
        assertThat(changed.current().version()).isEqualTo(5);

        restart();
        assertThat(engine().catalog().version()).isEqualTo(5);
        CatalogFileOutcome again =
                engine().publishCatalogFile(edited, "catalog.yaml").get();
        assertThat(again.applied()).isFalse();
        assertThat(again.lastFromFile()).isEqualTo(5);
        assertThat(engine().catalog().version()).isEqualTo(5);
    }

    @Test
    void a_start_up_file_whose_content_equals_the_current_catalog_is_recorded_as_applied_from_it() throws Exception {
        Map<String, Object> file = catalog(true, true, true);
        CatalogFileOutcome adopted =
                engine().publishCatalogFile(file, "catalog.yaml").get();
        assertThat(adopted.applied()).isTrue();
        assertThat(adopted.current().version())
                .as("a new version records that the content now comes from the file")
                .isEqualTo(2);
        assertThat(adopted.current().summary()).isEqualTo("no changes");

        Map<String, Object> fromApi = new LinkedHashMap<>(file);
        fromApi.put("addons", List.of());
        engine().publishCatalog(fromApi, "api").get();
        restart();

        assertThat(engine().publishCatalogFile(file, "catalog.yaml").get().applied())
                .isFalse();
        assertThat(engine().catalog().version()).isEqualTo(3);
    }
}
