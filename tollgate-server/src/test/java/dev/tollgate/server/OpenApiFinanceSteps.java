package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.core.json.Json;
import dev.tollgate.server.http.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of {@link OpenApiIT}'s tour that drives billing and finance: a month's invoice-ready lines (JSON and CSV,
 * pages, refusals) before and after it closes, the Stripe export outbox once the exporter has sent the closed month,
 * the margin report and the what-if. Each exchange goes through the {@link OpenApiTour}, which checks it against the
 * description.
 *
 * <p>It expects the world {@code OpenApiIT} has built by then: {@code acme} on {@code pro} with the add-on {@code
 * extra-queries}, usage in March 2026 (some of it under a catalog version with costs), and a server whose Stripe
 * exporter points at a {@link FakeStripe}.
 */
final class OpenApiFinanceSteps {
    private static final String PERIOD = "/v1/billing/periods/{period}";
    private static final String EXPORTS = "/v1/billing/exports";
    private static final String MARGIN = "/v1/reports/margin";
    private static final String WHAT_IF = "/v1/what-if";
    private static final String MARCH = "2026-03";

    private OpenApiFinanceSteps() {}

    /** March while it is open: JSON, CSV, a page after {@code acme}, and the refusals. */
    static void openMonth(OpenApiTour t) {
        ApiClient.Reply json =
                t.to("GET", PERIOD).param("period", MARCH).query("format=json").expect(200);
        assertThat(json.body()).containsEntry("closed", false);
        assertThat(json.headers()).containsEntry("tollgate-period-closed", List.of("false"));
        assertThat((List<?>) json.get("customers")).isNotEmpty();
        assertThat(t.to("GET", PERIOD).param("period", MARCH).expect(200).text())
                .startsWith("period,customerId,line,");
        t.to("GET", PERIOD)
                .param("period", MARCH)
                .query("format=json&limit=1&after=acme")
                .expect(200);
        t.to("GET", PERIOD).param("period", "2026-13").refusedAt("INVALID_BILLING_PERIOD", "period");
        t.to("GET", PERIOD).param("period", MARCH).query("limit=0").refusedAt("INVALID_QUERY", "limit");
        t.to("GET", PERIOD).param("period", MARCH).query("cursor=nope").refusedAt("INVALID_CURSOR", "cursor");
        t.to("GET", PERIOD)
                .param("period", MARCH)
                .query("cursor=aWQ6YWNtZQ&after=acme")
                .refusedAt("INVALID_QUERY", "after");
        t.to("GET", PERIOD).param("period", MARCH).query("format=xml").refusedAt("INVALID_QUERY", "format");

        t.to("GET", EXPORTS).expect(200);
        t.to("GET", EXPORTS).query("status=lost").refusedAt("INVALID_QUERY", "status");
        t.to("GET", EXPORTS).query("limit=0").refusedAt("INVALID_QUERY", "limit");
        t.to("GET", EXPORTS).query("cursor=!!").refusedAt("INVALID_CURSOR", "cursor");
    }

