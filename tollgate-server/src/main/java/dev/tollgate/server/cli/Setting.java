package dev.tollgate.server.cli;

import dev.tollgate.server.ServerConfig;
import dev.tollgate.server.auth.Cors;
import dev.tollgate.server.webhook.WebhookAddresses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Every start-up setting, in one table: its command-line flag, environment variable, config-file key, default and
 * meaning. The command line ({@link Commands}), the config file ({@link ConfigFile}), the usage text and
 * {@code docs/reference/settings.md} (checked by {@code SettingsDocTest}) all come from it.
 *
 * <p>Precedence: defaults, then the YAML config file, then the environment, then flags; an empty environment variable
 * counts as unset.
 *
 * <p>Thread-safe: immutable.
 */
enum Setting {
    PORT(
            "--port",
            "N",
            "TOLLGATE_PORT",
            "port",
            "8080",
            "HTTP port; 0 picks a free one",
            (b, v) -> b.port(whole("port", v))),
    DATA_DIR(
            "--data-dir",
            "DIR",
            "TOLLGATE_DATA_DIR",
            "dataDir",
            "./data",
            "the SQLite store and the generated API key",
            (b, v) -> b.dataDir(Path.of(v))),
    CATALOG(
            "--catalog",
            "FILE",
            "TOLLGATE_CATALOG",
            "catalog",
            "none",
            "a catalog (YAML or JSON) applied at start-up",
            (b, v) -> b.catalog(catalogFile(v))),
    CONFIG(
            "--config",
            "FILE",
            "TOLLGATE_CONFIG",
            null,
            "none",
            "a YAML file of settings (the keys below)",
            (b, v) -> {}), // read by resolve before the others; not itself a setting of the server
    API_KEY(
            null,
            null,
            "TOLLGATE_API_KEY",
            "apiKey",
            "created in the data directory",
            "the secret API key, at least 32 printable characters (no flag: a command line is visible to other users)",
            (b, v) -> b.apiKey(v.isBlank() ? null : v)),
    STORE("--store", "KIND", "TOLLGATE_STORE", "store", "sqlite", "sqlite or postgres", (b, v) -> b.store(v)),
    POSTGRES_URL(
            "--postgres-url",
            "URL",
            "TOLLGATE_POSTGRES_URL",
            "postgresUrl",
            "none",
            "jdbc:postgresql://host:5432/db?user=u&password=p, for --store postgres",
            (b, v) -> b.postgresUrl(v)),
    NODE_ID(
            "--node-id",
            "ID",
            "TOLLGATE_NODE_ID",
            "nodeId",
            "host name:port",
            "this server's id in a cluster (several servers on one PostgreSQL)",
            (b, v) -> b.nodeId(v.isBlank() ? null : v)),
    ADVERTISE_URL(
            "--advertise-url",
            "URL",
            "TOLLGATE_ADVERTISE_URL",
            "advertiseUrl",
            "http://host name:port",
            "where the other servers of a cluster reach this one",
            (b, v) -> b.advertiseUrl(v.isBlank() ? null : v)),
    LEASE_SECONDS(
            "--lease-seconds",
            "N",
            "TOLLGATE_LEASE_SECONDS",
            "leaseSeconds",
            "10",
            "how soon the servers of a cluster take over the customers of one that stopped answering (2 to 3600)",
            (b, v) -> b.leaseSeconds(whole("leaseSeconds", v))),
    IO_THREADS(
            "--io-threads",
            "N",
            "TOLLGATE_IO_THREADS",
            "ioThreads",
            "one per core, at least 2",
            "HTTP I/O threads, on which checks run (1 to 1024); a server confined to one core wants 1",
            (b, v) -> b.ioThreads(whole("ioThreads", v))),
    MAX_BODY_BYTES(
            "--max-body-bytes",
            "N",
            "TOLLGATE_MAX_BODY_BYTES",
            "maxBodyBytes",
            "8388608 (8 MiB)",
            "the largest request body accepted",
            (b, v) -> b.maxBodyBytes(maxBodyBytes(v))),
    IDLE_TIMEOUT_SECONDS(
            "--idle-timeout-seconds",
            "S",
            "TOLLGATE_IDLE_TIMEOUT_SECONDS",
            "idleTimeoutSeconds",
            "300",
            "a connection that sends nothing and is owed nothing is closed after this",
            (b, v) -> b.idleTimeoutSeconds(whole("idleTimeoutSeconds", v))),
    HEADER_TIMEOUT_SECONDS(
            "--header-timeout-seconds",
            "S",
            "TOLLGATE_HEADER_TIMEOUT_SECONDS",
            "headerTimeoutSeconds",
            "10",
            "how long a request's head may take to arrive",
            (b, v) -> b.headerTimeoutSeconds(whole("headerTimeoutSeconds", v))),
    BODY_TIMEOUT_SECONDS(
            "--body-timeout-seconds",
            "S",
            "TOLLGATE_BODY_TIMEOUT_SECONDS",
            "bodyTimeoutSeconds",
            "60",
            "how long a request's body may take to arrive once its head has",
            (b, v) -> b.bodyTimeoutSeconds(whole("bodyTimeoutSeconds", v))),
    MAX_CONNECTIONS(
            "--max-connections",
            "N",
            "TOLLGATE_MAX_CONNECTIONS",
            "maxConnections",
            "10000, fewer under a low file-descriptor limit",
            "the most connections open at once; one more is closed when accepted",
            (b, v) -> b.maxConnections(whole("maxConnections", v))),
    WEBHOOK_ALLOW_PRIVATE(
            "--webhook-allow-private",
            "BOOL",
            "TOLLGATE_WEBHOOK_ALLOW_PRIVATE",
            "webhookAllowPrivate",
            "false",
            "true lets webhooks deliver to loopback, private and link-local addresses",
            (b, v) -> b.webhookAddresses(webhookAddresses(v))),
    CORS_ORIGINS(
            "--cors-origins",
            "LIST",
            "TOLLGATE_CORS_ORIGINS",
            "corsOrigins",
            "none",
            "origins (https://app.example.com, comma-separated; * for any) whose browser scripts may call the API",
            (b, v) -> b.cors(Cors.of(List.of(v.split(","))))),
    PUBLIC_URL(
            "--public-url",
            "URL",
            "TOLLGATE_PUBLIC_URL",
            "publicUrl",
            "the advertised URL, else the request's Host",
            "where browsers reach this server: the base of portal links (<url>/portal#token=...)",
            (b, v) -> b.publicUrl(v.isBlank() ? null : v.trim())),
    STRIPE_API_KEY(
            "--stripe-api-key",
            "KEY",
            "TOLLGATE_STRIPE_API_KEY",
            "stripeApiKey",
            "none: no export",
            "Stripe's secret key; with it, closed periods and recharges are sent to Stripe (docs/finance.md)",
            (b, v) -> b.stripeApiKey(v)),
    STRIPE_BASE_URL(
            "--stripe-base-url",
            "URL",
            "TOLLGATE_STRIPE_BASE_URL",
            "stripeBaseUrl",
            "https://api.stripe.com",
            "where Stripe's API is (a local fake in tests)",
            (b, v) -> b.stripeBaseUrl(v)),
    STRIPE_CURRENCY(
            "--stripe-currency",
            "CODE",
            "TOLLGATE_STRIPE_CURRENCY",
            "stripeCurrency",
            "usd",
            "the currency of recharges' cost basis, as Stripe's invoice items carry it",
            (b, v) -> b.stripeCurrency(v));

