package dev.tollgate.server.api;

import static dev.tollgate.server.http.Requests.actor;
import static dev.tollgate.server.http.Requests.await;
import static dev.tollgate.server.http.Requests.body;
import static dev.tollgate.server.http.Requests.queryInt;

import dev.tollgate.core.api.CatalogVersionInfo;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Body;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.RouteTable;
import dev.tollgate.server.http.Trees;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The catalog: {@code PUT /v1/catalog} (publish, JSON or YAML), {@code GET /v1/catalog}, {@code GET
 * /v1/catalog/versions}, {@code GET /v1/catalog/versions/{n}/diff} and {@code POST /v1/catalog/rollback}.
 *
 * <p>Thread-safe: holds only the engine.
 */
final class CatalogRoutes {
    private final Engine engine;

    CatalogRoutes(Engine engine) {
        this.engine = engine;
    }

    /** Adds this family's routes to {@code table}. */
    void register(RouteTable table) {
        table.route(
                "GET",
                "/v1/catalog",
                true,
                RouteTable.Mode.INLINE,
                ctx -> Reply.ok(CatalogViews.catalog(engine.catalog())));
        table.route("PUT", "/v1/catalog", true, RouteTable.Mode.BLOCKING, this::putCatalog);
        table.route("GET", "/v1/catalog/versions", true, RouteTable.Mode.BLOCKING, this::catalogVersions);
        table.route("POST", "/v1/catalog/rollback", true, RouteTable.Mode.BLOCKING, this::rollback);
        table.route("GET", "/v1/catalog/versions/{n}/diff", true, RouteTable.Mode.BLOCKING, this::catalogDiff);
    }

    private Reply putCatalog(ApiRequest ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        Object document = type.contains("yaml") ? Trees.yaml(ctx.bodyAsBytes()) : catalogJson(ctx.bodyAsBytes());
        Catalog published = await(engine.publishCatalog(document, actor(ctx)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", published.version());
        body.put("summary", published.summary());
        body.put("planVersions", CatalogViews.planVersions(published));
        return Reply.ok(body);
    }

    /** A JSON catalog; a body that is not JSON at all is most likely YAML sent without its content type: say so. */
    private static @Nullable Object catalogJson(byte[] body) {
        try {
            return Trees.json(body);
        } catch (ApiException e) {
            if (startsLikeJson(body)) {
                throw e;
            }
            throw ApiException.badRequest(
                    "MALFORMED_JSON",
                    "the body is not JSON; a YAML catalog is sent with Content-Type: application/yaml",
                    null);
        }
    }

    private static boolean startsLikeJson(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return b == '{' || b == '[';
            }
        }
        return false;
    }

    private Reply catalogVersions(ApiRequest ctx) {
        int limit = queryInt(ctx, "limit", 50, 1, 500);
        int before = queryInt(ctx, "cursor", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
        List<CatalogVersionInfo> all = new ArrayList<>(engine.catalogVersions());
        java.util.Collections.reverse(all);
        List<Object> page = new ArrayList<>();
        Integer next = null;
        for (CatalogVersionInfo v : all) {
            if (v.version() >= before) {
                continue;
            }
            if (page.size() == limit) {
                next = v.version() + 1;
                break;
            }
            page.add(CatalogViews.catalogVersion(v));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("versions", page);
        body.put("nextCursor", next == null ? null : next.toString());
        return Reply.ok(body);
    }

    private Reply catalogDiff(ApiRequest ctx) {
        String raw = ctx.pathParam("n");
        int version;
        try {
            version = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new ApiException(404, "CATALOG_VERSION_NOT_FOUND", "no catalog version '" + raw + "'", "n");
        }
        return Reply.ok(CatalogViews.catalogDiff(engine.catalogDiff(version)));
    }

    private Reply rollback(ApiRequest ctx) {
        Body b = body(ctx).allowOnly("version");
        Integer version = b.optInt("version", 1, Integer.MAX_VALUE);
        if (version == null) {
            throw b.missing("version");
        }
        Catalog published = await(engine.rollbackCatalog(version, actor(ctx)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", published.version());
        body.put("restored", version);
        body.put("summary", published.summary());
        return Reply.ok(body);
    }
}
