package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checker the OpenAPI tests rely on ({@link OpenApiContract}) finds what a wrong description or a wrong answer
 * gets wrong: a small description of one endpoint, deliberately at odds with the answers given to it, and the real
 * description against answers the server must never give.
 */
final class OpenApiContractTest {
    /** One endpoint, {@code GET /v1/things/{id}}: its 200 says {@code count} is text, its 404 allows one code. */
    private static final String SMALL = """
            {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
             "paths": {"/v1/things/{id}": {"get": {
               "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ask"}}}},
               "responses": {
                 "200": {"description": "ok", "headers": {"Idempotent-Replay": {"schema": {"type": "string"}}},
                         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                 "404": {"description": "no", "content": {"application/json": {"schema": {
                   "allOf": [{"$ref": "#/components/schemas/Error"}],
                   "properties": {"error": {"properties": {"code": {"enum": ["THING_NOT_FOUND"]}}}}}}}},
                 "401": {"$ref": "#/components/responses/Unauthenticated"}}}}},
             "components": {
               "responses": {"Unauthenticated": {"description": "key", "content": {"application/json": {"schema": {
                 "$ref": "#/components/schemas/Error"}}}}},
               "schemas": {
                 "Ask": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}},
                         "additionalProperties": false},
                 "Thing": {"type": "object", "required": ["id", "count"],
                           "properties": {"id": {"type": "string"}, "count": {"type": "string"}},
                           "additionalProperties": false},
                 "Error": {"type": "object", "required": ["error"], "additionalProperties": false, "properties": {
                   "error": {"type": "object", "required": ["code", "message"], "additionalProperties": false,
                             "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                                            "field": {"type": "string"}}}}}}}}
            """;

    private final OpenApiContract small = OpenApiContract.of(SMALL);

    @Test
    void an_answer_that_fits_the_schema_has_no_problem() {
        assertThat(small.answerProblems(
                        "GET",
                        "/v1/things/{id}",
                        200,
                        "application/json",
                        Map.of(),
                        "{\"id\": \"a\", \"count\": \"3\"}"))
                .isEmpty();
        assertThat(small.answerProblems(
                        "GET",
                        "/v1/things/{id}",
                        401,
                        "application/json; charset=utf-8",
                        Map.of(),
                        "{\"error\": {\"code\": \"UNAUTHENTICATED\", \"message\": \"no key\"}}"))
                .isEmpty();
    }

    @Test
    void a_wrong_schema_is_caught_by_the_answer_it_does_not_describe() {
        // the description says count is text; the server answers a number
        List<String> problems = small.answerProblems(
                "GET", "/v1/things/{id}", 200, "application/json", Map.of(), "{\"id\": \"a\", \"count\": 3}");

        assertThat(problems).singleElement().asString().contains("/count").contains("string");
    }

    @Test
    void a_missing_field_an_extra_field_and_an_unlisted_code_are_problems() {
        assertThat(small.answerProblems("GET", "/v1/things/{id}", 200, "application/json", Map.of(), "{\"id\": \"a\"}"))
                .singleElement()
                .asString()
                .contains("count");
        assertThat(small.answerProblems(
                        "GET",
                        "/v1/things/{id}",
                        200,
                        "application/json",
                        Map.of(),
                        "{\"id\": \"a\", \"count\": \"1\", \"colour\": \"red\"}"))
                .singleElement()
                .asString()
                .contains("colour");
        assertThat(small.answerProblems(
                        "GET",
                        "/v1/things/{id}",
                        404,
                        "application/json",
                        Map.of(),
                        "{\"error\": {\"code\": \"CUSTOMER_NOT_FOUND\", \"message\": \"no\"}}"))
                .singleElement()
                .asString()
                .contains("THING_NOT_FOUND");
    }

    @Test
    void an_undescribed_status_media_type_header_or_operation_is_a_problem() {
        assertThat(small.answerProblems("GET", "/v1/things/{id}", 409, "application/json", Map.of(), "{}"))
                .singleElement()
                .asString()
                .contains("no 409 answer");
        assertThat(small.answerProblems("GET", "/v1/things/{id}", 200, "text/csv", Map.of(), "id,count"))
                .singleElement()
                .asString()
                .contains("text/csv");
        assertThat(small.answerProblems(
                        "GET",
                        "/v1/things/{id}",
                        404,
                        "application/json",
                        Map.of("idempotent-replay", List.of("true")),
                        "{\"error\": {\"code\": \"THING_NOT_FOUND\", \"message\": \"no\"}}"))
                .singleElement()
                .asString()
                .contains("Idempotent-Replay");
        assertThat(small.answerProblems("DELETE", "/v1/things/{id}", 200, null, Map.of(), ""))
                .singleElement()
                .asString()
                .contains("no such operation");
    }

    @Test
    void a_request_body_is_checked_against_the_request_schema() {
        assertThat(small.requestProblems("GET", "/v1/things/{id}", "application/json", "{\"name\": \"x\"}"))
                .isEmpty();
        assertThat(small.requestProblems("GET", "/v1/things/{id}", "application/json", "{\"nom\": \"x\"}"))
                .hasSize(2); // name missing, nom unknown
        assertThat(small.requestProblems("GET", "/v1/things/{id}", "application/yaml", "name: x"))
                .singleElement()
                .asString()
                .contains("application/yaml");
    }

    @Test
    void the_real_description_refuses_answers_the_server_must_never_give() {
        OpenApiContract real = OpenApiContract.load();

        assertThat(real.operations()).contains("GET /health", "POST /v1/consume", "GET /v1/cluster");
        assertThat(real.answerProblems("GET", "/health", 200, "application/json", Map.of(), "{\"status\": \"ok\"}"))
                .isEmpty();
        assertThat(real.answerProblems("GET", "/health", 200, "application/json", Map.of(), "{\"status\": \"down\"}"))
                .isNotEmpty();
        // a customer without createdAt, and a decimal written as text
        assertThat(real.componentProblems(
                        "Customer",
                        "{\"id\": \"acme\", \"metadata\": {}, \"status\": \"none\", \"subscription\": null,"
                                + " \"promotions\": []}"))
                .singleElement()
                .asString()
                .contains("createdAt");
        assertThat(real.componentProblems("Decimal", "\"1.5\"")).isNotEmpty();
        assertThat(real.componentProblems("Decimal", "12345678901234567890.123456789012"))
                .isEmpty();
        // a 404 of check without its error, and a check answer with a code it may not give
        assertThat(real.answerProblems(
                        "POST", "/v1/check", 404, "application/json", Map.of(), "{\"allowed\": false, \"used\": 0}"))
                .isNotEmpty();
        assertThat(real.answerProblems(
                        "POST",
                        "/v1/check",
                        409,
                        "application/json",
                        Map.of(),
                        "{\"error\": {\"code\": \"CATALOG_IN_USE\", \"message\": \"x\"}}"))
                .singleElement()
                .asString()
                .contains("SESSION_CLOSED");
    }
}