    /** The flag, e.g. {@code --data-dir}, or {@code null} for a setting no command line may carry. */
    final @Nullable String flag;

    /** What the flag's value is, for the usage: {@code N}, {@code DIR}, {@code FILE}. */
    final @Nullable String label;

    /** The environment variable. */
    final String env;

    /** The key in the config file, or {@code null} for the config file's own path. */
    final @Nullable String key;

    /** The default, as the usage and the docs say it. */
    final String defaultText;

    /** What it means. */
    final String description;

    @SuppressWarnings("ImmutableEnumChecker") // each setting's setter is a lambda that captures nothing
    private final BiConsumer<ServerConfig.Builder, String> apply;

    Setting(
            @Nullable String flag,
            @Nullable String label,
            String env,
            @Nullable String key,
            String defaultText,
            String description,
            BiConsumer<ServerConfig.Builder, String> apply) {
        this.flag = flag;
        this.label = label;
        this.env = env;
        this.key = key;
        this.defaultText = defaultText;
        this.description = description;
        this.apply = apply;
    }

    /** The setting whose config-file key is {@code key}, or {@code null}. */
    static @Nullable Setting ofKey(String key) {
        for (Setting s : values()) {
            if (key.equals(s.key)) {
                return s;
            }
        }
        return null;
    }

    /**
     * The settings from every source: defaults, then the config file ({@code --config} or {@code TOLLGATE_CONFIG}),
     * then the environment, then {@code flags}.
     *
     * @param env the environment
     * @param flags the values given on the command line
     * @throws IllegalArgumentException naming the setting, on a value it cannot take or a bad config file
     */
    static ServerConfig resolve(Map<String, String> env, Map<Setting, String> flags) {
        String configFile = pick(CONFIG, flags, env, Map.of());
        Map<Setting, String> file = configFile == null ? Map.of() : ConfigFile.read(Path.of(configFile));
        Map<Setting, String> chosen = new EnumMap<>(Setting.class);
        for (Setting s : values()) {
            String value = pick(s, flags, env, file);
            if (value != null) {
                chosen.put(s, value);
            }
        }
        ServerConfig.Builder b = ServerConfig.builder();
        chosen.forEach((s, v) -> s.apply.accept(b, v));
        return b.build();
    }

    private static @Nullable String pick(
            Setting s, Map<Setting, String> flags, Map<String, String> env, Map<Setting, String> file) {
        String flag = flags.get(s);
        if (flag != null) {
            return flag;
        }
        String fromEnv = env.get(s.env);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv;
        }
        return file.get(s);
    }

    private static @Nullable Path catalogFile(String value) {
        if (value.isBlank()) {
            return null;
        }
        Path path = Path.of(value);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("catalog file not found: " + path);
        }
        return path;
    }

    private static WebhookAddresses webhookAddresses(String allowPrivate) {
        return switch (allowPrivate.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> WebhookAddresses.ANY;
            case "false" -> WebhookAddresses.PUBLIC;
            default ->
                throw new IllegalArgumentException(
                        "webhookAllowPrivate must be true or false, was '" + allowPrivate + "'");
        };
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

    /** Parses a whole-number setting; its range is {@link ServerConfig}'s to check. */
    private static int whole(String setting, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(setting + " must be a whole number, was '" + value + "'");
        }
    }
}
