package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The console's files over real HTTP ({@code api/ConsoleRoutes}, {@code api/StaticAssets}): without a key, with their
 * types, caching and security headers; revalidation, gzip, {@code HEAD}; and no way out of their folders.
 */
final class ConsoleAssetsIT {
    @TempDir
    Path dir;

    private Harness h;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        h = new Harness(dir, Instant.parse("2026-06-01T10:00:00Z"));
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        return send("GET", path, headers);
    }

    private HttpResponse<byte[]> send(String method, String path, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse("");
    }

    @Test
    void the_console_is_served_without_a_key_with_a_strict_policy() throws Exception {
        HttpResponse<byte[]> console = get("/");
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(header(console, "content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(new String(console.body(), StandardCharsets.UTF_8))
                .contains("<script type=\"module\" src=\"/console/operator.js\"></script>");
        assertThat(header(console, "content-security-policy"))
                .contains("default-src 'none'")
                .contains("script-src 'self'")
                .contains("connect-src 'self'")
                .contains("frame-ancestors 'none'")
                .doesNotContain("unsafe-inline")
                .doesNotContain("unsafe-eval");
        assertThat(header(console, "x-content-type-options")).isEqualTo("nosniff");
        assertThat(header(console, "referrer-policy")).isEqualTo("no-referrer");
        assertThat(header(console, "x-frame-options")).isEqualTo("DENY");
        assertThat(header(console, "cache-control")).isEqualTo("no-cache");
        assertThat(header(console, "etag")).matches("\"[0-9a-f]{32}(-gz)?\"");

        assertThat(header(get("/console/operator.js"), "content-type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(header(get("/console/tollgate.css"), "content-type")).isEqualTo("text/css; charset=utf-8");
        assertThat(header(get("/console/icon.svg"), "content-type")).isEqualTo("image/svg+xml");
        assertThat(get("/v1/customers").statusCode())
                .as("the API still needs its key")
                .isEqualTo(401);
    }

    @Test
    void an_unchanged_file_is_answered_304_and_head_answers_the_head_alone() throws Exception {
        HttpResponse<byte[]> first = get("/console/operator.js");
        String etag = header(first, "etag");
        HttpResponse<byte[]> again = get("/console/operator.js", "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(header(again, "etag")).isEqualTo(etag);
        assertThat(get("/console/operator.js", "If-None-Match", "\"something-else\"")
                        .statusCode())
                .isEqualTo(200);

        HttpResponse<byte[]> head = send("HEAD", "/");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(header(head, "content-length")).isEqualTo(String.valueOf(get("/").body().length));
    }

    @Test
    void uplot_comes_from_its_webjar_immutable_and_gzipped_for_clients_that_accept_it() throws Exception {
        String path = "/console/vendor/uplot-1.6.30/uPlot.esm.js";
        HttpResponse<byte[]> plain = get(path);
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(header(plain, "cache-control")).isEqualTo("public, max-age=31536000, immutable");
        assertThat(header(plain, "content-encoding")).isEmpty();
        assertThat(new String(plain.body(), StandardCharsets.UTF_8)).contains("export { uPlot as default }");

        HttpResponse<byte[]> zipped = get(path, "Accept-Encoding", "br, gzip;q=0.8");
        assertThat(header(zipped, "content-encoding")).isEqualTo("gzip");
        assertThat(header(zipped, "vary")).isEqualTo("Accept-Encoding");
        assertThat(zipped.body().length).isLessThan(plain.body().length / 2);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
            assertThat(in.readAllBytes()).isEqualTo(plain.body());
        }
        assertThat(header(zipped, "etag")).isNotEqualTo(header(plain, "etag"));
        assertThat(header(get(path, "Accept-Encoding", "gzip;q=0"), "content-encoding"))
                .as("refused by q=0")
                .isEmpty();
        assertThat(get("/console/vendor/uplot-1.6.30/uPlot.min.css").statusCode())
                .isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/console/..%2Flogback.xml",
                "/console/..%2F..%2Fdev%2Ftollgate%2Fserver%2FTollgateServer.class",
                "/console/%2e%2e%2flogback.xml",
                "/console/..",
                "/console/.hidden.js",
                "/console/index.html%00.js",
                "/console/index.html%2F",
                "/console/..%5Clogback.xml",
                "/console/logback.xml",
                "/console/nothing.js",
                "/console/ConsoleRoutes.class",
                "/console/vendor/uplot-1.6.30/..%2F..%2F..%2F..%2F..%2Flogback.xml",
                "/console/vendor/uplot-1.6.30/..%2Fpackage.json",
                "/console/vendor/uplot-1.6.30/uPlot.d.ts",
                "/clients/js/..%2F..%2Flogback.xml",
                "/console/../logback.xml",
                "/console/a/b.js"
            })
    void nothing_outside_the_served_folders_is_reachable(String path) throws Exception {
        HttpResponse<byte[]> r = get(path);
        assertThat(r.statusCode()).as(path).isIn(400, 404);
        assertThat(new String(r.body(), StandardCharsets.UTF_8))
                .as(path)
                .doesNotContain("<configuration")
                .doesNotContain("\"version\"");
    }
}
