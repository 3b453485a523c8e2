package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Talks to a Tollgate server over real HTTP with the test API key: requests, parsed replies, and the few compound
 * steps many tests share. Subclasses say where the server listens.
 */
abstract class ApiClient {
    static final String KEY = "tg_sk_test_secret_0123456789abcdef";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The port the server listens on now. */
    abstract int port();

    /** An answer: status, parsed JSON body, headers. */
    record Reply(int status, @Nullable Object json, Map<String, List<String>> headers, String text) {
        @SuppressWarnings("unchecked")
        Map<String, Object> body() {
            assertThat(json).as("JSON object body of: %s", text).isInstanceOf(Map.class);
            return (Map<String, Object>) json;
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> error() {
            return (Map<String, Object>) body().get("error");
        }

        Object get(String field) {
            return body().get(field);
        }

        BigDecimal decimal(String field) {
            return (BigDecimal) body().get(field);
        }

        boolean replayed() {
            return "true"
                    .equals(headers.getOrDefault("idempotent-replay", List.of(""))
                            .get(0));
        }
    }

    Reply get(String path) {
        return send("GET", path, null, "application/json", KEY);
    }

    Reply put(String path, Object body) {
        return send("PUT", path, Json.write(body), "application/json", KEY);
    }

    Reply post(String path, Object body) {
        return send("POST", path, Json.write(body), "application/json", KEY);
    }

    Reply delete(String path) {
        return send("DELETE", path, null, "application/json", KEY);
    }

    Reply send(String method, String path, @Nullable String body, String contentType, @Nullable String key) {
        return send(method, path, body, key == null ? Map.of() : Map.of("Authorization", "Bearer " + key), contentType);
    }

    /**
     * A request with these headers only (besides {@code Content-Type} when there is a body): for credentials other
     * than the test key, and for browsers' headers ({@code Origin}).
     *
     * @param body a JSON value, or {@code null} for no body
     */
    Reply call(String method, String path, @Nullable Object body, Map<String, String> headers) {
        return send(method, path, body == null ? null : Json.write(body), headers, "application/json");
    }

    private Reply send(
            String method, String path, @Nullable String body, Map<String, String> headers, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            Object json = null;
            if (r.headers().firstValue("content-type").orElse("").contains("json")
                    && !r.body().isEmpty()) {
                json = Json.parse(r.body());
            }
            return new Reply(r.statusCode(), json, r.headers().map(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Applies the sample catalog of {@code examples/catalog.yaml}. */
    Reply applySampleCatalog() {
        try {
            String yaml = Files.readString(sampleCatalog());
            return send("PUT", "/v1/catalog", yaml, "application/yaml", KEY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path sampleCatalog() {
        Path here = Path.of("").toAbsolutePath();
        Path candidate = here.resolve("examples/catalog.yaml");
        return Files.exists(candidate) ? candidate : here.getParent().resolve("examples/catalog.yaml");
    }

    /** Creates a customer and subscribes it to a plan. */
    void customerOn(String customerId, String plan) {
        assertThat(put("/v1/customers/" + customerId, Map.of("name", customerId))
                        .status())
                .isEqualTo(200);
        Reply sub = put("/v1/customers/" + customerId + "/subscription", Map.of("plan", plan));
        assertThat(sub.status()).as(sub.text()).isEqualTo(200);
    }

    Reply consume(String customerId, String feature, Object quantity, String key) {
        return post(
                "/v1/consume",
                Map.of("customerId", customerId, "feature", feature, "quantity", quantity, "idempotencyKey", key));
    }

    Reply check(String customerId, String feature) {
        return post("/v1/check", Map.of("customerId", customerId, "feature", feature));
    }
}
