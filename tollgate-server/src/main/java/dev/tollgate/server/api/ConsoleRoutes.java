package dev.tollgate.server.api;

import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.RouteTable;
import java.util.Map;

/**
 * The console in the browser, served from the jar: {@code GET /} (the operator console), {@code GET /portal} (the
 * portal a customer's admin opens with a portal link, {@code /portal#token=...}), their scripts and styles under
 * {@code /console/}, and uPlot's module and stylesheet from its WebJar under {@code /console/vendor/uplot-<version>/}.
 * None needs a key: the pages
 * hold no data; the data comes from {@code /v1}, with the key or token the page holds. {@code HEAD} answers the same
 * heads without the body (the HTTP codec drops a {@code HEAD} answer's body).
 *
 * <p>Plain ES modules, no build step: the files of {@code src/main/resources/console} are what the browser runs.
 * Pages and scripts are revalidated on every load ({@code no-cache} with an {@code ETag}, so a new server version is
 * seen at once and an unchanged file costs a {@code 304}); uPlot's files, whose path names their version, are
 * immutable. What a file name may be, and the security headers: {@link
 * StaticAssets}.
 *
 * <p>Thread-safe: holds only the thread-safe {@link StaticAssets}.
 */
final class ConsoleRoutes {
    /** The version of the {@code org.webjars.npm:uplot} WebJar on the class path (the server's pom names it). */
    static final String UPLOT_VERSION = "1.6.30";

    private static final String REVALIDATE = "no-cache";
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";

    private final StaticAssets assets;

    ConsoleRoutes(StaticAssets assets) {
        this.assets = assets;
    }

    /** Adds this family's routes to {@code table}, each for {@code GET} and {@code HEAD}. */
    void register(RouteTable table) {
        for (String method : new String[] {"GET", "HEAD"}) {
            register(table, method);
        }
    }

    private void register(RouteTable table, String method) {
        table.route(method, "/", false, RouteTable.Mode.BLOCKING, ctx -> page(ctx, "index.html"));
        table.route(method, "/portal", false, RouteTable.Mode.BLOCKING, ctx -> page(ctx, "portal.html"));
        table.route(
                method,
                "/console/{file}",
                false,
                RouteTable.Mode.BLOCKING,
                ctx -> assets.serve(ctx, "console", ctx.pathParam("file"), REVALIDATE, Map.of()));
        table.route(
                method,
                "/console/vendor/uplot-" + UPLOT_VERSION + "/{file}",
                false,
                RouteTable.Mode.BLOCKING,
                ctx -> assets.serve(
                        ctx,
                        "META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist",
                        ctx.pathParam("file"),
                        IMMUTABLE,
                        Map.of()));
    }

    private Reply page(ApiRequest ctx, String name) {
        return assets.serve(ctx, "console", name, REVALIDATE, Map.of());
    }
}
