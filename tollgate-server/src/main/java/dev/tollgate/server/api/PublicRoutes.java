package dev.tollgate.server.api;

import static dev.tollgate.server.http.Requests.customerId;

import dev.tollgate.core.engine.Engine;
import dev.tollgate.server.auth.Restrictions;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.RouteTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/public/customers/{customerId}/entitlements}: what a product's frontend reads with a publishable key
 * and the customer's token ({@code auth/Restrictions} checks both before this runs): the customer's entitlements (with
 * their usage: {@code used}, {@code held}, {@code remaining}) and balances, in the very form of {@code GET
 * .../entitlements} and {@code GET .../balance}, in one answer, read-only.
 *
 * <p>Thread-safe: holds only the engine.
 */
final class PublicRoutes {
    private final Engine engine;

    PublicRoutes(Engine engine) {
        this.engine = engine;
    }

    /** Adds this family's routes to {@code table}. */
    void register(RouteTable table) {
        table.route("GET", Restrictions.PUBLIC_ENTITLEMENTS, true, RouteTable.Mode.BLOCKING, this::entitlements);
    }

    private Reply entitlements(ApiRequest ctx) {
        String id = customerId(ctx);
        List<Object> entitlements = new ArrayList<>();
        engine.entitlements(id).forEach(v -> entitlements.add(CustomerViews.effective(v)));
        List<Object> balances = new ArrayList<>();
        engine.balances(id).forEach(v -> balances.add(CreditViews.balance(v)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customerId", id);
        body.put("entitlements", entitlements);
        body.put("balances", balances);
        return Reply.ok(body);
    }
}
