package dev.tollgate.server.api;

import dev.tollgate.core.engine.Engine;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.RouteTable;
import dev.tollgate.server.metrics.Metrics;
import java.util.Map;

/**
 * Operations: {@code GET /health} (the process answers), {@code GET /ready} (the store is reachable and writes are
 * accepted), {@code GET /metrics} (Prometheus text, see {@code docs/reference/metrics.md}) and {@code GET
 * /openapi.json} (the API's description, {@link OpenApiDocument}, read once). None needs the API key.
 *
 * <p>Thread-safe: holds only thread-safe collaborators.
 */
final class OperationsRoutes {
    private final Engine engine;
    private final Metrics metrics;
    private final Map<String, Object> openApi = OpenApiDocument.read();

    OperationsRoutes(Engine engine, Metrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
    }

    /** Adds this family's routes to {@code table}. */
    void register(RouteTable table) {
        table.route("GET", "/health", false, RouteTable.Mode.INLINE, ctx -> Reply.ok(Map.of("status", "ok")));
        table.route("GET", "/ready", false, RouteTable.Mode.BLOCKING, this::ready);
        table.route(
                "GET",
                "/metrics",
                false,
                RouteTable.Mode.BLOCKING,
                ctx -> new Reply(200, new Reply.Text(metrics.scrape()), false));
        // some 250 KB to write: on a worker, not on the connection's I/O thread
        table.route("GET", "/openapi.json", false, RouteTable.Mode.BLOCKING, ctx -> Reply.ok(openApi));
    }

    private Reply ready(ApiRequest ctx) {
        if (!engine.storeReachable()) {
            return new Reply(503, Map.of("status", "store unreachable"), false);
        }
        if (!engine.writable()) {
            return new Reply(
                    503, Map.of("status", "store back; writes resume once the last failed commit is resolved"), false);
        }
        return new Reply(200, Map.of("status", "ready"), false);
    }
}
