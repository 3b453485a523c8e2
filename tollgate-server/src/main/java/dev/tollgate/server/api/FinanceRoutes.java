package dev.tollgate.server.api;

import static dev.tollgate.server.http.Requests.body;
import static dev.tollgate.server.http.Requests.queryInstant;

import dev.tollgate.core.api.MarginQuery;
import dev.tollgate.core.api.WhatIfRequest;
import dev.tollgate.core.catalog.CatalogError;
import dev.tollgate.core.catalog.CatalogException;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Body;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.RouteTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Finance: {@code GET /v1/reports/margin} (revenue against cost over a range, grouped) and {@code POST /v1/what-if}
 * (the recorded requests of a range replayed against a draft catalog, changing nothing). Both read the store's
 * durable records, on a worker thread.
 *
 * <p>Thread-safe: holds only the engine.
 */
final class FinanceRoutes {
    /** The most customers a what-if may name. */
    static final int MAX_CUSTOMERS = 1000;

    /** The most refused requests a what-if may list. */
    static final int MAX_SAMPLE = 1000;

    private final Engine engine;

    FinanceRoutes(Engine engine) {
        this.engine = engine;
    }

    /** Adds this family's routes to {@code table}. */
    void register(RouteTable table) {
        table.route("GET", "/v1/reports/margin", true, RouteTable.Mode.BLOCKING, this::margin);
        table.route("POST", "/v1/what-if", true, RouteTable.Mode.BLOCKING, this::whatIf);
    }

    private Reply margin(ApiRequest ctx) {
        Instant from = queryInstant(ctx, "from", Instant.EPOCH);
        Instant to = queryInstant(ctx, "to", Instant.parse("9999-12-31T23:59:59Z"));
        String rawGroupBy = ctx.queryParam("groupBy");
        List<String> groupBy =
                rawGroupBy == null || rawGroupBy.isBlank() ? List.of() : List.of(rawGroupBy.split(",", -1));
        return Reply.ok(FinanceViews.margin(engine.margin(new MarginQuery(from, to, groupBy))));
    }

    private Reply whatIf(ApiRequest ctx) {
        Body b = body(ctx).allowOnly("catalog", "from", "to", "customers", "plans", "sample");
        Object draft = b.raw("catalog");
        if (draft == null) {
            throw b.missing("catalog");
        }
        Body.object(draft, "catalog");
        Instant from = b.optInstant("from");
        Instant to = b.optInstant("to");
        if (from == null) {
            throw b.missing("from");
        }
        if (to == null) {
            throw b.missing("to");
        }
        List<String> customers = null;
        if (b.has("customers")) {
            customers = new ArrayList<>();
            List<Object> raw = b.optList("customers", MAX_CUSTOMERS);
            for (int i = 0; i < raw.size(); i++) {
                if (!(raw.get(i) instanceof String id)) {
                    throw ApiException.badRequest(
                            "INVALID_TYPE", "customers[" + i + "] must be a string", "customers[" + i + "]");
                }
                Body.checkId(id, "customers[" + i + "]");
                customers.add(id);
            }
        }
        Integer sample = b.optInt("sample", 0, MAX_SAMPLE);
        WhatIfRequest request = new WhatIfRequest(draft, from, to, customers, plans(b), sample == null ? 20 : sample);
        try {
            return Reply.ok(FinanceViews.whatIf(engine.whatIf(request)));
        } catch (CatalogException e) {
            // the draft's errors, located in the request body
            List<CatalogError> located = new ArrayList<>();
            e.errors()
                    .forEach(err -> located.add(new CatalogError(
                            err.path().isEmpty() ? "catalog" : "catalog." + err.path(), err.message())));
            throw new CatalogException(located);
        }
    }

    /** {@code plans}: a recorded plan key to a draft plan key, or to {@code null} for none. */
    private static Map<String, @Nullable String> plans(Body b) {
        Map<String, @Nullable String> plans = new LinkedHashMap<>();
        Object raw = b.raw("plans");
        if (raw == null) {
            return plans;
        }
        Body mapping = Body.object(raw, "plans");
        if (!(raw instanceof Map<?, ?> entries)) {
            return plans;
        }
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            String key = String.valueOf(e.getKey());
            Body.checkId(key, mapping.at(key));
            plans.put(key, mapping.optId(key));
        }
        return plans;
    }
}
