package dev.tollgate.server.api;

import static dev.tollgate.server.http.Requests.await;
import static dev.tollgate.server.http.Requests.body;
import static dev.tollgate.server.http.Requests.customerId;
import static dev.tollgate.server.http.Requests.exportFormat;
import static dev.tollgate.server.http.Requests.pathId;
import static dev.tollgate.server.http.Requests.queryInstant;
import static dev.tollgate.server.http.Requests.queryInt;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.ScopeView;
import dev.tollgate.core.api.SessionOutcome;
import dev.tollgate.core.api.SessionRequest;
import dev.tollgate.core.api.SessionView;
import dev.tollgate.core.api.UsageQuery;
import dev.tollgate.core.api.UsageReport;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.server.auth.Caller;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Body;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.RouteTable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Governance: a customer's {@code scopes} and their {@code budgets}, attributed {@code usage} (and its export), the
 * sessions it has running, and {@code /v1/sessions} (open, read, heartbeat, close).
 *
 * <p>Thread-safe: holds only the engine.
 */
final class GovernanceRoutes {
    private static final long MAX_TTL_SECONDS = RequestBodies.MAX_TTL_SECONDS;

    private final Engine engine;

    GovernanceRoutes(Engine engine) {
        this.engine = engine;
    }

    /** Adds this family's routes to {@code table}. */
    void register(RouteTable table) {
        table.route(
                "PUT", "/v1/customers/{customerId}/scopes/{scopeId}", true, RouteTable.Mode.BLOCKING, this::putScope);
        table.route("GET", "/v1/customers/{customerId}/scopes", true, RouteTable.Mode.BLOCKING, this::getScopes);
        table.route(
                "PUT",
                "/v1/customers/{customerId}/scopes/{scopeId}/budgets/{budgetKey}",
                true,
                RouteTable.Mode.BLOCKING,
                this::putBudget);
        table.route("GET", "/v1/customers/{customerId}/usage", true, RouteTable.Mode.BLOCKING, this::getUsage);
        table.route(
                "GET", "/v1/customers/{customerId}/usage/export", true, RouteTable.Mode.BLOCKING, this::exportUsage);
        table.route("GET", "/v1/customers/{customerId}/sessions", true, RouteTable.Mode.BLOCKING, this::openSessions);
        table.route("POST", "/v1/sessions", true, RouteTable.Mode.BLOCKING, this::openSession);
        table.route("GET", "/v1/sessions/{sessionId}", true, RouteTable.Mode.BLOCKING, this::getSession);
        table.route("POST", "/v1/sessions/{sessionId}/heartbeat", true, RouteTable.Mode.BLOCKING, this::heartbeat);
        table.route("POST", "/v1/sessions/{sessionId}/close", true, RouteTable.Mode.BLOCKING, this::closeSession);
    }

    private Reply putScope(ApiRequest ctx) {
        String id = customerId(ctx);
        String scopeId = pathId(ctx, "scopeId");
        Body b = body(ctx).allowOnly("kind", "parent", "name");
        String kind = b.optId("kind");
        ScopeView view = await(
                engine.setScope(id, scopeId, kind == null ? "scope" : kind, b.optId("parent"), b.optString("name")));
        return Reply.ok(GovernanceViews.scope(view));
    }

    private Reply getScopes(ApiRequest ctx) {
        String id = customerId(ctx);
        Map<String, Map<String, Object>> nodes = new LinkedHashMap<>();
        List<ScopeView> views = engine.scopes(id);
        for (ScopeView v : views) {
            Map<String, Object> node = GovernanceViews.scope(v);
            node.put("children", new ArrayList<Object>());
            nodes.put(v.scope().id(), node);
        }
        List<Object> roots = new ArrayList<>();
        for (ScopeView v : views) {
            String parent = v.scope().parent();
            if (parent == null || !nodes.containsKey(parent)) {
                roots.add(nodes.get(v.scope().id()));
            } else {
                @SuppressWarnings("unchecked")
                List<Object> children =
                        (List<Object>) Objects.requireNonNull(nodes.get(parent).get("children"));
                children.add(nodes.get(v.scope().id()));
            }
        }
        return Reply.ok(Map.of("customerId", id, "scopes", roots));
    }

