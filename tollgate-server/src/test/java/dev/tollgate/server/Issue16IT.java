package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 16: no input can stop the server, block other customers, or store what was refused. On each store: what the
 * request path refuses leaves nothing behind, and what it accepts at its limits survives a restart and {@code verify}.
 */
final class Issue16IT {
    private static final Instant START = Instant.parse("2026-01-06T10:00:00Z");

    /** Numbers no field may hold: each cost a 500, seconds of CPU, or a gigabyte to write. */
    private static final List<String> HUGE = List.of("1e1000000000", "1e20000000", "1e-1000000000", "1e99999999999");

    @TempDir
    Path dir;

    private static String nested(int depth) {
        return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
    }

    private static void assertRefused(ApiClient.Reply r, String code, String field) {
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.error()).as(r.text()).containsEntry("code", code).containsEntry("field", field);
    }

    /** A JSON object of {@code fields} (JSON texts by name) with {@code field} set (or replaced) to {@code value}. */
    private static String rawObject(Map<String, String> fields, String field, String value) {
        Map<String, String> all = new java.util.TreeMap<>(fields);
        all.put(field, value);
        StringBuilder out = new StringBuilder("{");
        all.forEach((k, v) -> out.append(out.length() > 1 ? "," : "")
                .append('"')
                .append(k)
                .append("\":")
                .append(v));
        return out.append('}').toString();
    }

    private static ApiClient.Reply raw(Harness h, String method, String path, String json) {
        return h.send(method, path, json, "application/json", Harness.KEY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void metadata_nested_beyond_the_limit_is_refused_and_the_deepest_accepted_survives_a_restart(String store) {
        try (StoreHarness s = StoreHarness.start(store, dir, START)) {
            Harness h = s.h;
            ApiClient.Reply deep = raw(h, "PUT", "/v1/customers/x", "{\"metadata\":" + nested(64) + "}");
            assertThat(deep.status()).as(deep.text()).isEqualTo(400);
            assertThat(deep.error()).containsEntry("code", "TOO_DEEP");
            assertThat((String) deep.error().get("field")).startsWith("metadata.a");
            assertThat(h.get("/v1/customers/x").status()).isEqualTo(404);

            ApiClient.Reply deepest = raw(h, "PUT", "/v1/customers/x", "{\"metadata\":" + nested(31) + "}");
            assertThat(deepest.status()).as(deepest.text()).isEqualTo(200);
            h.restart();
            assertThat(h.get("/v1/customers/x").get("metadata")).isEqualTo(deepest.get("metadata"));
            s.assertVerified();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void ill_formed_unicode_is_refused_naming_the_field_and_never_replays_another_key(String store) {
        try (StoreHarness s = StoreHarness.start(store, dir, START)) {
            Harness h = s.h;
            h.applySampleCatalog();
            h.customerOn("acme", "free");
            String consume = "{\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"idempotencyKey\":\"%s\"}";
            assertRefused(
                    raw(h, "POST", "/v1/consume", consume.formatted("k\\ud800x")), "INVALID_STRING", "idempotencyKey");
            assertRefused(
                    raw(h, "POST", "/v1/consume", consume.formatted("k\\udc00")), "INVALID_STRING", "idempotencyKey");
            assertRefused(
                    raw(h, "POST", "/v1/consume", consume.formatted("k\\u0000x")), "INVALID_STRING", "idempotencyKey");
            assertRefused(raw(h, "PUT", "/v1/customers/acme", "{\"name\":\"a\\ud800\"}"), "INVALID_STRING", "name");
            assertRefused(
                    raw(h, "PUT", "/v1/customers/acme", "{\"metadata\":{\"tags\":[\"ok\",\"\\udfff\"]}}"),
                    "INVALID_STRING",
                    "metadata.tags[1]");
            ApiClient.Reply badName = raw(h, "PUT", "/v1/customers/acme", "{\"metadata\":{\"k\\ud800\":1}}");
            assertThat(badName.status()).as(badName.text()).isEqualTo(400);
            assertThat(badName.error()).containsEntry("code", "MALFORMED_JSON");
            assertRefused(
                    raw(
                            h,
                            "POST",
                            "/v1/consume",
                            "{\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"idempotencyKey\":\"d\","
                                    + "\"dimensions\":{\"model\":\"\\ud83d\"}}"),
                    "INVALID_STRING",
                    "dimensions.model");
            assertRefused(
                    raw(h, "PUT", "/v1/customers/acme/scopes/team", "{\"name\":\"\\ud800\"}"),
                    "INVALID_STRING",
                    "name");
            assertThat(raw(h, "PUT", "/v1/customers/acme", "{\"name\":\"pile of \\ud83d\\udca9\"}")
                            .get("name"))
                    .isEqualTo("pile of \ud83d\udca9");

            ApiClient.Reply plain = raw(h, "POST", "/v1/consume", consume.formatted("k?x"));
            assertThat(plain.status()).as(plain.text()).isEqualTo(200);
            assertThat(plain.replayed()).as("k?x is its own key").isFalse();
            assertThat(h.check("acme", "ai-queries").decimal("used")).isEqualByComparingTo("1");
            h.restart();
            assertThat(h.check("acme", "ai-queries").decimal("used")).isEqualByComparingTo("1");
            s.assertVerified();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void huge_and_tiny_numbers_are_refused_out_of_range_naming_the_field_on_every_endpoint(String store) {
        try (StoreHarness s = StoreHarness.start(store, dir, START)) {
            Harness h = s.h;
            h.applySampleCatalog();
            h.customerOn("acme", "pro");
            assertThat(h.put("/v1/customers/acme/scopes/team", Map.of()).status())
                    .isEqualTo(200);
            for (String n : HUGE) {
                String consume = "{\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"idempotencyKey\":\"c\",";
                assertRefused(
                        raw(h, "POST", "/v1/consume", consume + "\"quantity\":" + n + "}"), "OUT_OF_RANGE", "quantity");
                assertRefused(
                        raw(
                                h,
                                "POST",
                                "/v1/check",
                                "{\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"quantity\":" + n + "}"),
                        "OUT_OF_RANGE",
                        "quantity");
                String grant = "{\"currency\":\"credits\",\"category\":\"paid\",\"idempotencyKey\":\"g\",";
                assertRefused(
                        raw(h, "POST", "/v1/customers/acme/grants", grant + "\"amount\":" + n + "}"),
                        "OUT_OF_RANGE",
                        "amount");
                assertRefused(
                        raw(h, "POST", "/v1/customers/acme/grants", grant + "\"amount\":1,\"costBasis\":" + n + "}"),
                        "OUT_OF_RANGE",
                        "costBasis");
                assertRefused(
                        raw(h, "POST", "/v1/customers/acme/grants", grant + "\"amount\":1,\"priority\":" + n + "}"),
                        "OUT_OF_RANGE",
                        "priority");
                for (String field :
                        List.of("threshold", "target", "amount", "costBasis", "maxPerPeriod", "maxMoneyPerPeriod")) {
                    assertRefused(
                            raw(
                                    h,
                                    "PUT",
                                    "/v1/customers/acme/auto-recharge",
                                    rawObject(
                                            Map.of("currency", "\"credits\"", "threshold", "1", "amount", "1"),
                                            field,
                                            n)),
                            "OUT_OF_RANGE",
                            field);
                }
                String budget = "/v1/customers/acme/scopes/team/budgets/b";
                assertRefused(
                        raw(h, "PUT", budget, "{\"feature\":\"ai-queries\",\"limit\":" + n + "}"),
                        "OUT_OF_RANGE",
                        "limit");
                assertRefused(
                        raw(h, "PUT", budget, "{\"feature\":\"ai-queries\",\"limit\":5,\"alerts\":[0.5," + n + "]}"),
                        "OUT_OF_RANGE",
                        "alerts[1]");
                String session = "{\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"idempotencyKey\":\"s\",";
                assertRefused(
                        raw(h, "POST", "/v1/sessions", session + "\"ttlSeconds\":60,\"amount\":" + n + "}"),
                        "OUT_OF_RANGE",
                        "amount");
                assertRefused(
                        raw(h, "POST", "/v1/sessions", session + "\"amount\":1,\"ttlSeconds\":" + n + "}"),
                        "OUT_OF_RANGE",
                        "ttlSeconds");
                assertRefused(
                        raw(h, "POST", "/v1/sessions/s1/heartbeat", "{\"ttlSeconds\":" + n + "}"),
                        "OUT_OF_RANGE",
                        "ttlSeconds");
                assertRefused(raw(h, "POST", "/v1/sessions/s1/close", "{\"used\":" + n + "}"), "OUT_OF_RANGE", "used");
                assertRefused(
                        raw(h, "POST", "/v1/catalog/rollback", "{\"version\":" + n + "}"), "OUT_OF_RANGE", "version");
                assertRefused(
                        raw(
                                h,
                                "PUT",
                                "/v1/customers/acme/subscription",
                                "{\"plan\":\"pro\",\"addons\":[{\"key\":\"extra-seats\",\"quantity\":" + n + "}]}"),
                        "OUT_OF_RANGE",
                        "addons[0].quantity");
                assertRefused(
                        raw(
                                h,
                                "POST",
                                "/v1/customers/acme/promotions",
                                "{\"feature\":\"ai-queries\",\"entitlement\":{\"limit\":" + n + "}}"),
                        "OUT_OF_RANGE",
                        "entitlement.limit");
                assertRefused(
                        raw(h, "PUT", "/v1/customers/acme", "{\"metadata\":{\"n\":[" + n + "]}}"),
                        "OUT_OF_RANGE",
                        "metadata.n[0]");
                assertRefused(
                        raw(
                                h,
                                "PUT",
                                "/v1/catalog",
                                "{\"features\":[{\"key\":\"f\",\"type\":\"metered\",\"x\":" + n + "}]}"),
                        "OUT_OF_RANGE",
                        "features[0].x");

                ApiClient.Reply events = raw(
                        h,
                        "POST",
                        "/v1/events",
                        "{\"events\":[{\"idempotencyKey\":\"e-ok-" + n
                                + "\",\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"quantity\":1},"
                                + "{\"idempotencyKey\":\"e-bad\",\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"quantity\":"
                                + n + "}]}");
                assertThat(events.status()).as(events.text()).isEqualTo(200);
                assertThat(events.body())
                        .containsEntry("accepted", BigDecimal.ONE)
                        .containsEntry("rejected", BigDecimal.ONE);
                @SuppressWarnings("unchecked")
                Map<String, Object> bad = ((List<Map<String, Object>>) events.get("results")).get(1);
                assertThat(bad).containsEntry("code", "OUT_OF_RANGE").containsEntry("field", "events[1].quantity");
            }
            assertThat(h.get("/v1/customers/acme/scopes").status()).isEqualTo(200);
            assertThat(h.check("acme", "ai-queries").decimal("used")).isEqualByComparingTo("4");
            h.restart();
            assertThat(h.check("acme", "ai-queries").decimal("used")).isEqualByComparingTo("4");
            s.assertVerified();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void extreme_dates_duplicate_names_and_engine_refusals_of_events_name_the_field(String store) {
        try (StoreHarness s = StoreHarness.start(store, dir, START)) {
            Harness h = s.h;
            h.applySampleCatalog();
            h.customerOn("acme", "free");
            for (String t : List.of(
                    "-999999999-01-01T00:00:00Z",
                    "+999999999-12-31T23:59:59Z",
                    "1969-12-31T23:59:59Z",
                    "+10000-01-01T00:00:00Z")) {
                assertRefused(
                        raw(
                                h,
                                "POST",
                                "/v1/customers/acme/grants",
                                "{\"currency\":\"credits\",\"category\":\"paid\",\"amount\":1,\"idempotencyKey\":\"g\",\"expiresAt\":\""
                                        + t + "\"}"),
                        "OUT_OF_RANGE",
                        "expiresAt");
                assertRefused(
                        raw(
                                h,
                                "PUT",
                                "/v1/customers/acme/subscription",
                                "{\"plan\":\"pro\",\"startAt\":\"" + t + "\"}"),
                        "OUT_OF_RANGE",
                        "startAt");
                assertRefused(
                        raw(
                                h,
                                "POST",
                                "/v1/customers/acme/promotions",
                                "{\"feature\":\"sso\",\"entitlement\":{\"enabled\":true},\"startsAt\":\"" + t + "\"}"),
                        "OUT_OF_RANGE",
                        "startsAt");
            }
            assertRefused(
                    raw(
                            h,
                            "POST",
                            "/v1/consume",
                            "{\"customerId\":\"acme\",\"customerId\":\"acme\",\"feature\":\"ai-queries\"}"),
                    "MALFORMED_JSON",
                    "customerId");
            assertRefused(
                    raw(h, "PUT", "/v1/customers/acme", "{\"metadata\":{\"a\":{\"b\":1,\"b\":2}}}"),
                    "MALFORMED_JSON",
                    "metadata.a.b");

            ApiClient.Reply events = raw(
                    h,
                    "POST",
                    "/v1/events",
                    "{\"events\":["
                            + "{\"idempotencyKey\":\"e1\",\"customerId\":\"ghost\",\"feature\":\"ai-queries\",\"quantity\":1},"
                            + "{\"idempotencyKey\":\"e2\",\"customerId\":\"acme\",\"feature\":\"nope\",\"quantity\":1},"
                            + "{\"idempotencyKey\":\"e3\",\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"quantity\":1,\"timestamp\":\"2027-01-01T00:00:00Z\"},"
                            + "{\"idempotencyKey\":\"e4\",\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"quantity\":1,\"scope\":\"nowhere\"},"
                            + "{\"idempotencyKey\":\"e5\",\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"quantity\":1,\"timestamp\":\"0001-01-01T00:00:00Z\"},"
                            + "{\"idempotencyKey\":\"e6\",\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"customerId\":\"acme\",\"quantity\":1}"
                            + "]}");
            assertThat(events.status()).as(events.text()).isEqualTo(200);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> results = (List<Map<String, Object>>) events.get("results");
            assertThat(results)
                    .extracting(r -> r.get("field"))
                    .containsExactly(
                            "events[0].customerId",
                            "events[1].feature",
                            "events[2].timestamp",
                            "events[3].scope",
                            "events[4].timestamp",
                            "events[5].customerId");
            assertThat(results).extracting(r -> r.get("status")).containsOnly("rejected");
            assertThat(h.get("/v1/customers/acme/grants").get("grants")).isEqualTo(List.of());
            h.restart();
            assertThat(h.check("acme", "ai-queries").decimal("used")).isEqualByComparingTo("0");
            s.assertVerified();
        }
    }
}
