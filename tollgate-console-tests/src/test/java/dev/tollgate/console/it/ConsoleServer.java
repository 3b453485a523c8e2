package dev.tollgate.console.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.json.Json;
import dev.tollgate.server.ServerConfig;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.server.auth.Cors;
import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * The real Tollgate server, started in the test's JVM on a free port over a SQLite data directory, on the system clock
 * (the browser reads the same clock), and an operator's client of its API with the secret key.
 *
 * <p>Thread-safe.
 */
final class ConsoleServer implements AutoCloseable {
    static final String KEY = "tg_sk_console_test_0123456789abcdef";

    private final TollgateServer server;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ConsoleServer(TollgateServer server) {
        this.server = server;
    }

    static ConsoleServer start(Path dataDir) {
        return start(dataDir, Cors.NONE);
    }

    /** Starts a server whose API answers browser scripts of the origins {@code cors} allows. */
    static ConsoleServer start(Path dataDir, Cors cors) {
        return new ConsoleServer(TollgateServer.start(
                ServerConfig.builder()
                        .port(0)
                        .dataDir(dataDir)
                        .apiKey(KEY)
                        .cors(cors)
                        .build(),
                InstantSource.system()));
    }

    /** The server's base URL, {@code http://127.0.0.1:<port>}. */
    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** An answer: status, headers and body (parsed when JSON). */
    record Answer(
            int status, HttpResponse<String> raw, @Nullable Object json) {
        @SuppressWarnings("unchecked")
        Map<String, Object> body() {
            assertThat(json).as("a JSON object: %s", raw.body()).isInstanceOf(Map.class);
            return (Map<String, Object>) json;
        }
    }

    Answer get(String path) {
        return send("GET", path, null, KEY);
    }

    Answer put(String path, Object body) {
        return ok(send("PUT", path, Json.write(body), KEY));
    }

    Answer post(String path, Object body) {
        return ok(send("POST", path, Json.write(body), KEY));
    }

    /** Sends a request with {@code credential} as the bearer key or token ({@code null}: none). */
    Answer send(String method, String path, @Nullable String body, @Nullable String credential) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", path.equals("/v1/catalog") ? "application/yaml" : "application/json");
        }
        if (credential != null) {
            b.header("Authorization", "Bearer " + credential);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            Object json = r.headers().firstValue("content-type").orElse("").contains("json")
                            && !r.body().isEmpty()
                    ? Json.parse(r.body())
                    : null;
            return new Answer(r.statusCode(), r, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Answer ok(Answer a) {
        assertThat(a.status()).as("%s", a.raw().body()).isBetween(200, 299);
        return a;
    }

    @Override
    public void close() {
        server.close();
    }
}
