package dev.tollgate.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link Tollgate}. Not thread-safe (build on one thread); each setter returns this builder and rejects
 * {@code null} unless its parameter says otherwise.
 *
 * <pre>{@code
 * Tollgate tollgate = Tollgate.builder()
 *         .baseUrl("http://localhost:8080")
 *         .apiKey(key)
 *         .timeout(Duration.ofSeconds(2))
 *         .fallback(Fallback.failClosed().with("sso", FallbackValue.allow()))
 *         .spoolDirectory(Path.of("spool"))
 *         .build();
 * }</pre>
 */
public final class TollgateBuilder {
    private @Nullable URI baseUrl;
    private @Nullable String apiKey;
    private Duration timeout = Duration.ofSeconds(2);
    private Fallback fallback = Fallback.failClosed();
    private @Nullable Path spoolDirectory;
    private long spoolMaxBytes = 256L * 1024 * 1024;
    private int reportBatchSize = 1000;
    private Duration reportLinger = Duration.ofMillis(20);
    private int maxQueuedLeaseEvents = 20_000;
    private LeaseSettings leases = LeaseSettings.defaults();
    private Duration cacheTtl = Duration.ofSeconds(5);
    private boolean changeFeed = true;
    private boolean routeToOwner = true;
    private @Nullable String redisUrl;

    TollgateBuilder() {}

    /** The server's address, such as {@code http://localhost:8080}. Required. */
    public TollgateBuilder baseUrl(String url) {
        URI uri = URI.create(Objects.requireNonNull(url, "baseUrl"));
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("baseUrl must be an absolute http(s) URL: " + url);
        }
        this.baseUrl = uri;
        return this;
    }

    /** The server's secret API key. Required. */
    public TollgateBuilder apiKey(String key) {
        if (Objects.requireNonNull(key, "apiKey").isBlank()) {
            throw new IllegalArgumentException("apiKey must not be blank");
        }
        this.apiKey = key;
        return this;
    }

    /** The longest wait for any one server call (connect and answer). Default 2 s. */
    public TollgateBuilder timeout(Duration value) {
        this.timeout = positive(value, "timeout");
        return this;
    }

    /** What to answer on a cold miss while the server is unreachable. Default {@link Fallback#failClosed()}. */
    public TollgateBuilder fallback(Fallback value) {
        this.fallback = Objects.requireNonNull(value, "fallback");
        return this;
    }

    /**
     * Where reports that cannot reach the server are kept until they can (created if missing; one client per
     * directory). Default none: such reports fail.
     */
    public TollgateBuilder spoolDirectory(Path directory) {
        this.spoolDirectory = Objects.requireNonNull(directory, "spoolDirectory");
        return this;
    }

    /** The most bytes the spool may hold; beyond, reports fail with {@code SPOOL_FULL}. Default 256 MiB. */
    public TollgateBuilder spoolMaxBytes(long bytes) {
        if (bytes < 4096) {
            throw new IllegalArgumentException("spoolMaxBytes must be at least 4096: " + bytes);
        }
        this.spoolMaxBytes = bytes;
        return this;
    }

    /** The most events sent in one {@code POST /v1/events}. Default 1000, at most 10 000. */
    public TollgateBuilder reportBatchSize(int events) {
        if (events < 1 || events > 10_000) {
            throw new IllegalArgumentException("reportBatchSize must be 1 to 10000: " + events);
        }
        this.reportBatchSize = events;
        return this;
    }

    /** How long a report waits for others to share its batch. Default 20 ms. */
    public TollgateBuilder reportLinger(Duration value) {
        this.reportLinger = Objects.requireNonNull(value, "reportLinger");
        return this;
    }

    /**
     * The most events of consumes admitted against leases that wait to be sent. Past it, an admission's event is not
     * sent: its lease's close counts its units, exactly, so the server's totals are the same and only arrive later
     * (see {@code docs/sdk.md}, "Reporting"). Bounds the memory and the time {@code close()} spends sending when the
     * application admits faster than the server takes events. Default 20 000; 0 sends none (usage reaches the server
     * with each lease's close).
     */
    public TollgateBuilder maxQueuedLeaseEvents(int events) {
        if (events < 0) {
            throw new IllegalArgumentException("maxQueuedLeaseEvents must be 0 or more: " + events);
        }
        this.maxQueuedLeaseEvents = events;
        return this;
    }

    /** How leases are sized and kept, or {@link LeaseSettings#disabled()}. Default {@link LeaseSettings#defaults()}. */
    public TollgateBuilder leases(LeaseSettings value) {
        this.leases = Objects.requireNonNull(value, "leases");
        return this;
    }

    /**
     * How long cached entitlements answer without being read again while the change feed does not keep them current.
     * Default 5 s.
     */
    public TollgateBuilder cacheTtl(Duration value) {
        this.cacheTtl = positive(value, "cacheTtl");
        return this;
    }

    /** Whether to keep the cache current over the server's change feed ({@code GET /v1/stream}). Default true. */
    public TollgateBuilder changeFeed(boolean value) {
        this.changeFeed = value;
        return this;
    }

    /**
     * Whether, with a cluster of servers, a call for a customer goes straight to the server that owns it once an answer
     * has named it (and, while the configured server cannot be reached, to another live server of the cluster). Turn it
     * off when the servers' own addresses cannot be reached from here (every call then goes through {@code baseUrl},
     * whose server forwards it). Default true; without a cluster it changes nothing.
     */
    public TollgateBuilder routeToOwner(boolean value) {
        this.routeToOwner = value;
        return this;
    }

    /**
     * A Redis server ({@code redis://host:port}) that keeps the cached entitlements for every instance and across
     * restarts; needs {@code io.lettuce:lettuce-core} on the class path. Redis down: the in-memory cache alone.
     */
    public TollgateBuilder redisUrl(String url) {
        this.redisUrl = Objects.requireNonNull(url, "redisUrl");
        return this;
    }

    /**
     * A client with these settings; starts its background threads (daemon).
     *
     * @throws IllegalStateException if {@code baseUrl} or {@code apiKey} is missing
     * @throws java.io.UncheckedIOException if the spool directory cannot be opened
     */
    public Tollgate build() {
        if (baseUrl == null || apiKey == null) {
            throw new IllegalStateException("baseUrl and apiKey are required");
        }
        return new DefaultTollgate(new ClientSettings(
                baseUrl,
                apiKey,
                timeout,
                fallback,
                spoolDirectory,
                spoolMaxBytes,
                reportBatchSize,
                reportLinger,
                maxQueuedLeaseEvents,
                leases,
                cacheTtl,
                changeFeed,
                routeToOwner,
                redisUrl));
    }

    private static Duration positive(Duration d, String name) {
        if (Objects.requireNonNull(d, name).isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d;
    }
}