    private Reply putBudget(ApiRequest ctx) {
        String id = customerId(ctx);
        String scopeId = pathId(ctx, "scopeId");
        String key = pathId(ctx, "budgetKey");
        Body b = body(ctx).allowOnly("currency", "feature", "limit", "period", "enforcement", "alerts", "dimensions");
        String currency = b.optId("currency");
        String feature = b.optId("feature");
        if ((currency == null) == (feature == null)) {
            throw ApiException.badRequest(
                    "INVALID_BUDGET", "a budget caps either a currency or a feature: give exactly one", "currency");
        }
        BigDecimal limit = b.optQuantity("limit", false);
        if (limit == null) {
            throw b.missing("limit");
        }
        String periodName = b.optString("period");
        ResetPeriod period = periodName == null
                ? ResetPeriod.MONTH
                : ResetPeriod.parse(periodName)
                        .orElseThrow(() -> ApiException.badRequest(
                                "INVALID_PERIOD", "period must be hour, day, week, month, year or never", "period"));
        String enforcement = b.optString("enforcement");
        if (enforcement != null && !enforcement.equals("hard") && !enforcement.equals("soft")) {
            throw ApiException.badRequest("INVALID_ENFORCEMENT", "enforcement must be 'hard' or 'soft'", "enforcement");
        }
        List<BigDecimal> alerts = new ArrayList<>();
        List<Object> rawAlerts = b.optList("alerts", 20);
        for (int i = 0; i < rawAlerts.size(); i++) {
            if (!(rawAlerts.get(i) instanceof BigDecimal a) || a.signum() <= 0 || a.compareTo(BigDecimal.TEN) > 0) {
                throw ApiException.badRequest(
                        "INVALID_ALERT", "alerts are fractions of the limit in (0, 10]", "alerts[" + i + "]");
            }
            alerts.add(Decimals.normalize(a));
        }
        Budget budget = new Budget(
                key, currency, feature, limit, period, !"soft".equals(enforcement), alerts, b.dimensions("dimensions"));
        if (ctx.caller() instanceof Caller.Portal portal && !portal.may(Caller.Portal.BUDGETS)) {
            PortalAccess.requireOnlyAlertsChanged(budget(id, scopeId, key), budget);
        }
        return Reply.ok(GovernanceViews.scope(await(engine.setBudget(id, scopeId, key, budget))));
    }

    /** The budget {@code key} of a scope as it is now, or {@code null}. */
    private @Nullable Budget budget(String customerId, String scopeId, String key) {
        for (ScopeView v : engine.scopes(customerId)) {
            if (v.scope().id().equals(scopeId)) {
                for (ScopeView.BudgetUsage u : v.budgets()) {
                    if (u.budget().key().equals(key)) {
                        return u.budget();
                    }
                }
            }
        }
        return null;
    }

