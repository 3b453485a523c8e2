package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, items 7-9 over HTTP and real restarts: a start-up catalog file does not undo changes made through the API,
 * a catalog that removes what customers use is refused {@code 409 CATALOG_IN_USE}, and each version's diff is served.
 */
final class CatalogLifecycleIT {
    private static final Instant START = Instant.parse("2026-01-06T10:00:00Z");

    @TempDir
    Path dir;

    private Harness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private Path catalogFile(String yaml) throws IOException {
        Path file = dir.resolve("catalog.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static String yaml(int proLimit, boolean team) {
        return "features:\n  - key: q\n    type: metered\n    reset: month\nplans:\n"
                + "  - key: pro\n    entitlements:\n      q: { limit: " + proLimit + " }\n"
                + (team ? "  - key: team\n    entitlements:\n      q: { limit: 5 }\n" : "");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(ApiClient.Reply reply, String field) {
        return (List<Map<String, Object>>) reply.get(field);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @Test
    void restarting_with_the_same_catalog_file_keeps_a_change_made_through_the_api_and_an_edited_file_is_applied()
            throws IOException {
        Path file = catalogFile(yaml(100, false));
        h = new Harness(
                dir.resolve("data"), START, c -> c.toBuilder().catalog(file).build());
        assertThat(h.get("/v1/catalog").get("version")).isEqualTo(BigDecimal.ONE);
        ApiClient.Reply api = h.put("/v1/catalog", CatalogApiIT.catalogWithProLimit(50));
        assertThat(api.get("version")).isEqualTo(new BigDecimal(2));

        h.restart();

        ApiClient.Reply kept = h.get("/v1/catalog");
        assertThat(kept.get("version")).as("the API's change is kept").isEqualTo(new BigDecimal(2));
        assertThat(kept.get("author")).isEqualTo("api");
        List<Map<String, Object>> versions = list(h.get("/v1/catalog/versions"), "versions");
        assertThat(versions).extracting(v -> v.get("version")).containsExactly(new BigDecimal(2), BigDecimal.ONE);
        assertThat(map(versions.get(1).get("source")))
                .containsEntry("file", "catalog.yaml")
                .containsKey("sha256");
        assertThat(versions.get(0)).doesNotContainKey("source");

        catalogFile(yaml(70, false));
        h.restart();

        ApiClient.Reply applied = h.get("/v1/catalog");
        assertThat(applied.get("version")).as("the edited file is applied").isEqualTo(new BigDecimal(3));
        assertThat(applied.get("author")).isEqualTo("startup:catalog.yaml");
        h.customerOn("c", "pro");
        assertThat(h.check("c", "q").decimal("limit")).isEqualByComparingTo("70");

        h.restart();
        assertThat(h.get("/v1/catalog").get("version")).isEqualTo(new BigDecimal(3));
    }

    @Test
    void a_start_up_file_that_removes_a_plan_in_use_stops_the_start_with_one_line_and_applies_nothing()
            throws IOException {
        Path file = catalogFile(yaml(100, true));
        h = new Harness(
                dir.resolve("data"), START, c -> c.toBuilder().catalog(file).build());
        h.customerOn("t1", "team");
        catalogFile(yaml(100, false));

        IllegalArgumentException refused = catchThrowableOfType(IllegalArgumentException.class, h::restart);

        assertThat(refused).isNotNull();
        assertThat(refused.getMessage())
                .doesNotContain("\n")
                .contains("catalog.yaml was not applied, version 1 stays current")
                .contains("plan 'team' (1 customer: t1)");

        catalogFile(yaml(100, true));
        h.restart();
        assertThat(h.get("/v1/catalog").get("version")).isEqualTo(BigDecimal.ONE);
        assertThat(h.check("t1", "q").decimal("limit")).isEqualByComparingTo("5");
    }

    @Test
    void an_empty_catalog_and_a_rollback_dropping_a_plan_in_use_are_refused_409_catalog_in_use() {
        h = new Harness(dir.resolve("data"), START);
        h.put("/v1/catalog", CatalogApiIT.catalogWithProLimit(100));
        h.customerOn("a", "pro");
        h.customerOn("b", "pro");

        ApiClient.Reply empty = h.put("/v1/catalog", Map.of());

        assertThat(empty.status()).as(empty.text()).isEqualTo(409);
        assertThat(empty.error()).containsEntry("code", "CATALOG_IN_USE");
        assertThat((String) empty.error().get("message"))
                .contains("2 customers")
                .contains("plan 'pro'");
        assertThat(empty.get("customers")).isEqualTo(new BigDecimal(2));
        assertThat(list(empty, "inUse"))
                .contains(Map.of(
                        "kind", "plan", "key", "pro", "customers", new BigDecimal(2), "first", List.of("a", "b")));
        assertThat(h.get("/v1/catalog").get("version")).isEqualTo(BigDecimal.ONE);

        h.put(
                "/v1/catalog",
                Map.of(
                        "features", List.of(Map.of("key", "q", "type", "metered", "reset", "month")),
                        "plans",
                                List.of(
                                        Map.of("key", "pro", "entitlements", Map.of("q", Map.of("limit", 100))),
                                        Map.of("key", "team", "entitlements", Map.of("q", Map.of("limit", 5))))));
        h.customerOn("t", "team");
        ApiClient.Reply rollback = h.post("/v1/catalog/rollback", Map.of("version", 1));
        assertThat(rollback.status()).as(rollback.text()).isEqualTo(409);
        assertThat(rollback.error()).containsEntry("code", "CATALOG_IN_USE");
        assertThat(list(rollback, "inUse"))
                .containsExactly(
                        Map.of("kind", "plan", "key", "team", "customers", BigDecimal.ONE, "first", List.of("t")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void a_versions_diff_lists_what_changed_plan_by_plan_and_version_1_diffs_against_nothing() {
        h = new Harness(dir.resolve("data"), START);
        h.put("/v1/catalog", CatalogApiIT.catalogWithProLimit(100));
        h.put("/v1/catalog", CatalogApiIT.catalogWithProLimit(50));

        ApiClient.Reply diff = h.get("/v1/catalog/versions/2/diff");

        assertThat(diff.status()).as(diff.text()).isEqualTo(200);
        assertThat(diff.get("version")).isEqualTo(new BigDecimal(2));
        assertThat(diff.get("from")).isEqualTo(BigDecimal.ONE);
        Map<String, Object> plans = map(diff.get("plans"));
        assertThat((List<?>) plans.get("added")).isEmpty();
        assertThat((List<?>) plans.get("removed")).isEmpty();
        assertThat((List<Object>) plans.get("changed")).containsExactly((Object) Map.of(
                "key",
                "pro",
                "fromVersion",
                BigDecimal.ONE,
                "toVersion",
                new BigDecimal(2),
                "changes",
                List.of(Map.of(
                        "field", "entitlements.q.limit", "from", new BigDecimal(100), "to", new BigDecimal(50)))));
        assertThat((List<?>) map(diff.get("features")).get("changed")).isEmpty();

        ApiClient.Reply first = h.get("/v1/catalog/versions/1/diff");
        assertThat(first.get("from")).isEqualTo(BigDecimal.ZERO);
        assertThat((List<Map<String, Object>>) map(first.get("features")).get("added"))
                .extracting(e -> e.get("key"))
                .containsExactly("q");

        for (String unknown : List.of("3", "0", "abc")) {
            ApiClient.Reply missing = h.get("/v1/catalog/versions/" + unknown + "/diff");
            assertThat(missing.status()).as(unknown).isEqualTo(404);
            assertThat(missing.error()).containsEntry("code", "CATALOG_VERSION_NOT_FOUND");
        }
    }
}
