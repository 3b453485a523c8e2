package dev.tollgate.client.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.ServerConfig;
import dev.tollgate.server.TollgateServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Tollgate server in this JVM on a real SQLite data directory, with the tests' catalog, and an operator's HTTP
 * client to set it up and read it back. It can be stopped and started again on the same port and data, as an outage
 * would leave it.
 */
final class ServerUnderTest implements AutoCloseable {
    static final String KEY = "tg_sk_client_tests_0123456789abcdef";
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private final Path dataDir;
    private final HttpClient http = HttpClient.newHttpClient();
    private @Nullable TollgateServer server;
    private int port;

    ServerUnderTest(Path dataDir) {
        this.dataDir = dataDir;
        start();
        try (InputStream in = ServerUnderTest.class.getResourceAsStream("/client-catalog.yaml")) {
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            JsonNode answer = send("PUT", "/v1/catalog", yaml, "application/yaml");
            assertThat(answer.has("version")).as(answer.toString()).isTrue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the server (again), on the port it had before. */
    void start() {
        server = TollgateServer.start(
                ServerConfig.builder().port(port).dataDir(dataDir).apiKey(KEY).build(), InstantSource.system());
        port = server.port();
    }

    /** Stops the server, committing what it holds; its port refuses connections until {@link #start()}. */
    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** Creates a customer on {@code plan}. */
    void customer(String id, String plan) {
        put("/v1/customers/" + id, Map.of("name", id));
        put("/v1/customers/" + id + "/subscription", Map.of("plan", plan));
    }

    /** The customer's effective entitlement of {@code feature} ({@code used}, {@code held}, ...). */
    JsonNode entitlement(String customerId, String feature) {
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
    BigDecimal usage(String customerId, String feature) {
        JsonNode rows = get("/v1/customers/" + customerId + "/usage?groupBy=feature&feature=" + feature)
                .path("rows");
        BigDecimal sum = BigDecimal.ZERO;
        for (JsonNode r : rows.values()) {
            sum = sum.add(r.path("quantity").decimalValue());
        }
        return sum;
    }

    /** How many usage events the customer's usage rows count for {@code feature}. */
    long usageEvents(String customerId, String feature) {
        JsonNode rows = get("/v1/customers/" + customerId + "/usage?groupBy=feature&feature=" + feature)
                .path("rows");
        long sum = 0;
        for (JsonNode r : rows.values()) {
            sum += r.path("events").asLong();
        }
        return sum;
    }

    JsonNode get(String path) {
        return send("GET", path, null, "application/json");
    }

    JsonNode put(String path, Object body) {
        return send("PUT", path, JSON.writeValueAsString(body), "application/json");
    }

    JsonNode post(String path, Object body) {
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

    @Override
    public void close() {
        stop();
    }
}
