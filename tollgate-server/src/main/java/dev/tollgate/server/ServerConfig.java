package dev.tollgate.server;

import dev.tollgate.server.auth.ApiKeys;
import dev.tollgate.server.auth.Cors;
import dev.tollgate.server.billing.StripeSettings;
import dev.tollgate.server.webhook.WebhookAddresses;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Start-up settings. Each has a default, so that the server starts with nothing set; each can come from the config
 * file, an environment variable, or a command-line flag, the later overriding the earlier ({@code cli/Setting} lists
 * them; {@code docs/reference/settings.md}). Built with {@link #builder()} or {@link #toBuilder()}.
 *
 * <p>Thread-safe: immutable.
 *
 * @param port the HTTP port ({@code TOLLGATE_PORT}, {@code --port}); 0 picks a free one
 * @param dataDir where the embedded store and the generated API key live ({@code TOLLGATE_DATA_DIR},
 *     {@code --data-dir})
 * @param catalog a catalog file applied at start-up, or {@code null} ({@code TOLLGATE_CATALOG}, {@code --catalog})
 * @param apiKey the secret API key, or {@code null} to use (or create) the one in the data directory
 *     ({@code TOLLGATE_API_KEY}); required of a cluster node (the PostgreSQL store with a node id or an advertised
 *     URL), the same on every node
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
 * @param nodeId this server's id in a cluster ({@code TOLLGATE_NODE_ID}, {@code --node-id}); {@code null}: the host
 *     name and port. Only the PostgreSQL store forms a cluster.
 * @param advertiseUrl where the other servers reach this one ({@code TOLLGATE_ADVERTISE_URL}, {@code
 *     --advertise-url}); {@code null}: {@code http://<host name>:<port>}
 * @param leaseSeconds how long a server of a cluster keeps its customers without a successful heartbeat, and so how
 *     soon the others take over the customers of one that died ({@code TOLLGATE_LEASE_SECONDS}, {@code
 *     --lease-seconds}, 2 to 3600, default {@value #DEFAULT_LEASE_SECONDS})
 * @param cors the origins whose browser scripts may call the API ({@code TOLLGATE_CORS_ORIGINS}, {@code
 *     --cors-origins}, comma-separated); none by default
 * @param publicUrl where browsers reach this server, the base of portal links ({@code TOLLGATE_PUBLIC_URL}, {@code
 *     --public-url}); {@code null}: the advertised URL, else each request's {@code Host}
 * @param stripe the Stripe exporter's settings ({@code TOLLGATE_STRIPE_API_KEY}, {@code TOLLGATE_STRIPE_BASE_URL},
 *     {@code TOLLGATE_STRIPE_CURRENCY}); off without a key
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
        WebhookAddresses webhookAddresses,
        @Nullable String nodeId,
        @Nullable String advertiseUrl,
        int leaseSeconds,
        Cors cors,
        @Nullable String publicUrl,
        StripeSettings stripe) {

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

    /** How long a node of a cluster owns its customers without a heartbeat, by default: 10 s. */
    public static final int DEFAULT_LEASE_SECONDS = 10;

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
        if (leaseSeconds < 2 || leaseSeconds > 3600) {
            throw new IllegalArgumentException(
                    "leaseSeconds must be a whole number of seconds from 2 to 3600, was " + leaseSeconds);
        }
        if (nodeId != null && !nodeId.matches("[A-Za-z0-9._:-]{1,64}")) {
            throw new IllegalArgumentException(
                    "nodeId must be 1 to 64 letters, digits or . _ : -, was '" + nodeId + "'");
        }
        if (advertiseUrl != null && !advertiseUrl.matches("https?://[^/?#\\s]+/?")) {
            throw new IllegalArgumentException("advertiseUrl must be http(s)://host:port, was '" + advertiseUrl + "'");
        }
        if (publicUrl != null && !publicUrl.matches("https?://[^?#\\s]+")) {
            throw new IllegalArgumentException(
                    "publicUrl must be http(s)://host[:port][/path], was '" + publicUrl + "'");
        }
        if ("postgres".equals(store) && (postgresUrl == null || !postgresUrl.startsWith("jdbc:postgresql:"))) {
            throw new IllegalArgumentException("store 'postgres' needs a JDBC URL (jdbc:postgresql://...) in"
                    + " TOLLGATE_POSTGRES_URL or --postgres-url");
        }
        if ("postgres".equals(store) && (nodeId != null || advertiseUrl != null) && apiKey == null) {
            throw new IllegalArgumentException("a cluster node (--node-id or --advertise-url) needs TOLLGATE_API_KEY,"
                    + " the same on every node: nodes prove their requests to each other with it, and a key of"
                    + " their own would have them refuse each other");
        }
    }

    /** The defaults: port 8080, {@code ./data}, no catalog, generated key, SQLite. */
    public static ServerConfig defaults() {
        return builder().build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    private static int defaultMaxConnections() {
        long limit = Long.MAX_VALUE;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            limit = unix.getMaxFileDescriptorCount();
        }
        return (int) Math.max(64, Math.min(10_000, limit - RESERVED_FILE_DESCRIPTORS));
    }

    /** Where the store is, for logs: the data directory or the PostgreSQL URL without its query (credentials). */
    public String storeLocation() {
        if ("postgres".equals(store) && postgresUrl != null) {
            int q = postgresUrl.indexOf('?');
            return q < 0 ? postgresUrl : postgresUrl.substring(0, q);
        }
        return dataDir.toAbsolutePath().normalize().toString();
    }

    /**
     * Builds a {@link ServerConfig}; each setting starts at its default (or at the prototype's value, from
     * {@link #toBuilder()}). {@link #build()} checks them all.
     *
     * <p>Not thread-safe.
     */
    public static final class Builder {
        private int port = 8080;
        private Path dataDir = Path.of("data");
        private @Nullable Path catalog;
        private @Nullable String apiKey;
        private String store = "sqlite";
        private @Nullable String postgresUrl;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private int ioThreads = DEFAULT_IO_THREADS;
        private int idleTimeoutSeconds = DEFAULT_IDLE_TIMEOUT_SECONDS;
        private int headerTimeoutSeconds = DEFAULT_HEADER_TIMEOUT_SECONDS;
        private int bodyTimeoutSeconds = DEFAULT_BODY_TIMEOUT_SECONDS;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private WebhookAddresses webhookAddresses = WebhookAddresses.PUBLIC;
        private @Nullable String nodeId;
        private @Nullable String advertiseUrl;
        private int leaseSeconds = DEFAULT_LEASE_SECONDS;
        private Cors cors = Cors.NONE;
        private @Nullable String publicUrl;
        private @Nullable String stripeApiKey;
        private String stripeBaseUrl = StripeSettings.DEFAULT_BASE_URL;
        private String stripeCurrency = StripeSettings.OFF.currency();

        private Builder() {}

        private Builder(ServerConfig c) {
            port = c.port;
            dataDir = c.dataDir;
            catalog = c.catalog;
            apiKey = c.apiKey;
            store = c.store;
            postgresUrl = c.postgresUrl;
            maxBodyBytes = c.maxBodyBytes;
            ioThreads = c.ioThreads;
            idleTimeoutSeconds = c.idleTimeoutSeconds;
            headerTimeoutSeconds = c.headerTimeoutSeconds;
            bodyTimeoutSeconds = c.bodyTimeoutSeconds;
            maxConnections = c.maxConnections;
            webhookAddresses = c.webhookAddresses;
            nodeId = c.nodeId;
            advertiseUrl = c.advertiseUrl;
            leaseSeconds = c.leaseSeconds;
            cors = c.cors;
            publicUrl = c.publicUrl;
            stripe(c.stripe);
        }

        /** Sets {@link ServerConfig#cors()}. */
        public Builder cors(Cors value) {
            cors = value;
            return this;
        }

        /** Sets {@link ServerConfig#publicUrl()}. */
        public Builder publicUrl(@Nullable String value) {
            publicUrl = value;
            return this;
        }

        /** Sets {@link ServerConfig#stripe()}. */
        public Builder stripe(StripeSettings value) {
            stripeApiKey = value.apiKey();
            stripeBaseUrl = value.baseUrl();
            stripeCurrency = value.currency();
            return this;
        }

        /** Sets {@link StripeSettings#apiKey()}. */
        public Builder stripeApiKey(@Nullable String value) {
            stripeApiKey = value;
            return this;
        }

        /** Sets {@link StripeSettings#baseUrl()}. */
        public Builder stripeBaseUrl(String value) {
            stripeBaseUrl = value;
            return this;
        }

        /** Sets {@link StripeSettings#currency()}. */
        public Builder stripeCurrency(String value) {
            stripeCurrency = value;
            return this;
        }

        /** Sets {@link ServerConfig#nodeId()}. */
        public Builder nodeId(@Nullable String value) {
            nodeId = value;
            return this;
        }

        /** Sets {@link ServerConfig#advertiseUrl()}. */
        public Builder advertiseUrl(@Nullable String value) {
            advertiseUrl = value;
            return this;
        }

        /** Sets {@link ServerConfig#leaseSeconds()}. */
        public Builder leaseSeconds(int value) {
            leaseSeconds = value;
            return this;
        }

        /** Sets {@link ServerConfig#port()}. */
        public Builder port(int value) {
            port = value;
            return this;
        }

        /** Sets {@link ServerConfig#dataDir()}. */
        public Builder dataDir(Path value) {
            dataDir = value;
            return this;
        }

        /** Sets {@link ServerConfig#catalog()}. */
        public Builder catalog(@Nullable Path value) {
            catalog = value;
            return this;
        }

        /** Sets {@link ServerConfig#apiKey()}. */
        public Builder apiKey(@Nullable String value) {
            apiKey = value;
            return this;
        }

        /** Sets {@link ServerConfig#store()}. */
        public Builder store(String value) {
            store = value;
            return this;
        }

        /** Sets {@link ServerConfig#postgresUrl()}. */
        public Builder postgresUrl(@Nullable String value) {
            postgresUrl = value;
            return this;
        }

        /** Sets {@link ServerConfig#maxBodyBytes()}. */
        public Builder maxBodyBytes(long value) {
            maxBodyBytes = value;
            return this;
        }

        /** Sets {@link ServerConfig#ioThreads()}. */
        public Builder ioThreads(int value) {
            ioThreads = value;
            return this;
        }

        /** Sets {@link ServerConfig#idleTimeoutSeconds()}. */
        public Builder idleTimeoutSeconds(int value) {
            idleTimeoutSeconds = value;
            return this;
        }

        /** Sets {@link ServerConfig#headerTimeoutSeconds()}. */
        public Builder headerTimeoutSeconds(int value) {
            headerTimeoutSeconds = value;
            return this;
        }

        /** Sets {@link ServerConfig#bodyTimeoutSeconds()}. */
        public Builder bodyTimeoutSeconds(int value) {
            bodyTimeoutSeconds = value;
            return this;
        }

        /** Sets {@link ServerConfig#maxConnections()}. */
        public Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        /** Sets {@link ServerConfig#webhookAddresses()}. */
        public Builder webhookAddresses(WebhookAddresses value) {
            webhookAddresses = value;
            return this;
        }

        /**
         * The configuration.
         *
         * @throws IllegalArgumentException naming the first setting out of its range
         */
        public ServerConfig build() {
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
                    webhookAddresses,
                    nodeId,
                    advertiseUrl,
                    leaseSeconds,
                    cors,
                    publicUrl,
                    new StripeSettings(stripeApiKey, stripeBaseUrl, stripeCurrency));
        }
    }
}
