package dev.tollgate.core.entitlement.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogReader;
import dev.tollgate.core.catalog.Enforcement;
import dev.tollgate.core.catalog.Entitlement;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.PlanRef;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.customer.Trial;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class EntitlementResolverTest {
    private static final Instant T0 = Instant.parse("2026-01-06T00:00:00Z");

    private static final Map<String, Object> DOCUMENT = Map.of(
            "features",
            List.of(
                    Map.of("key", "sso", "type", "boolean"),
                    Map.of("key", "seats", "type", "config"),
                    Map.of("key", "q", "type", "metered", "reset", "month"),
                    Map.of("key", "tokens", "type", "metered", "reset", "day")),
            "plans",
            List.of(
                    Map.of(
                            "key",
                            "free",
                            "entitlements",
                            Map.of(
                                    "q",
                                    Map.of("limit", 10),
                                    "tokens",
                                    Map.of("limit", 100),
                                    "seats",
                                    Map.of("value", 1))),
                    Map.of(
                            "key",
                            "pro",
                            "parent",
                            "free",
                            "entitlements",
                            Map.of("q", Map.of("limit", 1000, "enforcement", "soft"), "sso", Map.of("enabled", true))),
                    Map.of("key", "max", "entitlements", Map.of("q", Map.of("limit", "unlimited")))),
            "addons",
            List.of(
                    Map.of("key", "more-q", "entitlements", Map.of("q", Map.of("limit", 500))),
                    Map.of("key", "seat-pack", "entitlements", Map.of("seats", Map.of("value", 5))),
                    Map.of("key", "q-800", "entitlements", Map.of("q", Map.of("limit", 800, "mode", "override")))));

    private static final Catalog CATALOG = Catalog.empty().publish(CatalogReader.read(DOCUMENT), DOCUMENT, T0, "test");

    private static Subscription on(String plan, AddonRef... addons) {
        return new Subscription(new PlanRef(plan, 1), List.of(addons), T0, null, null);
    }

    private static Map<String, EffectiveEntitlement> resolve(Subscription s, List<Promotion> promos, Instant t) {
        return EntitlementResolver.resolve(CATALOG, s, promos, t).entitlements();
    }

    @Test
    void a_child_plan_replaces_its_parents_entitlement_and_inherits_the_rest() {
        Map<String, EffectiveEntitlement> e = resolve(on("pro"), List.of(), T0);
        assertThat(e.get("q").limit()).isEqualByComparingTo("1000");
        assertThat(e.get("q").enforcement()).isEqualTo(Enforcement.SOFT);
        assertThat(e.get("tokens").limit()).isEqualByComparingTo("100");
        assertThat(e.get("tokens").reset()).isEqualTo(ResetPeriod.DAY);
        assertThat(e.get("sso").enabled()).isTrue();
        assertThat(e.get("q").source()).isEqualTo("plan:pro@1");
    }

    @Test
    void increments_add_limit_times_quantity_to_the_plan_and_config_values() {
        Map<String, EffectiveEntitlement> e =
                resolve(on("free", new AddonRef("more-q", 1, 3), new AddonRef("seat-pack", 1, 2)), List.of(), T0);
        assertThat(e.get("q").limit()).isEqualByComparingTo("1510");
        assertThat(e.get("q").source()).isEqualTo("plan:free@1+addons");
        assertThat(e.get("seats").value()).isEqualByComparingTo("11");
    }

    @Test
    void an_override_wins_only_when_more_generous() {
        assertThat(resolve(on("free", new AddonRef("q-800", 1, 1)), List.of(), T0)
                        .get("q")
                        .limit())
                .isEqualByComparingTo("800");
        EffectiveEntitlement pro =
                resolve(on("pro", new AddonRef("q-800", 1, 1)), List.of(), T0).get("q");
        assertThat(pro.limit()).isEqualByComparingTo("1000");
        assertThat(pro.source()).isEqualTo("plan:pro@1");
    }

    @Test
    void unlimited_beats_every_number_and_increments_keep_it_unlimited() {
        Promotion unlimited = new Promotion(
                "p1", "q", new Entitlement.Metered(null, Enforcement.HARD, ResetPeriod.MONTH, false), T0, null);
        assertThat(resolve(on("pro", new AddonRef("more-q", 1, 9)), List.of(unlimited), T0)
                        .get("q")
                        .unlimited())
                .isTrue();
        assertThat(resolve(on("max", new AddonRef("more-q", 1, 2)), List.of(), T0)
                        .get("q")
                        .unlimited())
                .isTrue();
    }

    @Test
    void a_boolean_is_granted_if_any_source_grants_it() {
        Promotion denied = new Promotion("p1", "sso", new Entitlement.Toggle(false), T0, null);
        Promotion granted = new Promotion("p2", "sso", new Entitlement.Toggle(true), T0, null);
        assertThat(resolve(on("free"), List.of(denied), T0).get("sso").enabled())
                .isFalse();
        assertThat(resolve(on("free"), List.of(denied, granted), T0).get("sso").enabled())
                .isTrue();
        assertThat(resolve(on("free"), List.of(), T0)).doesNotContainKey("sso");
    }

    @Test
    void a_trial_counts_until_the_nanosecond_before_its_end() {
        Instant end = T0.plusSeconds(14 * 86_400);
        Subscription s =
                new Subscription(new PlanRef("free", 1), List.of(), T0, new Trial(new PlanRef("pro", 1), end), null);
        assertThat(resolve(s, List.of(), end.minusNanos(1)).get("q").limit()).isEqualByComparingTo("1000");
        assertThat(resolve(s, List.of(), end).get("q").limit()).isEqualByComparingTo("10");
        assertThat(EntitlementResolver.resolve(CATALOG, s, List.of(), T0).validUntil())
                .isEqualTo(end);
    }

    @Test
    void a_promotion_counts_in_its_half_open_interval() {
        Instant start = T0.plusSeconds(60);
        Instant end = T0.plusSeconds(120);
        Promotion p = new Promotion(
                "p1",
                "q",
                new Entitlement.Metered(new BigDecimal(50), Enforcement.HARD, ResetPeriod.MONTH, false),
                start,
                end);
        assertThat(resolve(on("free"), List.of(p), start.minusNanos(1)).get("q").limit())
                .isEqualByComparingTo("10");
        assertThat(resolve(on("free"), List.of(p), start).get("q").limit()).isEqualByComparingTo("50");
        assertThat(resolve(on("free"), List.of(p), end).get("q").limit()).isEqualByComparingTo("10");
    }

    @Test
    void a_cancelled_subscription_stops_counting_at_cancel_time() {
        Instant cancel = T0.plusSeconds(3600);
        Subscription s = on("pro").cancelledAt(cancel);
        assertThat(resolve(s, List.of(), cancel.minusNanos(1))).containsKey("sso");
        assertThat(resolve(s, List.of(), cancel)).isEmpty();
    }

    @Test
    void a_pinned_plan_version_is_kept_when_the_plan_changes() {
        Map<String, Object> changed = Map.of(
                "features", List.of(Map.of("key", "q", "type", "metered")),
                "plans", List.of(Map.of("key", "free", "entitlements", Map.of("q", Map.of("limit", 3)))));
        Catalog v2 = CATALOG.publish(CatalogReader.read(changed), changed, T0.plusSeconds(1), "test");
        assertThat(v2.plans().get("free").version()).isEqualTo(2);
        assertThat(EntitlementResolver.resolve(v2, on("free"), List.of(), T0)
                        .entitlements()
                        .get("q")
                        .limit())
                .isEqualByComparingTo("10");
        Subscription fresh = new Subscription(new PlanRef("free", 2), List.of(), T0, null, null);
        assertThat(EntitlementResolver.resolve(v2, fresh, List.of(), T0)
                        .entitlements()
                        .get("q")
                        .limit())
                .isEqualByComparingTo("3");
    }
}
