package dev.tollgate.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Start-up settings. Each has a default, so that the server starts with nothing set; each can come from the config
 * file, an environment variable, or a command-line flag, the later overriding the earlier.
 *
 * @param port the HTTP port ({@code TOLLGATE_PORT}, {@code --port}); 0 picks a free one
 * @param dataDir where the embedded store and the generated API key live ({@code TOLLGATE_DATA_DIR},
 *     {@code --data-dir})
 * @param catalog a catalog file applied at start-up, or {@code null} ({@code TOLLGATE_CATALOG}, {@code --catalog})
 * @param apiKey the secret API key, or {@code null} to use (or create) the one in the data directory
 *     ({@code TOLLGATE_API_KEY})
 * @param store {@code sqlite} (the default) or {@code postgres} ({@code TOLLGATE_STORE}, {@code --store})
 * @param postgresUrl the JDBC URL of the PostgreSQL store, required when {@code store} is {@code postgres}
 *     ({@code TOLLGATE_POSTGRES_URL}, {@code --postgres-url}), e.g. {@code
 *     jdbc:postgresql://127.0.0.1:5432/tollgate?user=tollgate&password=secret}
 * @param maxBodyBytes the largest request body accepted ({@code TOLLGATE_MAX_BODY_BYTES})
 * @param ioThreads the HTTP I/O threads, on which checks run ({@code TOLLGATE_IO_THREADS}, {@code --io-threads}); by
 *     default one per core, at least two. More busy I/O threads than cores puts the scheduler's time slices in the
 *     tail (on one core, checks' closed-loop p99 was 4.9 ms with two, 1.0-1.25 ms with one: {@code
 *     docs/internals/http.md}), so a server confined to one core wants one
 * @param idleTimeoutSeconds how long a connection may send nothing, with no answer owed or still being written to it,
 *     before the server closes it ({@code TOLLGATE_IDLE_TIMEOUT_SECONDS}); 300 by default. Without it a client that
 *     vanished without closing (a NAT that forgot the connection, a killed host) held its socket forever
 * @param headerTimeoutSeconds how long a request's head (request line and headers) may take to arrive, from its first
 *     byte or, on a new connection, from the connection's opening ({@code TOLLGATE_HEADER_TIMEOUT_SECONDS}); 10 by
 *     default. Without it a client sending a header a byte at a time held a connection forever (slowloris)
 * @param bodyTimeoutSeconds how long a request's body may take to arrive once its head has
 *     ({@code TOLLGATE_BODY_TIMEOUT_SECONDS}); 60 by default, so an 8 MiB body needs about 140 KB/s
 * @param maxConnections the most connections open at once; one more is closed as soon as it is accepted
 *     ({@code TOLLGATE_MAX_CONNECTIONS}); by default {@link #DEFAULT_MAX_CONNECTIONS}
 * @param webhookAddresses which addresses webhooks may be delivered to ({@code TOLLGATE_WEBHOOK_ALLOW_PRIVATE=true}
 *     for {@link WebhookAddresses#ANY}); only public ones by default
 */
public record ServerConfig(
        int port,
        Path dataDir,
        @Nullable Path catalog,
        @Nullable String apiKey,
        String store,
        @Nullable String postgresUrl,
        long maxBodyBytes,
        int ioThreads,
        int idleTimeoutSeconds,
        int headerTimeoutSeconds,
        int bodyTimeoutSeconds,
        int maxConnections,
        WebhookAddresses webhookAddresses) {

    /** The largest request body accepted by default: 8 MiB (a batch of events, a large catalog). */
    public static final long DEFAULT_MAX_BODY_BYTES = 8L * 1024 * 1024;

    private static final int MAX_IO_THREADS = 1024;

    /** The idle timeout by default: five minutes, longer than common clients keep an unused connection. */
    public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 300;

    /** The header deadline by default: ten seconds, far more than a request head takes on any real network. */
    public static final int DEFAULT_HEADER_TIMEOUT_SECONDS = 10;

    /** The body deadline by default: a minute. */
    public static final int DEFAULT_BODY_TIMEOUT_SECONDS = 60;

    /** File descriptors kept for the store, the webhook client and the JVM when the connection limit is derived. */
    private static final long RESERVED_FILE_DESCRIPTORS = 256;

    /**
     * The connection limit by default: 10 000, or fewer when the process may open fewer files: its file descriptor
     * limit less {@value #RESERVED_FILE_DESCRIPTORS} kept for the store and the JVM, at least 64. Without a limit,
     * 20 000 connections that sent nothing took every file descriptor, and then the store could open no file either.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = defaultMaxConnections();

    /** Where webhooks may be delivered. */
    public enum WebhookAddresses {
        /**
         * Public addresses only: a webhook URL naming, or a host resolving to, a loopback, link-local, private,
         * unique-local, shared (100.64/10), unspecified or multicast address is refused, so that whoever holds the API
         * key cannot make the server post to its own network (a cloud metadata service, a local admin port).
         */
        PUBLIC,
        /** Any address, for receivers on the server's own host or network. */
        ANY
    }

    /** The I/O threads by default: one per core, at least two. */
    public static final int DEFAULT_IO_THREADS =
            Math.max(2, Runtime.getRuntime().availableProcessors());

    public ServerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
        if (ioThreads < 1 || ioThreads > MAX_IO_THREADS) {
            throw new IllegalArgumentException(
                    "ioThreads must be a whole number from 1 to " + MAX_IO_THREADS + ", was " + ioThreads);
        }
        if (idleTimeoutSeconds < 1) {
            throw new IllegalArgumentException(
                    "idleTimeoutSeconds must be a whole number of seconds from 1, was " + idleTimeoutSeconds);
        }
        if (headerTimeoutSeconds < 1) {
            throw new IllegalArgumentException(
                    "headerTimeoutSeconds must be a whole number of seconds from 1, was " + headerTimeoutSeconds);
        }
        if (bodyTimeoutSeconds < 1) {
            throw new IllegalArgumentException(
                    "bodyTimeoutSeconds must be a whole number of seconds from 1, was " + bodyTimeoutSeconds);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be a whole number from 1, was " + maxConnections);
        }
        if (apiKey != null) {
            ApiKeys.requireStrong(apiKey, "TOLLGATE_API_KEY");
        }
        if (!"sqlite".equals(store) && !"postgres".equals(store)) {
            throw new IllegalArgumentException("store must be 'sqlite' or 'postgres', was '" + store + "'");
        }
        if ("postgres".equals(store) && (postgresUrl == null || !postgresUrl.startsWith("jdbc:postgresql:"))) {
            throw new IllegalArgumentException("store 'postgres' needs a JDBC URL (jdbc:postgresql://...) in"
                    + " TOLLGATE_POSTGRES_URL or --postgres-url");
        }
    }

    /** The defaults: port 8080, {@code ./data}, no catalog, generated key, SQLite. */
    public static ServerConfig defaults() {
        return new ServerConfig(
                8080,
                Path.of("data"),
                null,
                null,
                "sqlite",
                null,
                DEFAULT_MAX_BODY_BYTES,
                DEFAULT_IO_THREADS,
                DEFAULT_IDLE_TIMEOUT_SECONDS,
                DEFAULT_HEADER_TIMEOUT_SECONDS,
                DEFAULT_BODY_TIMEOUT_SECONDS,
                DEFAULT_MAX_CONNECTIONS,
                WebhookAddresses.PUBLIC);
    }

    /**
     * Reads the settings: defaults, then the YAML config file ({@code TOLLGATE_CONFIG} or {@code --config}), then
     * environment variables, then flags.
     *
     * @param env the environment
     * @param args command-line flags ({@code --port 8080 --data-dir ./data --catalog examples/catalog.yaml})
     * @throws IllegalArgumentException on an unknown flag or a bad value
     */
    public static ServerConfig load(Map<String, String> env, String[] args) {
        Map<String, String> flags = Flags.parse(args);
        String configFile = flags.getOrDefault("config", env.get("TOLLGATE_CONFIG"));
        Map<String, String> file = configFile == null ? Map.of() : ConfigFile.read(Path.of(configFile));
        String port = pick(flags.get("port"), env.get("TOLLGATE_PORT"), file.get("port"), "8080");
        String dataDir = pick(flags.get("data-dir"), env.get("TOLLGATE_DATA_DIR"), file.get("dataDir"), "data");
        String catalog = pick(flags.get("catalog"), env.get("TOLLGATE_CATALOG"), file.get("catalog"), null);
        String apiKey = pick(null, env.get("TOLLGATE_API_KEY"), file.get("apiKey"), null);
        String store = pick(flags.get("store"), env.get("TOLLGATE_STORE"), file.get("store"), "sqlite");
        String postgresUrl =
                pick(flags.get("postgres-url"), env.get("TOLLGATE_POSTGRES_URL"), file.get("postgresUrl"), null);
        String maxBody = pick(null, env.get("TOLLGATE_MAX_BODY_BYTES"), file.get("maxBodyBytes"), null);
        String ioThreads = pick(flags.get("io-threads"), env.get("TOLLGATE_IO_THREADS"), file.get("ioThreads"), null);
        String idle = pick(null, env.get("TOLLGATE_IDLE_TIMEOUT_SECONDS"), file.get("idleTimeoutSeconds"), null);
        String header = pick(null, env.get("TOLLGATE_HEADER_TIMEOUT_SECONDS"), file.get("headerTimeoutSeconds"), null);
        String body = pick(null, env.get("TOLLGATE_BODY_TIMEOUT_SECONDS"), file.get("bodyTimeoutSeconds"), null);
        String connections = pick(null, env.get("TOLLGATE_MAX_CONNECTIONS"), file.get("maxConnections"), null);
        String allowPrivate =
                pick(null, env.get("TOLLGATE_WEBHOOK_ALLOW_PRIVATE"), file.get("webhookAllowPrivate"), "false");
        int portNumber;
        try {
            portNumber = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port must be a number, was '" + port + "'");
        }
        Path catalogPath = catalog == null || catalog.isBlank() ? null : Path.of(catalog);
        if (catalogPath != null && !Files.isRegularFile(catalogPath)) {
            throw new IllegalArgumentException("catalog file not found: " + catalogPath);
        }
        return new ServerConfig(
                portNumber,
                Path.of(dataDir),
                catalogPath,
                apiKey == null || apiKey.isBlank() ? null : apiKey,
                store,
                postgresUrl,
                maxBody == null ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes(maxBody),
                ioThreads == null ? DEFAULT_IO_THREADS : whole("ioThreads", ioThreads),
                idle == null ? DEFAULT_IDLE_TIMEOUT_SECONDS : whole("idleTimeoutSeconds", idle),
                header == null ? DEFAULT_HEADER_TIMEOUT_SECONDS : whole("headerTimeoutSeconds", header),
                body == null ? DEFAULT_BODY_TIMEOUT_SECONDS : whole("bodyTimeoutSeconds", body),
                connections == null ? DEFAULT_MAX_CONNECTIONS : whole("maxConnections", connections),
                webhookAddresses(allowPrivate));
    }

    private static WebhookAddresses webhookAddresses(String allowPrivate) {
        return switch (allowPrivate.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> WebhookAddresses.ANY;
            case "false" -> WebhookAddresses.PUBLIC;
            default ->
                throw new IllegalArgumentException(
                        "webhookAllowPrivate must be true or false, was '" + allowPrivate + "'");
        };
    }

    private static int defaultMaxConnections() {
        long limit = Long.MAX_VALUE;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            limit = unix.getMaxFileDescriptorCount();
        }
        return (int) Math.max(64, Math.min(10_000, limit - RESERVED_FILE_DESCRIPTORS));
    }

    /** Parses the body limit: a whole number of bytes from 1 to 2 GiB - 1 (what one HTTP body can be held as). */
    private static long maxBodyBytes(String value) {
        int bytes;
        try {
            bytes = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            bytes = -1;
        }
        if (bytes >= 1) {
            return bytes;
        }
        throw new IllegalArgumentException("maxBodyBytes must be a whole number of bytes from 1 to " + Integer.MAX_VALUE
                + ", was '" + value + "'");
    }

    /** Parses a whole-number setting; its range is the constructor's to check. */
    private static int whole(String setting, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(setting + " must be a whole number, was '" + value + "'");
        }
    }

    private static @Nullable String pick(
            @Nullable String flag, @Nullable String env, @Nullable String file, @Nullable String fallback) {
        if (flag != null) {
            return flag;
        }
        if (env != null && !env.isEmpty()) {
            return env;
        }
        return file != null ? file : fallback;
    }

    /** A copy with another store. */
    public ServerConfig withStore(String kind, @Nullable String url) {
        return new ServerConfig(
                port,
                dataDir,
                catalog,
                apiKey,
                kind,
                url,
                maxBodyBytes,
                ioThreads,
                idleTimeoutSeconds,
                headerTimeoutSeconds,
                bodyTimeoutSeconds,
                maxConnections,
                webhookAddresses);
    }

    /** Where the store is, for logs: the data directory or the PostgreSQL URL without its query (credentials). */
    public String storeLocation() {
        if ("postgres".equals(store) && postgresUrl != null) {
            int q = postgresUrl.indexOf('?');
            return q < 0 ? postgresUrl : postgresUrl.substring(0, q);
        }
        return dataDir.toAbsolutePath().normalize().toString();
    }

    /** A copy with another port. */
    public ServerConfig withPort(int newPort) {
        return new ServerConfig(
                newPort,
                dataDir,
                catalog,
                apiKey,
                store,
                postgresUrl,
                maxBodyBytes,
                ioThreads,
                idleTimeoutSeconds,
                headerTimeoutSeconds,
                bodyTimeoutSeconds,
                maxConnections,
                webhookAddresses);
    }

    /** A copy with another API key. */
    public ServerConfig withApiKey(@Nullable String key) {
        return new ServerConfig(
                port,
                dataDir,
                catalog,
                key,
                store,
                postgresUrl,
                maxBodyBytes,
                ioThreads,
                idleTimeoutSeconds,
                headerTimeoutSeconds,
                bodyTimeoutSeconds,
                maxConnections,
                webhookAddresses);
    }

    /** A copy with another start-up catalog. */
    public ServerConfig withCatalog(@Nullable Path file) {
        return new ServerConfig(
                port,
                dataDir,
                file,
                apiKey,
                store,
                postgresUrl,
                maxBodyBytes,
                ioThreads,
                idleTimeoutSeconds,
                headerTimeoutSeconds,
                bodyTimeoutSeconds,
                maxConnections,
                webhookAddresses);
    }

    /** A copy with another idle timeout. */
    public ServerConfig withIdleTimeoutSeconds(int seconds) {
        return new ServerConfig(
                port,
                dataDir,
                catalog,
                apiKey,
                store,
                postgresUrl,
                maxBodyBytes,
                ioThreads,
                seconds,
                headerTimeoutSeconds,
                bodyTimeoutSeconds,
                maxConnections,
                webhookAddresses);
    }

    /** A copy with another data directory. */
    public ServerConfig withDataDir(Path dir) {
        return new ServerConfig(
                port,
                dir,
                catalog,
                apiKey,
                store,
                postgresUrl,
                maxBodyBytes,
                ioThreads,
                idleTimeoutSeconds,
                headerTimeoutSeconds,
                bodyTimeoutSeconds,
                maxConnections,
                webhookAddresses);
    }

    /** A copy with other request deadlines. */
    public ServerConfig withRequestTimeoutsSeconds(int header, int body) {
        return new ServerConfig(
                port,
                dataDir,
                catalog,
                apiKey,
                store,
                postgresUrl,
                maxBodyBytes,
                ioThreads,
                idleTimeoutSeconds,
                header,
                body,
                maxConnections,
                webhookAddresses);
    }

    /** A copy with another connection limit. */
    public ServerConfig withMaxConnections(int limit) {
        return new ServerConfig(
                port,
                dataDir,
                catalog,
                apiKey,
                store,
                postgresUrl,
                maxBodyBytes,
                ioThreads,
                idleTimeoutSeconds,
                headerTimeoutSeconds,
                bodyTimeoutSeconds,
                limit,
                webhookAddresses);
    }

    /** A copy with other webhook addresses. */
    public ServerConfig withWebhookAddresses(WebhookAddresses addresses) {
        return new ServerConfig(
                port,
                dataDir,
                catalog,
                apiKey,
                store,
                postgresUrl,
                maxBodyBytes,
                ioThreads,
                idleTimeoutSeconds,
                headerTimeoutSeconds,
                bodyTimeoutSeconds,
                maxConnections,
                addresses);
    }
}
