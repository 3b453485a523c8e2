package dev.tollgate.client.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An operator's HTTP client of a server under test, wherever it runs (in this JVM, {@link ServerUnderTest}; in a
 * process of its own, {@link ServerProcess}): loads the tests' catalog (or another), creates customers, and reads usage,
 * credits, balances and entitlements back. Every call must succeed ({@code 2xx}); a failure is an assertion error naming the request.
 *
 * <p>Thread-safe; every call blocks for at most 30 s.
 */
abstract class OperatorClient {
    static final String KEY = "tg_sk_client_tests_0123456789abcdef";
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private final HttpClient http = HttpClient.newHttpClient();

    /** The server's base URL, {@code http://127.0.0.1:<port>}. */
    abstract String url();

    /** Publishes the tests' catalog ({@code client-catalog.yaml}). */
    final void loadCatalog() {
        catalog(testCatalog());
    }

    /** The tests' catalog, {@code client-catalog.yaml}, as YAML text. */
    static String testCatalog() {
        try (InputStream in = OperatorClient.class.getResourceAsStream("/client-catalog.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Publishes a catalog given as YAML. */
    final void catalog(String yaml) {
        JsonNode answer = send("PUT", "/v1/catalog", yaml, "application/yaml");
        assertThat(answer.has("version")).as(answer.toString()).isTrue();
    }

    /** Creates a customer on {@code plan}. */
    final void customer(String id, String plan) {
        put("/v1/customers/" + id, Map.of("name", id));
        put("/v1/customers/" + id + "/subscription", Map.of("plan", plan));
    }

    /** The customer's effective entitlement of {@code feature} ({@code used}, {@code held}, ...). */
    final JsonNode entitlement(String customerId, String feature) {
        for (JsonNode e : get("/v1/customers/" + customerId + "/entitlements")
                .path("entitlements")
                .values()) {
            if (e.path("feature").asString().equals(feature)) {
                return e;
            }
        }
        throw new AssertionError("no entitlement " + feature + " for " + customerId);
    }

    /** The customer's recorded usage of {@code feature}: the sum of {@code GET …/usage} rows. */
    final BigDecimal usage(String customerId, String feature) {
        return sum(usageRows(customerId, feature, ""), "quantity");
    }

    /** The customer's usage of {@code feature} that occurred before {@code to}. */
    final BigDecimal usage(String customerId, String feature, Instant to) {
        return sum(usageRows(customerId, feature, "&to=" + to), "quantity");
    }

    /** The credits of {@code currency} the customer's usage rows of {@code feature} were charged (settlements too). */
    final BigDecimal credits(String customerId, String feature, String currency) {
        BigDecimal sum = BigDecimal.ZERO;
        for (JsonNode r : usageRows(customerId, feature, "").values()) {
            JsonNode c = r.path("credits").path(currency);
            if (c.isNumber()) {
                sum = sum.add(c.decimalValue());
            }
        }
        return sum;
    }

    /** The customer's balance of {@code currency}: {@code available}, {@code held}, {@code balance}, ... */
    final JsonNode balance(String customerId, String currency) {
        for (JsonNode b :
                get("/v1/customers/" + customerId + "/balance").path("balances").values()) {
            if (b.path("currency").asString().equals(currency)) {
                return b;
            }
        }
        throw new AssertionError("no balance of " + currency + " for " + customerId);
    }

    /** How many usage events the customer's usage rows count for {@code feature}. */
    final long usageEvents(String customerId, String feature) {
        return sum(usageRows(customerId, feature, ""), "events").longValueExact();
    }

    private JsonNode usageRows(String customerId, String feature, String query) {
        return get("/v1/customers/" + customerId + "/usage?groupBy=feature&feature=" + feature + query)
                .path("rows");
    }

    private static BigDecimal sum(JsonNode rows, String field) {
        BigDecimal sum = BigDecimal.ZERO;
        for (JsonNode r : rows.values()) {
            sum = sum.add(r.path(field).decimalValue());
        }
        return sum;
    }

    /** {@code text} parsed as JSON. */
    final JsonNode json(String text) {
        return JSON.readTree(text);
    }

    final JsonNode get(String path) {
        return send("GET", path, null, "application/json");
    }

    final JsonNode put(String path, Object body) {
        return send("PUT", path, JSON.writeValueAsString(body), "application/json");
    }

    final JsonNode post(String path, Object body) {
        return send("POST", path, JSON.writeValueAsString(body), "application/json");
    }

    private JsonNode send(String method, String path, @Nullable String body, String contentType) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", contentType)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isLessThan(300);
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
