package dev.tollgate.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class CatalogReaderTest {

    @Test
    void every_error_of_a_document_is_listed_with_its_location() {
        Map<String, Object> doc = Map.of(
                "currencies", List.of(Map.of("key", "credits", "depletion", "sometimes")),
                "features",
                        List.of(
                                Map.of("key", "q", "type", "metered"),
                                Map.of("key", "q", "type", "metered"),
                                Map.of("key", "sso", "type", "boolean")),
                "rateCards", List.of(Map.of("feature", "q", "currency", "euros", "rate", 1)),
                "plans",
                        List.of(
                                Map.of("key", "a", "parent", "b", "entitlements", Map.of("q", Map.of("limit", -1))),
                                Map.of("key", "b", "parent", "a", "entitlements", Map.of("sso", Map.of("limit", 5))),
                                Map.of("key", "c", "entitlements", Map.of("q", Map.of("limit", "ten")))),
                "addons",
                        List.of(Map.of(
                                "key",
                                "x",
                                "entitlements",
                                Map.of("sso", Map.of("enabled", true, "mode", "increment")))));

        CatalogException e = catchThrowableOfType(CatalogException.class, () -> CatalogReader.read(doc));

        assertThat(e.errors())
                .extracting(CatalogError::path)
                .containsExactlyInAnyOrder(
                        "currencies[0].depletion",
                        "features[1].key",
                        "rateCards[0].currency",
                        "plans[0].entitlements.q.limit",
                        "plans[1].entitlements.sso.limit",
                        "plans[2].entitlements.q.limit",
                        "addons[0].entitlements.sso.mode",
                        "plans[0].parent",
                        "plans[1].parent");
        assertThat(e.errors()).contains(new CatalogError("plans[0].entitlements.q.limit", "must be >= 0"));
        assertThat(e.errors()).anySatisfy(err -> assertThat(err.message()).startsWith("cycle in parent plans"));
    }

    @Test
    void unknown_fields_are_errors_not_silent_defaults() {
        Map<String, Object> doc = Map.of(
                "features", List.of(Map.of("key", "q", "type", "metered", "rest", "month")),
                "plans",
                        List.of(Map.of(
                                "key", "p", "entitlements", Map.of("q", Map.of("limit", 1, "enforcment", "soft")))),
                "extras", true);
        CatalogException e = catchThrowableOfType(CatalogException.class, () -> CatalogReader.read(doc));
        assertThat(e.errors())
                .extracting(CatalogError::path)
                .containsExactlyInAnyOrder("features[0].rest", "plans[0].entitlements.q.enforcment", "extras");
    }

    @Test
    void a_valid_document_flattens_parents_and_applies_feature_defaults() {
        Map<String, Object> doc = Map.of(
                "features",
                        List.of(
                                Map.of("key", "q", "type", "metered", "reset", "day", "calendar", true),
                                Map.of("key", "seats", "type", "config")),
                "plans",
                        List.of(
                                Map.of(
                                        "key",
                                        "base",
                                        "entitlements",
                                        Map.of("q", Map.of("limit", 5), "seats", Map.of("value", 2))),
                                Map.of(
                                        "key",
                                        "top",
                                        "parent",
                                        "base",
                                        "trial",
                                        Map.of("days", 14),
                                        "entitlements",
                                        Map.of("q", Map.of("limit", "unlimited")))));
        CatalogDefinition def = CatalogReader.read(doc);
        PlanVersion top = def.plans().get("top");
        assertThat(top.trialDays()).isEqualTo(14);
        assertThat(top.entitlements()).containsKeys("q", "seats");
        assertThat(((Entitlement.Metered) top.entitlements().get("q")).unlimited())
                .isTrue();
        Entitlement.Metered base =
                (Entitlement.Metered) def.plans().get("base").entitlements().get("q");
        assertThat(base.calendar()).isTrue();
        assertThat(base.reset()).isEqualTo(dev.tollgate.core.period.ResetPeriod.DAY);
        assertThat(base.enforcement()).isEqualTo(Enforcement.HARD);
    }
}
