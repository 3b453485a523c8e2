package dev.tollgate.server.cli;

import dev.tollgate.client.Fallback;
import dev.tollgate.server.sidecar.FallbackFile;
import dev.tollgate.server.sidecar.SidecarConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The flags of the {@code sidecar} command ({@code docs/sidecar.md}); the server's {@link Setting}s do not apply to it.
 * The API key may also come from {@code TOLLGATE_API_KEY}, which other users of the machine cannot read on the
 * command line.
 *
 * <p>Thread-safe: immutable.
 */
enum SidecarFlag {
    UPSTREAM("--upstream", "URL", "the Tollgate server's base URL (required)"),
    API_KEY("--api-key", "KEY", "the server's secret API key (or TOLLGATE_API_KEY)"),
    PORT("--port", "N", "the port to listen on; 0 picks a free one [default 8081]"),
    HOST("--host", "ADDR", "the address to listen on; the sidecar asks no key of callers [default 127.0.0.1]"),
    FALLBACK("--fallback", "FILE", "JSON fallback values for cold misses while the server is unreachable"),
    REDIS("--redis", "URL", "redis://host:port, a cache shared by a fleet of sidecars and kept across restarts"),
    SPOOL_DIR("--spool-dir", "DIR", "where usage reports wait while the server is unreachable");

    final String flag;
    final String label;
    final String description;

    SidecarFlag(String flag, String label, String description) {
        this.flag = flag;
        this.label = label;
        this.description = description;
    }

    /**
     * The sidecar's configuration from its flags and the environment.
     *
     * @throws IllegalArgumentException with one line naming what is missing or wrong
     */
    static SidecarConfig resolve(Map<SidecarFlag, String> flags, Map<String, String> env) {
        String upstream = flags.get(UPSTREAM);
        if (upstream == null || upstream.isBlank()) {
            throw new IllegalArgumentException("sidecar needs --upstream URL (the Tollgate server)");
        }
        URI uri;
        try {
            uri = URI.create(upstream);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--upstream is not a URL: " + upstream, e);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("--upstream must be an http:// or https:// URL: " + upstream);
        }
        String key = flags.getOrDefault(API_KEY, env.get("TOLLGATE_API_KEY"));
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("sidecar needs --api-key KEY or TOLLGATE_API_KEY (the server's key)");
        }
        String fallbackFile = flags.get(FALLBACK);
        Fallback fallback = fallbackFile == null ? Fallback.failClosed() : FallbackFile.read(Path.of(fallbackFile));
        return new SidecarConfig(
                uri,
                key,
                flags.getOrDefault(HOST, "127.0.0.1"),
                port(flags.get(PORT)),
                fallback,
                flags.get(REDIS),
                pathOrNull(flags.get(SPOOL_DIR)),
                SidecarConfig.DEFAULT_TIMEOUT);
    }

    private static int port(@Nullable String value) {
        if (value == null) {
            return 8081;
        }
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // told below
        }
        throw new IllegalArgumentException("--port must be a whole number from 0 to 65535: " + value);
    }

    private static @Nullable Path pathOrNull(@Nullable String value) {
        return value == null ? null : Path.of(value);
    }
}
