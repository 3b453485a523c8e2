package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed request gets a 4xx with a stable code and the field, changes nothing, and the server keeps serving. */
final class BadInputIT {
    @TempDir
    Path dir;

    Harness h;

    @BeforeEach
    void start() {
        h = new Harness(dir, Instant.parse("2026-01-06T10:00:00Z"));
        h.applySampleCatalog();
        h.customerOn("acme", "free");
        h.consume("acme", "ai-queries", 2, "baseline");
    }

    @AfterEach
    void stop() {
        assertThat(h.get("/health").status()).isEqualTo(200);
        assertThat(h.check("acme", "ai-queries").decimal("used"))
                .as("nothing changed")
                .isEqualByComparingTo("2");
        h.close();
    }

    static Stream<Arguments> badConsumes() {
        return Stream.of(
                Arguments.of("{not json", 400, "MALFORMED_JSON", null),
                Arguments.of("", 400, "MALFORMED_JSON", null),
                Arguments.of("[]", 400, "INVALID_TYPE", null),
                Arguments.of(
                        "{\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"quantity\":1} trailing",
                        400,
                        "MALFORMED_JSON",
                        null),
                Arguments.of(
                        "{\"customerId\":\"acme\",\"customerId\":\"acme\",\"feature\":\"ai-queries\"}",
                        400,
                        "MALFORMED_JSON",
                        "customerId"),
                Arguments.of(
                        consume("\"dimensions\": {\"model\": \"a\", \"model\": \"b\"}"),
                        400,
                        "MALFORMED_JSON",
                        "dimensions.model"),
                Arguments.of(consume("\"quantity\": -1"), 400, "INVALID_QUANTITY", "quantity"),
                Arguments.of(consume("\"quantity\": 0"), 400, "INVALID_QUANTITY", "quantity"),
                Arguments.of(consume("\"quantity\": \"5\""), 400, "INVALID_TYPE", "quantity"),
                Arguments.of(consume("\"quantity\": \"lots\""), 400, "INVALID_TYPE", "quantity"),
                Arguments.of(consume("\"quantity\": 1e30"), 400, "INVALID_QUANTITY", "quantity"),
                Arguments.of(consume("\"quantity\": 0.0000000000001"), 400, "INVALID_QUANTITY", "quantity"),
                Arguments.of(consume("\"quantity\": true"), 400, "INVALID_TYPE", "quantity"),
                Arguments.of(consume("\"quantitty\": 1"), 400, "UNKNOWN_FIELD", "quantitty"),
                Arguments.of(consume("\"dimensions\": {\"model\": 4}"), 400, "INVALID_TYPE", "dimensions.model"),
                Arguments.of(consume("\"dimensions\": []"), 400, "INVALID_TYPE", "dimensions"),
                Arguments.of(
                        "{\"feature\":\"ai-queries\",\"quantity\":1,\"idempotencyKey\":\"x\"}",
                        400,
                        "MISSING_FIELD",
                        "customerId"),
                Arguments.of(
                        "{\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"quantity\":1}",
                        400,
                        "MISSING_IDEMPOTENCY_KEY",
                        "idempotencyKey"),
                Arguments.of(
                        "{\"customerId\":\"a c m e\",\"feature\":\"ai-queries\",\"idempotencyKey\":\"x\"}",
                        400,
                        "INVALID_ID",
                        "customerId"),
                Arguments.of(
                        "{\"customerId\":7,\"feature\":\"ai-queries\",\"idempotencyKey\":\"x\"}",
                        400,
                        "INVALID_TYPE",
                        "customerId"),
                Arguments.of(
                        "{\"customerId\":\"ghost\",\"feature\":\"ai-queries\",\"idempotencyKey\":\"x\"}",
                        404,
                        "CUSTOMER_NOT_FOUND",
                        "customerId"));
    }

    private static String consume(String extra) {
        return "{\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"idempotencyKey\":\"bad-1\"," + extra + "}";
    }

