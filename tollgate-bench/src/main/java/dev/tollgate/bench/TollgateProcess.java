package dev.tollgate.bench;

import dev.tollgate.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A Tollgate server started from its runnable jar in a process of its own, and a plain client for setting it up and
 * reading it back (the load itself goes through {@link HttpLoad}).
 */
final class TollgateProcess implements AutoCloseable {
    static final String API_KEY = "tg_sk_bench_secret_key_0123456789abcdef";

    /** An answer: status and parsed JSON. */
    record Reply(int status, @Nullable Object json) {
        @SuppressWarnings("unchecked")
        Map<String, Object> body() {
            if (!(json instanceof Map)) {
                throw new IllegalStateException("status " + status + ", not a JSON object: " + json);
            }
            return (Map<String, Object>) json;
        }
    }

    private final Proc proc;
    final int port;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TollgateProcess(Proc proc, int port) {
        this.proc = proc;
        this.port = port;
    }

    /** The operating system's id of the server process. */
    long pid() {
        return proc.pid();
    }

    /**
     * Starts the server.
     *
     * @param jar the runnable server jar
     * @param dataDir its data directory
     * @param postgresUrl a JDBC URL to run on PostgreSQL, or {@code null} for the embedded SQLite store
     * @param jvmOptions extra JVM options
     */
    static TollgateProcess start(Path jar, Path dataDir, @Nullable String postgresUrl, List<String> jvmOptions)
            throws IOException, InterruptedException {
        return start(jar, dataDir, postgresUrl, jvmOptions, null, 0);
    }

    /**
     * Starts the server, confined to the server cores of {@code pinning} when given.
     *
     * @param pinning where to run, or {@code null} for every core
     * @param ioThreads the server's I/O threads, or 0 for its default
     */
    static TollgateProcess start(
            Path jar,
            Path dataDir,
            @Nullable String postgresUrl,
            List<String> jvmOptions,
            @Nullable Pinning pinning,
            int ioThreads)
            throws IOException, InterruptedException {
        return start(jar, dataDir, postgresUrl, jvmOptions, pinning, ioThreads, Map.of());
    }

    /**
     * Starts the server with more environment variables (settings such as {@code TOLLGATE_WEBHOOK_ALLOW_PRIVATE}).
     *
     * @param env set in the server's environment beside {@code TOLLGATE_API_KEY}
     */
    static TollgateProcess start(
            Path jar,
            Path dataDir,
            @Nullable String postgresUrl,
            List<String> jvmOptions,
            @Nullable Pinning pinning,
            int ioThreads,
            Map<String, String> env)
            throws IOException, InterruptedException {
        return start(jar, dataDir, postgresUrl, jvmOptions, pinning, ioThreads, env, 0, List.of());
    }

    /**
     * Starts a node of a cluster on PostgreSQL: on {@code port}, which it advertises to the other nodes, as
     * {@code nodeId}, with a lease of 10 s.
     *
     * @param port a free port (the node advertises its URL before it listens, so it cannot take any free port)
     */
    static TollgateProcess startNode(
            Path jar, Path dataDir, String postgresUrl, List<String> jvmOptions, String nodeId, int port)
            throws IOException, InterruptedException {
        return start(
                jar,
                dataDir,
                postgresUrl,
                jvmOptions,
                null,
                0,
                Map.of(),
                port,
                List.of("--node-id", nodeId, "--advertise-url", "http://127.0.0.1:" + port, "--lease-seconds", "10"));
    }

    private static TollgateProcess start(
            Path jar,
            Path dataDir,
            @Nullable String postgresUrl,
            List<String> jvmOptions,
            @Nullable Pinning pinning,
            int ioThreads,
            Map<String, String> env,
            int port,
            List<String> serverArgs)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms512m", "-Xmx1g"));
        command.addAll(jvmOptions);
        command.addAll(
                List.of("-jar", jar.toString(), "--port", Integer.toString(port), "--data-dir", dataDir.toString()));
        command.addAll(serverArgs);
        if (postgresUrl != null) {
            command.addAll(List.of("--store", "postgres", "--postgres-url", postgresUrl));
        }
        if (ioThreads > 0) {
            command.addAll(List.of("--io-threads", Integer.toString(ioThreads)));
        }
        Proc.Started s = Proc.start(
                pinning == null ? command : pinning.onServerCpus(command),
                withKey(env),
                dataDir.resolveSibling(dataDir.getFileName() + ".log"),
                Pattern.compile("event=started port=(\\d+)"),
                120);
        return new TollgateProcess(s.proc(), Integer.parseInt(s.said()));
    }

    private static Map<String, String> withKey(Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("TOLLGATE_API_KEY", API_KEY);
        return all;
    }

    Reply send(String method, String path, @Nullable Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + API_KEY)
                .header("Content-Type", "application/json");
        b.method(
                method,
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body().isEmpty() ? null : Json.parse(r.body()));
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Sends and insists on a 2xx answer. */
    Map<String, Object> ok(String method, String path, @Nullable Object body) {
        Reply r = send(method, path, body);
        if (r.status() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + r.status() + ": " + r.json());
        }
        return r.body();
    }

    /**
     * The sum of the samples of a counter in the server's {@code GET /metrics} (Prometheus text), e.g. {@code
     * tollgate_cluster_forwards_total}; 0 when the server has none yet. Blocks for one HTTP exchange.
     */
    double metric(String name) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(60))
                .build();
        try {
            String text =
                    http.send(request, HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (IOException e) {
            throw new IllegalStateException("GET /metrics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    String output() {
        return proc.output();
    }

    @Override
    public void close() {
        proc.close();
    }
}
