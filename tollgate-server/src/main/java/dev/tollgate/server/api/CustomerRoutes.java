package dev.tollgate.server.api;

import static dev.tollgate.server.http.Requests.await;
import static dev.tollgate.server.http.Requests.body;
import static dev.tollgate.server.http.Requests.cursorAfter;
import static dev.tollgate.server.http.Requests.customerId;
import static dev.tollgate.server.http.Requests.pageAfter;
import static dev.tollgate.server.http.Requests.pageLimit;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.CustomerView;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.PromotionRequest;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Body;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.RouteTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Customers and what they are entitled to: {@code /v1/customers} (list, upsert, read), a customer's
 * {@code subscription} (subscribe, cancel), {@code promotions} and {@code entitlements}.
 *
 * <p>Thread-safe: holds only the engine.
 */
final class CustomerRoutes {
    private static final int MAX_ADDONS = 100;

    private final Engine engine;

    CustomerRoutes(Engine engine) {
        this.engine = engine;
    }

    /** Adds this family's routes to {@code table}. */
    void register(RouteTable table) {
        table.route("GET", "/v1/customers", true, RouteTable.Mode.BLOCKING, this::listCustomers);
        table.route("PUT", "/v1/customers/{customerId}", true, RouteTable.Mode.BLOCKING, this::putCustomer);
        table.route("GET", "/v1/customers/{customerId}", true, RouteTable.Mode.BLOCKING, this::getCustomer);
        table.route(
                "PUT",
                "/v1/customers/{customerId}/subscription",
                true,
                RouteTable.Mode.BLOCKING,
                this::putSubscription);
        table.route(
                "DELETE",
                "/v1/customers/{customerId}/subscription",
                true,
                RouteTable.Mode.BLOCKING,
                this::deleteSubscription);
        table.route(
                "POST", "/v1/customers/{customerId}/promotions", true, RouteTable.Mode.BLOCKING, this::postPromotion);
        table.route(
                "GET",
                "/v1/customers/{customerId}/entitlements",
                true,
                RouteTable.Mode.BLOCKING,
                this::getEntitlements);
    }

    private Reply putCustomer(ApiRequest ctx) {
        String id = customerId(ctx);
        Body b = body(ctx).allowOnly("name", "metadata", "timeZone", "idempotencyKey");
        CustomerUpdate update =
                new CustomerUpdate(b.optString("name"), b.freeObject("metadata"), b.optString("timeZone"));
        CustomerView view = await(engine.upsertCustomer(id, update, b.idempotencyKey(ctx.header("Idempotency-Key"))));
        return Reply.ok(CustomerViews.customer(view));
    }

    private Reply listCustomers(ApiRequest ctx) {
        String plan = ctx.queryParam("plan");
        if (plan != null) {
            Body.checkId(plan, "plan");
        }
        int limit = pageLimit(ctx);
        List<CustomerView> page = engine.customers(plan, pageAfter(ctx), limit + 1);
        List<Object> customers = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, page.size()); i++) {
            customers.add(CustomerViews.customer(page.get(i)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customers", customers);
        body.put(
                "nextCursor",
                page.size() > limit ? cursorAfter(page.get(limit - 1).id()) : null);
        return Reply.ok(body);
    }

    private Reply getCustomer(ApiRequest ctx) {
        String id = customerId(ctx);
        CustomerView view = engine.customer(id)
                .orElseThrow(() ->
                        TollgateException.notFound("CUSTOMER_NOT_FOUND", "no customer '" + id + "'", "customerId"));
        return Reply.ok(CustomerViews.customer(view));
    }

    private Reply putSubscription(ApiRequest ctx) {
        String id = customerId(ctx);
        Body b = body(ctx).allowOnly("plan", "planVersion", "addons", "trial", "startAt", "idempotencyKey");
        String plan = b.requireId("plan");
        SubscriptionRequest.VersionChoice planVersion = b.optVersion("planVersion");
        List<SubscriptionRequest.AddonQuantity> addons = new ArrayList<>();
        List<Object> rawAddons = b.optList("addons", MAX_ADDONS);
        for (int i = 0; i < rawAddons.size(); i++) {
            Body a = Body.object(rawAddons.get(i), b.at("addons[" + i + "]")).allowOnly("key", "quantity", "version");
            Integer quantity = a.optInt("quantity", 1, 1_000_000);
            addons.add(new SubscriptionRequest.AddonQuantity(
                    a.requireId("key"), quantity == null ? 1 : quantity, a.optVersion("version")));
        }
        SubscriptionRequest.TrialRequest trial = null;
        Object rawTrial = b.raw("trial");
        if (rawTrial instanceof Boolean t) {
            trial = t ? new SubscriptionRequest.TrialRequest(null, null) : null;
        } else if (rawTrial != null) {
            Body t = Body.object(rawTrial, "trial").allowOnly("plan", "days");
            trial = new SubscriptionRequest.TrialRequest(t.optId("plan"), t.optInt("days", 1, 3650));
        }
        SubscriptionRequest request = new SubscriptionRequest(
                plan,
                planVersion,
                addons,
                trial,
                b.optInstant("startAt"),
                b.idempotencyKey(ctx.header("Idempotency-Key")));
        Outcome<CustomerView> outcome = await(engine.subscribe(id, request));
        return new Reply(200, CustomerViews.customer(outcome.value()), outcome.replayed());
    }

    private Reply deleteSubscription(ApiRequest ctx) {
        String id = customerId(ctx);
        String at = ctx.queryParam("at");
        boolean atPeriodEnd;
        if (at == null || at.equals("now")) {
            atPeriodEnd = false;
        } else if (at.equals("period-end")) {
            atPeriodEnd = true;
        } else {
            throw ApiException.badRequest("INVALID_QUERY", "at must be 'now' or 'period-end'", "at");
        }
        return Reply.ok(CustomerViews.customer(await(engine.cancel(id, atPeriodEnd))));
    }

    private Reply postPromotion(ApiRequest ctx) {
        String id = customerId(ctx);
        Body b = body(ctx).allowOnly("feature", "entitlement", "startsAt", "expiresAt", "idempotencyKey");
        String feature = b.requireId("feature");
        if (!b.has("entitlement")) {
            throw b.missing("entitlement");
        }
        PromotionRequest request = new PromotionRequest(
                feature,
                b.raw("entitlement"),
                b.optInstant("startsAt"),
                b.optInstant("expiresAt"),
                b.idempotencyKey(ctx.header("Idempotency-Key")));
        var outcome = await(engine.promote(id, request));
        return new Reply(outcome.replayed() ? 200 : 201, CustomerViews.promotion(outcome.value()), outcome.replayed());
    }

    private Reply getEntitlements(ApiRequest ctx) {
        String id = customerId(ctx);
        List<Object> list = new ArrayList<>();
        engine.entitlements(id).forEach(v -> list.add(CustomerViews.effective(v)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customerId", id);
        body.put("entitlements", list);
        return Reply.ok(body);
    }
}