    private Reply getUsage(ApiRequest ctx) {
        String id = customerId(ctx);
        Instant from = queryInstant(ctx, "from", Instant.EPOCH);
        Instant to = queryInstant(ctx, "to", Instant.parse("9999-12-31T23:59:59Z"));
        if (!from.isBefore(to)) {
            throw ApiException.badRequest("INVALID_QUERY", "from must be before to", "to");
        }
        String rawGroupBy = ctx.queryParam("groupBy");
        List<String> groupBy =
                rawGroupBy == null || rawGroupBy.isBlank() ? List.of() : List.of(rawGroupBy.split(",", -1));
        String feature = ctx.queryParam("feature");
        if (feature != null) {
            Body.checkId(feature, "feature");
        }
        String scope = ctx.queryParam("scope");
        if (scope != null) {
            Body.checkId(scope, "scope");
        }
        int depth = queryInt(ctx, "depth", 0, 1, 1000);
        List<Object> rows = new ArrayList<>();
        for (UsageReport.Group g : engine.usage(id, new UsageQuery(from, to, groupBy, feature, scope, depth))) {
            Map<String, Object> row = new LinkedHashMap<>(g.group());
            row.put("quantity", g.quantity());
            row.put("overage", g.overage());
            row.put("credits", new LinkedHashMap<String, Object>(g.credits()));
            row.put("events", g.events());
            rows.add(row);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customerId", id);
        body.put("from", from.toString());
        body.put("to", to.toString());
        body.put("groupBy", groupBy);
        if (scope != null) {
            body.put("scope", scope);
        }
        if (depth > 0) {
            body.put("depth", depth);
        }
        body.put("rows", rows);
        return Reply.ok(body);
    }

    private Reply exportUsage(ApiRequest ctx) {
        String id = customerId(ctx);
        String format = exportFormat(ctx);
        Instant from = queryInstant(ctx, "from", Instant.EPOCH);
        Instant to = queryInstant(ctx, "to", Instant.parse("9999-12-31T23:59:59Z"));
        if (!from.isBefore(to)) {
            throw ApiException.badRequest("INVALID_QUERY", "from must be before to", "to");
        }
        List<Map<String, Object>> periods = new ArrayList<>();
        engine.usagePeriods(id, from, to).forEach(p -> periods.add(GovernanceViews.usagePeriod(id, p)));
        if (format.equals("json")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("customerId", id);
            body.put("from", from.toString());
            body.put("to", to.toString());
            body.put("periods", periods);
            return Reply.ok(body);
        }
        return Reply.csv("usage-" + id + ".csv", GovernanceViews.USAGE_PERIOD_COLUMNS, periods);
    }

    private Reply openSession(ApiRequest ctx) {
        RequestBodies.SessionOpening opening = RequestBodies.session(ctx);
        String customerId = opening.customerId();
        SessionRequest request = opening.request();
        String currency = request.currency();
        Outcome<SessionOutcome> outcome = await(engine.openSession(customerId, request));
        SessionOutcome o = outcome.value();
        if (o.session() != null) {
            Map<String, Object> body = GovernanceViews.session(o.session());
            body.put("opened", true);
            return new Reply(outcome.replayed() ? 200 : 201, body, outcome.replayed());
        }
        Decision refusal = java.util.Objects.requireNonNull(o.refusal());
        Map<String, Object> body =
                currency != null ? GovernanceViews.currencyRefusal(refusal) : MeteringViews.decision(refusal);
        body.put("opened", false);
        return new Reply(200, body, false);
    }

    private Reply openSessions(ApiRequest ctx) {
        String id = customerId(ctx);
        List<Object> sessions = new ArrayList<>();
        engine.openSessions(id).forEach(v -> sessions.add(GovernanceViews.session(v)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customerId", id);
        body.put("sessions", sessions);
        return Reply.ok(body);
    }

    private Reply getSession(ApiRequest ctx) {
        return Reply.ok(GovernanceViews.session(engine.session(pathId(ctx, "sessionId"))));
    }

    private Reply heartbeat(ApiRequest ctx) {
        Body b = body(ctx).allowOnly("ttlSeconds");
        Integer ttl = b.optInt("ttlSeconds", 1, (int) MAX_TTL_SECONDS);
        if (ttl == null) {
            throw b.missing("ttlSeconds");
        }
        return Reply.ok(GovernanceViews.session(
                await(engine.heartbeat(pathId(ctx, "sessionId"), java.time.Duration.ofSeconds(ttl)))));
    }

    private Reply closeSession(ApiRequest ctx) {
        Outcome<SessionView> outcome =
                await(engine.closeSession(pathId(ctx, "sessionId"), RequestBodies.closeUsed(ctx)));
        return new Reply(200, GovernanceViews.session(outcome.value()), outcome.replayed());
    }
}