    @ParameterizedTest
    @MethodSource("badConsumes")
    void bad_consume_is_refused_with_a_stable_code_and_field(String body, int status, String code, String field) {
        ApiClient.Reply r = h.send("POST", "/v1/consume", body, "application/json", Harness.KEY);
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.error()).containsEntry("code", code);
        if (field == null) {
            assertThat(r.error()).doesNotContainKey("field");
        } else {
            assertThat(r.error()).containsEntry("field", field);
        }
        assertThat((String) r.error().get("message")).isNotBlank();
    }

    @Test
    void missing_or_wrong_key_is_401_and_the_right_key_passes() {
        ApiClient.Reply none = h.send("GET", "/v1/catalog", null, "application/json", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.error()).containsEntry("code", "UNAUTHENTICATED");
        ApiClient.Reply wrong = h.send("GET", "/v1/catalog", null, "application/json", "tg_sk_wrong");
        assertThat(wrong.status()).isEqualTo(401);
        ApiClient.Reply prefix = h.send("GET", "/v1/catalog", null, "application/json", Harness.KEY.substring(0, 5));
        assertThat(prefix.status()).isEqualTo(401);
        ApiClient.Reply write = h.send(
                "POST",
                "/v1/consume",
                "{\"customerId\":\"acme\",\"feature\":\"ai-queries\",\"quantity\":1,"
                        + "\"idempotencyKey\":\"unauth\"}",
                "application/json",
                null);
        assertThat(write.status()).isEqualTo(401);
        assertThat(h.get("/v1/catalog").status()).isEqualTo(200);
    }

    @Test
    void oversized_body_is_413() {
        String big = "{\"events\":[" + "{\"a\":\"" + "x".repeat(9 * 1024 * 1024) + "\"}]}";
        ApiClient.Reply r = h.send("POST", "/v1/events", big, "application/json", Harness.KEY);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.error()).containsEntry("code", "BODY_TOO_LARGE");
    }

    @Test
    void bad_customer_and_subscription_bodies_name_the_field() {
        assertError(
                h.put("/v1/customers/acme", Map.of("timeZone", "Mars/Olympus")), 400, "INVALID_TIME_ZONE", "timeZone");
        assertError(h.put("/v1/customers/acme", Map.of("nmae", "x")), 400, "UNKNOWN_FIELD", "nmae");
        assertError(
                h.put("/v1/customers/acme/subscription", Map.of("plan", "pro", "startAt", "yesterday")),
                400,
                "INVALID_TIME",
                "startAt");
        assertError(
                h.put("/v1/customers/acme/subscription", Map.of("plan", "pro", "addons", "extra")),
                400,
                "INVALID_TYPE",
                "addons");
        assertError(
                h.put(
                        "/v1/customers/acme/subscription",
                        Map.of(
                                "plan",
                                "pro",
                                "addons",
                                java.util.List.of(Map.of("key", "extra-queries", "quantity", 0)))),
                400,
                "OUT_OF_RANGE",
                "addons[0].quantity");
        assertError(
                h.post(
                        "/v1/customers/acme/promotions",
                        Map.of("feature", "ai-queries", "entitlement", Map.of("limit", -5))),
                400,
                "INVALID_ENTITLEMENT",
                "entitlement.limit");
        assertError(
                h.post("/v1/check", Map.of("customerId", "acme", "feature", "ai-queries", "quantity", -1)),
                400,
                "INVALID_QUANTITY",
                "quantity");
        assertError(h.post("/v1/events", Map.of("events", "nope")), 400, "INVALID_TYPE", "events");
        assertError(h.post("/v1/catalog/rollback", Map.of("version", "one")), 400, "INVALID_TYPE", "version");
        assertError(h.delete("/v1/customers/acme/subscription?at=tomorrow"), 400, "INVALID_QUERY", "at");
        assertError(h.get("/v1/customers/nobody"), 404, "CUSTOMER_NOT_FOUND", "customerId");
        assertError(h.get("/v1/nothing-here"), 404, "ROUTE_NOT_FOUND", null);
        @SuppressWarnings("unchecked")
        Map<String, Object> sub =
                (Map<String, Object>) h.get("/v1/customers/acme").get("subscription");
        assertThat(sub).containsEntry("plan", "free").containsEntry("planVersion", BigDecimal.ONE);
    }

    private static void assertError(ApiClient.Reply r, int status, String code, String field) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.error()).containsEntry("code", code);
        if (field != null) {
            assertThat(r.error()).containsEntry("field", field);
        }
    }
}
