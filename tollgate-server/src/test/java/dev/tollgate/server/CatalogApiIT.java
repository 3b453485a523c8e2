package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class CatalogApiIT {
    @TempDir
    Path dir;

    Harness h;

    @BeforeEach
    void start() {
        h = new Harness(dir, Instant.parse("2026-01-06T10:00:00Z"));
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void sample_yaml_catalog_applies_as_version_1_and_reads_back() {
        ApiClient.Reply applied = h.applySampleCatalog();
        assertThat(applied.status()).as(applied.text()).isEqualTo(200);
        assertThat(applied.get("version")).isEqualTo(BigDecimal.ONE);

        ApiClient.Reply current = h.get("/v1/catalog");
        assertThat(current.status()).isEqualTo(200);
        assertThat(current.get("version")).isEqualTo(BigDecimal.ONE);
        assertThat(current.body().get("document")).isInstanceOf(Map.class);
        assertThat(current.body())
                .extractingByKey("planVersions")
                .isEqualTo(Map.of("free", BigDecimal.ONE, "pro", BigDecimal.ONE, "enterprise", BigDecimal.ONE));
    }

    @Test
    void invalid_catalog_lists_every_error_located_and_applies_nothing() {
        h.applySampleCatalog();
        Map<String, Object> bad = Map.of(
                "features", List.of(Map.of("key", "q", "type", "metered")),
                "plans",
                        List.of(
                                Map.of("key", "a", "entitlements", Map.of("q", Map.of("limit", -1))),
                                Map.of(
                                        "key",
                                        "b",
                                        "parent",
                                        "nope",
                                        "entitlements",
                                        Map.of("missing", Map.of("limit", 1))),
                                Map.of(
                                        "key",
                                        "c",
                                        "entitlements",
                                        Map.of("q", Map.of("limit", 5, "enforcment", "soft")))));

        ApiClient.Reply r = h.put("/v1/catalog", bad);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).containsEntry("code", "CATALOG_INVALID");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> errors = (List<Map<String, Object>>) r.get("errors");
        assertThat(errors)
                .extracting(e -> e.get("field"))
                .containsExactlyInAnyOrder(
                        "plans[0].entitlements.q.limit",
                        "plans[1].entitlements.missing",
                        "plans[2].entitlements.q.enforcment",
                        "plans[1].parent");
        assertThat(errors).anySatisfy(e -> assertThat(e.get("message")).isEqualTo("must be >= 0"));
        assertThat(h.get("/v1/catalog").get("version")).isEqualTo(BigDecimal.ONE);
    }

    @Test
    void malformed_yaml_and_non_object_documents_are_refused() {
        ApiClient.Reply yaml = h.send("PUT", "/v1/catalog", "plans: [unclosed", "application/yaml", Harness.KEY);
        assertThat(yaml.status()).isEqualTo(400);
        assertThat(yaml.error()).containsEntry("code", "MALFORMED_YAML");

        ApiClient.Reply list = h.send("PUT", "/v1/catalog", "[1,2]", "application/json", Harness.KEY);
        assertThat(list.status()).isEqualTo(400);
        assertThat(list.error()).containsEntry("code", "CATALOG_INVALID");
        assertThat(h.get("/v1/catalog").get("version")).isEqualTo(BigDecimal.ZERO);
    }

    @Test
    void a_yaml_catalog_sent_as_json_is_told_to_say_its_content_type() throws Exception {
        String yaml = Files.readString(ApiClient.sampleCatalog());

        ApiClient.Reply untyped = h.send("PUT", "/v1/catalog", yaml, "application/json", Harness.KEY);

        assertThat(untyped.status()).isEqualTo(400);
        assertThat(untyped.error()).containsEntry("code", "MALFORMED_JSON");
        assertThat((String) untyped.error().get("message")).contains("Content-Type: application/yaml");
        ApiClient.Reply brokenJson = h.send("PUT", "/v1/catalog", "{\"plans\": [", "application/json", Harness.KEY);
        assertThat((String) brokenJson.error().get("message")).doesNotContain("yaml");
        assertThat(h.get("/v1/catalog").get("version")).isEqualTo(BigDecimal.ZERO);
    }

    @Test
    void changed_plan_gets_a_new_version_and_existing_subscribers_keep_theirs() {
        Map<String, Object> v1 = catalogWithProLimit(100);
        assertThat(h.put("/v1/catalog", v1).status()).isEqualTo(200);
        h.customerOn("early", "pro");

        ApiClient.Reply v2 = h.put("/v1/catalog", catalogWithProLimit(50));
        assertThat(v2.get("version")).isEqualTo(new BigDecimal(2));
        assertThat(v2.body()).extractingByKey("planVersions").isEqualTo(Map.of("pro", new BigDecimal(2)));
        assertThat((String) v2.get("summary")).contains("plan pro v2");
        h.customerOn("late", "pro");

        assertThat(h.check("early", "q").decimal("limit")).isEqualByComparingTo("100");
        assertThat(h.check("late", "q").decimal("limit")).isEqualByComparingTo("50");
        @SuppressWarnings("unchecked")
        Map<String, Object> sub =
                (Map<String, Object>) h.get("/v1/customers/early").get("subscription");
        assertThat(sub).containsEntry("plan", "pro").containsEntry("planVersion", BigDecimal.ONE);
    }

    @Test
    void versions_are_listed_newest_first_with_author_and_rollback_restores_as_a_new_version() {
        h.put("/v1/catalog", catalogWithProLimit(100));
        h.send(
                "PUT",
                "/v1/catalog",
                dev.tollgate.core.json.Json.write(catalogWithProLimit(50)),
                "application/json",
                Harness.KEY);

        ApiClient.Reply rollback = h.post("/v1/catalog/rollback", Map.of("version", 1));
        assertThat(rollback.status()).as(rollback.text()).isEqualTo(200);
        assertThat(rollback.get("version")).isEqualTo(new BigDecimal(3));
        h.customerOn("c", "pro");
        assertThat(h.check("c", "q").decimal("limit")).isEqualByComparingTo("100");

        ApiClient.Reply versions = h.get("/v1/catalog/versions?limit=2");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) versions.get("versions");
        assertThat(list).extracting(v -> v.get("version")).containsExactly(new BigDecimal(3), new BigDecimal(2));
        assertThat(list.get(0))
                .containsEntry("author", "api")
                .containsKey("time")
                .containsKey("summary");
        assertThat(versions.get("nextCursor")).isEqualTo("2");
        ApiClient.Reply rest = h.get("/v1/catalog/versions?limit=2&cursor=2");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> restList = (List<Map<String, Object>>) rest.get("versions");
        assertThat(restList).extracting(v -> v.get("version")).containsExactly(BigDecimal.ONE);

        assertThat(h.post("/v1/catalog/rollback", Map.of("version", 99)).status())
                .isEqualTo(404);
    }

    @Test
    void reapplying_the_same_document_creates_no_new_version() {
        h.applySampleCatalog();
        ApiClient.Reply again = h.applySampleCatalog();
        assertThat(again.get("version")).isEqualTo(BigDecimal.ONE);
        assertThat((java.util.List<?>) h.get("/v1/catalog/versions").get("versions"))
                .hasSize(1);
    }

    @Test
    void catalog_survives_a_restart_with_its_plan_versions() {
        h.put("/v1/catalog", catalogWithProLimit(100));
        h.customerOn("early", "pro");
        h.put("/v1/catalog", catalogWithProLimit(50));

        h.restart();

        assertThat(h.get("/v1/catalog").get("version")).isEqualTo(new BigDecimal(2));
        assertThat(h.check("early", "q").decimal("limit")).isEqualByComparingTo("100");
    }

    @Test
    void re_sending_the_subscription_keeps_its_plan_version_and_plan_version_moves_it() {
        h.put("/v1/catalog", catalogWithProLimit(100));
        h.customerOn("early", "pro");
        h.put("/v1/catalog", catalogWithProLimit(50));

        ApiClient.Reply same = h.put("/v1/customers/early/subscription", Map.of("plan", "pro"));
        assertThat(same.status()).as(same.text()).isEqualTo(200);
        assertThat(subscriptionOf("early")).containsEntry("planVersion", BigDecimal.ONE);
        assertThat(h.check("early", "q").decimal("limit")).isEqualByComparingTo("100");

        ApiClient.Reply latest =
                h.put("/v1/customers/early/subscription", Map.of("plan", "pro", "planVersion", "latest"));
        assertThat(latest.status()).as(latest.text()).isEqualTo(200);
        assertThat(subscriptionOf("early")).containsEntry("planVersion", new BigDecimal(2));
        assertThat(h.check("early", "q").decimal("limit")).isEqualByComparingTo("50");
        ApiClient.Reply back = h.put("/v1/customers/early/subscription", Map.of("plan", "pro", "planVersion", 1));
        assertThat(back.status()).as(back.text()).isEqualTo(200);
        assertThat(h.check("early", "q").decimal("limit")).isEqualByComparingTo("100");

        ApiClient.Reply unknown = h.put("/v1/customers/early/subscription", Map.of("plan", "pro", "planVersion", 3));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error())
                .containsEntry("code", "PLAN_VERSION_NOT_FOUND")
                .containsEntry("field", "planVersion");
        for (Object bad : List.of(0, -1, new BigDecimal("1.5"), "newest", "", true, List.of(1))) {
            ApiClient.Reply refused =
                    h.put("/v1/customers/early/subscription", Map.of("plan", "pro", "planVersion", bad));
            assertThat(refused.status()).as("planVersion %s", bad).isEqualTo(400);
            assertThat(refused.error())
                    .as("planVersion %s", bad)
                    .containsEntry("code", "INVALID_VERSION")
                    .containsEntry("field", "planVersion");
        }
        assertThat(subscriptionOf("early")).containsEntry("planVersion", BigDecimal.ONE);

        h.restart();
        assertThat(subscriptionOf("early")).containsEntry("planVersion", BigDecimal.ONE);
    }

    @Test
    void an_add_on_keeps_its_version_and_its_version_field_moves_it() {
        h.put("/v1/catalog", catalogWithBoost(10));
        h.customerOn("early", "pro");
        ApiClient.Reply bought = h.put(
                "/v1/customers/early/subscription",
                Map.of("plan", "pro", "addons", List.of(Map.of("key", "boost", "quantity", 1))));
        assertThat(bought.status()).as(bought.text()).isEqualTo(200);
        h.put("/v1/catalog", catalogWithBoost(20));

        h.put(
                "/v1/customers/early/subscription",
                Map.of("plan", "pro", "addons", List.of(Map.of("key", "boost", "quantity", 2))));
        assertThat(h.check("early", "q").decimal("limit")).isEqualByComparingTo("120");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> addons =
                (List<Map<String, Object>>) subscriptionOf("early").get("addons");
        assertThat(addons)
                .singleElement()
                .satisfies(a -> assertThat(a)
                        .containsEntry("version", BigDecimal.ONE)
                        .containsEntry("quantity", new BigDecimal(2)));

        h.put(
                "/v1/customers/early/subscription",
                Map.of("plan", "pro", "addons", List.of(Map.of("key", "boost", "quantity", 2, "version", "latest"))));
        assertThat(h.check("early", "q").decimal("limit")).isEqualByComparingTo("140");
        ApiClient.Reply unknown = h.put(
                "/v1/customers/early/subscription",
                Map.of("plan", "pro", "addons", List.of(Map.of("key", "boost", "version", 9))));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error())
                .containsEntry("code", "ADDON_VERSION_NOT_FOUND")
                .containsEntry("field", "addons[0].version");
        ApiClient.Reply bad = h.put(
                "/v1/customers/early/subscription",
                Map.of("plan", "pro", "addons", List.of(Map.of("key", "boost", "version", 0))));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error()).containsEntry("code", "INVALID_VERSION").containsEntry("field", "addons[0].version");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> subscriptionOf(String customerId) {
        return (Map<String, Object>) h.get("/v1/customers/" + customerId).get("subscription");
    }

    static Map<String, Object> catalogWithBoost(int boost) {
        return Map.of(
                "features", List.of(Map.of("key", "q", "type", "metered", "reset", "month")),
                "plans", List.of(Map.of("key", "pro", "entitlements", Map.of("q", Map.of("limit", 100)))),
                "addons",
                        List.of(Map.of(
                                "key",
                                "boost",
                                "entitlements",
                                Map.of("q", Map.of("limit", boost, "mode", "increment")))));
    }

    static Map<String, Object> catalogWithProLimit(int limit) {
        return Map.of(
                "features", List.of(Map.of("key", "q", "type", "metered", "reset", "month")),
                "plans", List.of(Map.of("key", "pro", "entitlements", Map.of("q", Map.of("limit", limit)))));
    }
}
