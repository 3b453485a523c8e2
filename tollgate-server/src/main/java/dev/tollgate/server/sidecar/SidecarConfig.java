package dev.tollgate.server.sidecar;

import dev.tollgate.client.Fallback;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a sidecar is started with. Immutable.
 *
 * @param upstream the Tollgate server's base URL
 * @param apiKey the server's secret key, sent upstream (the application sends none to the sidecar)
 * @param host the address to listen on: {@code 127.0.0.1} by default, so that only this machine reaches it
 * @param port the port to listen on, 0 for any free one
 * @param fallback the answers for cold misses while the server is unreachable
 * @param redisUrl a Redis shared by a fleet of sidecars ({@code redis://host:port}), or {@code null}
 * @param spoolDir where reports wait while the server is unreachable, or {@code null} (they fail instead)
 * @param timeout the longest wait for one server call
 */
public record SidecarConfig(
        URI upstream,
        String apiKey,
        String host,
        int port,
        Fallback fallback,
        @Nullable String redisUrl,
        @Nullable Path spoolDir,
        Duration timeout) {
    /** The default timeout of a server call. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    public SidecarConfig {
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(fallback, "fallback");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** A sidecar of {@code upstream} on 127.0.0.1:{@code port}, fail-closed, without Redis or spool. */
    public static SidecarConfig of(URI upstream, String apiKey, int port) {
        return new SidecarConfig(
                upstream, apiKey, "127.0.0.1", port, Fallback.failClosed(), null, null, DEFAULT_TIMEOUT);
    }

    /** This configuration with {@code value} as its fallback. */
    public SidecarConfig withFallback(Fallback value) {
        return new SidecarConfig(upstream, apiKey, host, port, value, redisUrl, spoolDir, timeout);
    }

    /** This configuration spooling reports to {@code directory}. */
    public SidecarConfig withSpoolDir(Path directory) {
        return new SidecarConfig(upstream, apiKey, host, port, fallback, redisUrl, directory, timeout);
    }

    /** This configuration sharing its cache through the Redis at {@code url}. */
    public SidecarConfig withRedis(String url) {
        return new SidecarConfig(upstream, apiKey, host, port, fallback, url, spoolDir, timeout);
    }
}