    /**
     * March once closed (the server's clock is past it): the period says so, and the exporter has settled its items,
     * read back page by page.
     */
    @SuppressWarnings("unchecked")
    static void closedMonth(OpenApiTour t) {
        ApiClient.Reply json =
                t.to("GET", PERIOD).param("period", MARCH).query("format=json").expect(200);
        assertThat(json.body()).containsEntry("closed", true);
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            List<Map<String, Object>> items = (List<Map<String, Object>>)
                    t.to("GET", EXPORTS).query("limit=1000").expect(200).get("items");
            assertThat(items).isNotEmpty().noneMatch(i -> i.get("status").equals("pending"));
        });
        ApiClient.Reply first =
                t.to("GET", EXPORTS).query("status=sent&limit=1").expect(200);
        assertThat((List<?>) first.get("items")).hasSize(1);
        String next = (String) first.get("nextCursor");
        if (next != null) {
            t.to("GET", EXPORTS).query("status=sent&limit=1&cursor=" + next).expect(200);
        }
    }

    /** The margin report over March by customer, feature and model, with its defaults, and its refusals. */
    @SuppressWarnings("unchecked")
    static void margin(OpenApiTour t) {
        ApiClient.Reply report = t.to("GET", MARGIN)
                .query("from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&groupBy=customer,feature,dimension.model")
                .expect(200);
        assertThat((List<Map<String, Object>>) report.get("rows"))
                .as("usage recorded under the version with costs is costed in their currency, the rest is not")
                .anyMatch(r -> "USD".equals(r.get("currency")))
                .anyMatch(r -> r.get("currency") == null);
        t.to("GET", MARGIN).expect(200);
        t.to("GET", MARGIN).query("groupBy=scope").refusedAt("INVALID_GROUP_BY", "groupBy");
        t.to("GET", MARGIN).query("groupBy=feature,feature").refusedAt("INVALID_GROUP_BY", "groupBy");
        t.to("GET", MARGIN).query("from=yesterday").refusedAt("INVALID_QUERY", "from");
        t.to("GET", MARGIN)
                .query("from=2026-04-01T00:00:00Z&to=2026-03-01T00:00:00Z")
                .refusedAt("INVALID_QUERY", "to");
    }

    /**
     * The what-if: March replayed against {@code examples/finance-catalog.yaml} (which lacks acme's add-on and some of
     * its features), and the refusals of a draft and a request.
     */
    @SuppressWarnings("unchecked")
    static void whatIf(OpenApiTour t, OpenApiContract contract) {
        Object draft = Trees.yaml(financeCatalog().getBytes(StandardCharsets.UTF_8));
        assertThat(contract.componentProblems("CatalogDocument", Json.write(draft)))
                .as("examples/finance-catalog.yaml, against the catalog's schema")
                .isEmpty();
        ApiClient.Reply report = t.to("POST", WHAT_IF).json(march(draft)).expect(200);
        assertThat((List<?>) report.get("customers")).isNotEmpty();
        assertThat((Map<String, Object>) report.get("droppedAddons")).containsKey("extra-queries");

        Map<String, Object> sample =
                (Map<String, Object>) Trees.yaml(readSampleCatalog().getBytes(StandardCharsets.UTF_8));
        Map<String, Object> freeOnly = new LinkedHashMap<>(sample);
        freeOnly.put(
                "plans",
                ((List<Map<String, Object>>) sample.get("plans"))
                        .stream().filter(p -> p.get("key").equals("free")).toList());
        t.to("POST", WHAT_IF).json(march(freeOnly)).refusedAt("PLAN_NOT_MAPPED", "plans.pro");
        Map<String, Object> unmappable = march(draft);
        unmappable.put("plans", Map.of("pro", "gold"));
        t.to("POST", WHAT_IF).json(unmappable).refusedAt("INVALID_PLAN_MAPPING", "plans.pro");
        ApiClient.Reply invalid = t.to("POST", WHAT_IF)
                .json(march(Map.of("features", List.of(Map.of("key", "q", "type", "metred")))))
                .refusedAt("CATALOG_INVALID", "catalog.features[0].type");
        assertThat((List<?>) invalid.get("errors")).isNotEmpty();
        t.to("POST", WHAT_IF)
                .json(Map.of("from", "2026-03-01T00:00:00Z", "to", "2026-04-01T00:00:00Z"))
                .refusedAt("MISSING_FIELD", "catalog");
        t.to("POST", WHAT_IF)
                .json(Map.of("catalog", draft, "to", "2026-04-01T00:00:00Z"))
                .refusedAt("MISSING_FIELD", "from");
        t.to("POST", WHAT_IF)
                .json(Map.of("catalog", draft, "from", "2026-04-01T00:00:00Z", "to", "2026-03-01T00:00:00Z"))
                .refusedAt("INVALID_QUERY", "to");
        Map<String, Object> ghost = march(draft);
        ghost.put("customers", List.of("nobody"));
        ApiClient.Reply unknown = t.to("POST", WHAT_IF).json(ghost).refused(404, "CUSTOMER_NOT_FOUND");
        assertThat(unknown.error()).containsEntry("field", "customers[0]");
        Map<String, Object> notIds = march(draft);
        notIds.put("customers", List.of(1));
        t.to("POST", WHAT_IF).json(notIds).refusedAt("INVALID_TYPE", "customers[0]");
        Map<String, Object> big = march(draft);
        big.put("sample", 5000);
        t.to("POST", WHAT_IF).json(big).refusedAt("OUT_OF_RANGE", "sample");
        Map<String, Object> extra = march(draft);
        extra.put("dryRun", true);
        t.to("POST", WHAT_IF).json(extra).refusedAt("UNKNOWN_FIELD", "dryRun");
    }

    /** A what-if of March against {@code draft}. */
    private static Map<String, Object> march(Object draft) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("catalog", draft);
        body.put("from", "2026-03-01T00:00:00Z");
        body.put("to", "2026-04-01T00:00:00Z");
        body.put("sample", 5);
        return body;
    }

    private static String financeCatalog() {
        return read("finance-catalog.yaml");
    }

    private static String readSampleCatalog() {
        return read("catalog.yaml");
    }

    private static String read(String example) {
        try {
            return Files.readString(ApiClient.sampleCatalog().resolveSibling(example));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
