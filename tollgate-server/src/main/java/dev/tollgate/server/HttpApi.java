package dev.tollgate.server;

import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogError;
import dev.tollgate.core.catalog.CatalogException;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.engine.CatalogVersionInfo;
import dev.tollgate.core.engine.CheckRequest;
import dev.tollgate.core.engine.ConsumeRequest;
import dev.tollgate.core.engine.CustomerUpdate;
import dev.tollgate.core.engine.CustomerView;
import dev.tollgate.core.engine.Decision;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.engine.EventResult;
import dev.tollgate.core.engine.GrantRequest;
import dev.tollgate.core.engine.GrantView;
import dev.tollgate.core.engine.LedgerLine;
import dev.tollgate.core.engine.Outcome;
import dev.tollgate.core.engine.PromotionRequest;
import dev.tollgate.core.engine.RefundView;
import dev.tollgate.core.engine.ScopeView;
import dev.tollgate.core.engine.SessionOutcome;
import dev.tollgate.core.engine.SessionRequest;
import dev.tollgate.core.engine.SessionView;
import dev.tollgate.core.engine.SubscriptionRequest;
import dev.tollgate.core.engine.UsageEvent;
import dev.tollgate.core.engine.UsageReport;
import dev.tollgate.core.json.Json;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.store.StoreException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of {@code API.md}: thin handlers that parse, call the {@link Engine}, and map the answer.
 *
 * <p>Errors: every refusal is a JSON body {@code {"error": {"code", "message", "field"}}} with a stable code. Bad
 * input is {@code 400}, unknown objects {@code 404}, conflicts {@code 409}, an unreachable store {@code 503}; an
 * unexpected failure is logged and answered {@code 500} without taking the server down.
 *
 * <p>Writes wait for durability: a handler answers only once the engine's future has completed, which happens after
 * the journal batch holding its records has committed.
 *
 * <p>Thread-safe: handlers share only thread-safe collaborators.
 */
final class HttpApi {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final long WRITE_TIMEOUT_SECONDS = 30;
    private static final int MAX_EVENTS = 10_000;
    private static final int MAX_ADDONS = 100;

    private final Engine engine;
    private final ApiKeys keys;
    private final Metrics metrics;

    HttpApi(Engine engine, ApiKeys keys, Metrics metrics) {
        this.engine = engine;
        this.keys = keys;
        this.metrics = metrics;
    }

    /** A handler's answer: status, JSON body, and whether it replays an idempotency key. */
    private record Reply(int status, Object body, boolean replay) {
        static Reply ok(Object body) {
            return new Reply(200, body, false);
        }
    }

    @FunctionalInterface
    private interface Action {
        Reply handle(Context ctx) throws Exception;
    }

    void register(JavalinConfig config) {
        route(config, "GET", "/health", false, ctx -> Reply.ok(Map.of("status", "ok")));
        route(config, "GET", "/ready", false, this::ready);
        config.routes.get(
                "/metrics",
                ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                        .result(metrics.scrape()));

        route(config, "PUT", "/v1/catalog", true, this::putCatalog);
        route(config, "GET", "/v1/catalog", true, ctx -> Reply.ok(Views.catalog(engine.catalog())));
        route(config, "GET", "/v1/catalog/versions", true, this::catalogVersions);
        route(config, "POST", "/v1/catalog/rollback", true, this::rollback);

        route(config, "PUT", "/v1/customers/{customerId}", true, this::putCustomer);
        route(config, "GET", "/v1/customers/{customerId}", true, this::getCustomer);
        route(config, "PUT", "/v1/customers/{customerId}/subscription", true, this::putSubscription);
        route(config, "DELETE", "/v1/customers/{customerId}/subscription", true, this::deleteSubscription);
        route(config, "POST", "/v1/customers/{customerId}/promotions", true, this::postPromotion);
        route(config, "GET", "/v1/customers/{customerId}/entitlements", true, this::getEntitlements);

        route(config, "POST", "/v1/check", true, this::check);
        route(config, "POST", "/v1/consume", true, this::consume);
        route(config, "POST", "/v1/events", true, this::events);

        route(config, "PUT", "/v1/customers/{customerId}/scopes/{scopeId}", true, this::putScope);
        route(config, "GET", "/v1/customers/{customerId}/scopes", true, this::getScopes);
        route(config, "PUT", "/v1/customers/{customerId}/scopes/{scopeId}/budgets/{budgetKey}", true, this::putBudget);
        route(config, "GET", "/v1/customers/{customerId}/usage", true, this::getUsage);
        route(config, "PUT", "/v1/webhooks/{webhookId}", true, this::putWebhook);
        route(config, "GET", "/v1/events/log", true, this::eventLog);
        route(config, "POST", "/v1/sessions", true, this::openSession);
        route(config, "GET", "/v1/sessions/{sessionId}", true, this::getSession);
        route(config, "POST", "/v1/sessions/{sessionId}/heartbeat", true, this::heartbeat);
        route(config, "POST", "/v1/sessions/{sessionId}/close", true, this::closeSession);
        route(config, "POST", "/v1/customers/{customerId}/grants", true, this::postGrant);
        route(config, "GET", "/v1/customers/{customerId}/grants", true, this::getGrants);
        route(config, "POST", "/v1/customers/{customerId}/grants/{grantId}/void", true, this::voidGrant);
        route(config, "GET", "/v1/customers/{customerId}/balance", true, this::getBalance);
        route(config, "GET", "/v1/customers/{customerId}/ledger", true, this::getLedger);
        route(config, "GET", "/v1/customers/{customerId}/ledger/export", true, this::exportLedger);
        route(config, "POST", "/v1/customers/{customerId}/refunds", true, this::postRefund);
        route(config, "PUT", "/v1/customers/{customerId}/auto-recharge", true, this::putAutoRecharge);

        config.routes.exception(HttpResponseException.class, (e, ctx) -> {
            int status = e.getStatus();
            String code = switch (status) {
                case 404 -> "ROUTE_NOT_FOUND";
                case 405 -> "METHOD_NOT_ALLOWED";
                case 413 -> "BODY_TOO_LARGE";
                default -> "HTTP_" + status;
            };
            json(ctx, status, Views.error(code, e.getMessage() == null ? "request refused" : e.getMessage(), null));
        });
    }

    private void route(JavalinConfig config, String method, String path, boolean auth, Action action) {
        io.javalin.http.Handler handler = ctx -> {
            long start = System.nanoTime();
            int status = 500;
            try {
                if (auth) {
                    authenticate(ctx);
                }
                Reply reply = action.handle(ctx);
                status = reply.status();
                if (reply.replay()) {
                    ctx.header("Idempotent-Replay", "true");
                }
                if (reply.body() instanceof Csv csv) {
                    ctx.status(status);
                    ctx.contentType("text/csv; charset=utf-8");
                    ctx.header("Content-Disposition", "attachment; filename=\"" + csv.fileName() + "\"");
                    ctx.result(csv.text().getBytes(StandardCharsets.UTF_8));
                } else {
                    json(ctx, status, reply.body());
                }
            } catch (ApiException e) {
                status = e.status;
                json(ctx, status, Views.error(e.code, e.getMessage(), e.field));
            } catch (TollgateException e) {
                status = statusOf(e.kind());
                json(ctx, status, Views.error(e.code(), e.getMessage(), e.field()));
            } catch (CatalogException e) {
                status = 400;
                json(ctx, status, catalogErrors(e));
            } catch (StoreException e) {
                status = 503;
                LOG.warn("event=store_unavailable route={} error=\"{}\"", path, e.getMessage());
                json(ctx, status, Views.error("STORE_UNAVAILABLE", "the store is unavailable; retry later", null));
            } catch (HttpResponseException e) {
                status = e.getStatus();
                String code = status == 413 ? "BODY_TOO_LARGE" : "HTTP_" + status;
                json(ctx, status, Views.error(code, e.getMessage() == null ? "request refused" : e.getMessage(), null));
            } catch (RuntimeException e) {
                status = 500;
                LOG.error("event=internal_error route={} {}", path, method, e);
                json(ctx, status, Views.error("INTERNAL", "internal error; the request may be retried", null));
            } finally {
                metrics.request(method, path, status, System.nanoTime() - start);
            }
        };
        switch (method) {
            case "GET" -> config.routes.get(path, handler);
            case "PUT" -> config.routes.put(path, handler);
            case "POST" -> config.routes.post(path, handler);
            case "DELETE" -> config.routes.delete(path, handler);
            default -> throw new IllegalArgumentException("unsupported method " + method);
        }
    }

    private static int statusOf(TollgateException.Kind kind) {
        return switch (kind) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case UNAVAILABLE -> 503;
        };
    }

    private void authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw new ApiException(401, "UNAUTHENTICATED", "missing 'Authorization: Bearer <key>' header", null);
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)
                || !keys.matches(header.substring(7).trim())) {
            throw new ApiException(401, "UNAUTHENTICATED", "invalid API key", null);
        }
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status);
        ctx.contentType("application/json");
        ctx.result(Json.write(body).getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, Object> catalogErrors(CatalogException e) {
        CatalogError first = e.errors().get(0);
        Map<String, Object> body = Views.error(
                "CATALOG_INVALID", e.errors().size() + " error(s) in the catalog; nothing was applied", first.path());
        List<Object> errors = new ArrayList<>();
        for (CatalogError err : e.errors()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("field", err.path());
            m.put("message", err.message());
            errors.add(m);
        }
        body.put("errors", errors);
        return body;
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the commit", e);
        } catch (TimeoutException e) {
            throw new StoreException("the commit did not finish within " + WRITE_TIMEOUT_SECONDS + " s", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new StoreException("commit failed", cause == null ? e : cause);
        }
    }

    private static Body body(Context ctx) {
        return Body.of(Trees.json(ctx.bodyAsBytes()));
    }

    private static String customerId(Context ctx) {
        String id = ctx.pathParam("customerId");
        Body.checkId(id, "customerId");
        return id;
    }

    private static String actor(Context ctx) {
        String actor = ctx.header("X-Tollgate-Actor");
        return actor == null || actor.isBlank() ? "api" : actor.substring(0, Math.min(actor.length(), 128));
    }

    // ---- operations ----

    private Reply ready(Context ctx) {
        if (!engine.storeReachable()) {
            return new Reply(503, Map.of("status", "store unreachable"), false);
        }
        if (!engine.writable()) {
            return new Reply(
                    503, Map.of("status", "store back; writes resume once the last failed commit is resolved"), false);
        }
        return new Reply(200, Map.of("status", "ready"), false);
    }

    // ---- catalog ----

    private Reply putCatalog(Context ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        Object document = type.contains("yaml") ? Trees.yaml(ctx.bodyAsBytes()) : Trees.json(ctx.bodyAsBytes());
        Catalog published = await(engine.publishCatalog(document, actor(ctx)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", published.version());
        body.put("summary", published.summary());
        Map<String, Object> plans = new LinkedHashMap<>();
        published.plans().values().stream()
                .sorted((a, b) -> a.key().compareTo(b.key()))
                .forEach(p -> plans.put(p.key(), p.version()));
        body.put("planVersions", plans);
        return Reply.ok(body);
    }

    private Reply catalogVersions(Context ctx) {
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
            page.add(Views.catalogVersion(v));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("versions", page);
        body.put("nextCursor", next == null ? null : next.toString());
        return Reply.ok(body);
    }

    private static int queryInt(Context ctx, String name, int fallback, int min, int max) {
        String raw = ctx.queryParam(name);
        if (raw == null) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(raw);
            if (v < min || v > max) {
                throw ApiException.badRequest("OUT_OF_RANGE", name + " must be between " + min + " and " + max, name);
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("INVALID_QUERY", name + " must be a whole number", name);
        }
    }

    private Reply rollback(Context ctx) {
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

    // ---- customers ----

    private Reply putCustomer(Context ctx) {
        String id = customerId(ctx);
        Body b = body(ctx).allowOnly("name", "metadata", "timeZone", "idempotencyKey");
        CustomerUpdate update =
                new CustomerUpdate(b.optString("name"), b.freeObject("metadata"), b.optString("timeZone"));
        CustomerView view = await(engine.upsertCustomer(id, update, b.idempotencyKey(ctx.header("Idempotency-Key"))));
        return Reply.ok(Views.customer(view));
    }

    private Reply getCustomer(Context ctx) {
        String id = customerId(ctx);
        CustomerView view = engine.customer(id)
                .orElseThrow(() ->
                        TollgateException.notFound("CUSTOMER_NOT_FOUND", "no customer '" + id + "'", "customerId"));
        return Reply.ok(Views.customer(view));
    }

    private Reply putSubscription(Context ctx) {
        String id = customerId(ctx);
        Body b = body(ctx).allowOnly("plan", "addons", "trial", "startAt", "idempotencyKey");
        String plan = b.requireId("plan");
        List<SubscriptionRequest.AddonQuantity> addons = new ArrayList<>();
        List<Object> rawAddons = b.optList("addons", MAX_ADDONS);
        for (int i = 0; i < rawAddons.size(); i++) {
            Body a = Body.object(rawAddons.get(i), b.at("addons[" + i + "]")).allowOnly("key", "quantity");
            Integer quantity = a.optInt("quantity", 1, 1_000_000);
            addons.add(new SubscriptionRequest.AddonQuantity(a.requireId("key"), quantity == null ? 1 : quantity));
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
                plan, addons, trial, b.optInstant("startAt"), b.idempotencyKey(ctx.header("Idempotency-Key")));
        Outcome<CustomerView> outcome = await(engine.subscribe(id, request));
        return new Reply(200, Views.customer(outcome.value()), outcome.replayed());
    }

    private Reply deleteSubscription(Context ctx) {
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
        return Reply.ok(Views.customer(await(engine.cancel(id, atPeriodEnd))));
    }

    private Reply postPromotion(Context ctx) {
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
        return new Reply(outcome.replayed() ? 200 : 201, Views.promotion(outcome.value()), outcome.replayed());
    }

    private Reply getEntitlements(Context ctx) {
        String id = customerId(ctx);
        List<Object> list = new ArrayList<>();
        engine.entitlements(id).forEach(v -> list.add(Views.effective(v)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customerId", id);
        body.put("entitlements", list);
        return Reply.ok(body);
    }

    // ---- governance ----

    private static String pathId(Context ctx, String name) {
        String id = ctx.pathParam(name);
        Body.checkId(id, name);
        return id;
    }

    private Reply putScope(Context ctx) {
        String id = customerId(ctx);
        String scopeId = pathId(ctx, "scopeId");
        Body b = body(ctx).allowOnly("kind", "parent", "name");
        String kind = b.optId("kind");
        ScopeView view = await(
                engine.setScope(id, scopeId, kind == null ? "scope" : kind, b.optId("parent"), b.optString("name")));
        return Reply.ok(Views.scope(view));
    }

    private Reply getScopes(Context ctx) {
        String id = customerId(ctx);
        Map<String, Map<String, Object>> nodes = new LinkedHashMap<>();
        List<ScopeView> views = engine.scopes(id);
        for (ScopeView v : views) {
            Map<String, Object> node = Views.scope(v);
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
                List<Object> children = (List<Object>) nodes.get(parent).get("children");
                children.add(nodes.get(v.scope().id()));
            }
        }
        return Reply.ok(Map.of("customerId", id, "scopes", roots));
    }

    private Reply putBudget(Context ctx) {
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
            alerts.add(a);
        }
        Budget budget = new Budget(
                key, currency, feature, limit, period, !"soft".equals(enforcement), alerts, b.dimensions("dimensions"));
        return Reply.ok(Views.scope(await(engine.setBudget(id, scopeId, key, budget))));
    }

    // ---- alerts and webhooks ----

    private Reply putWebhook(Context ctx) {
        String id = pathId(ctx, "webhookId");
        Body b = body(ctx).allowOnly("url", "events", "secret");
        String url = b.requireString("url");
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null
                || uri.getHost() == null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw ApiException.badRequest("INVALID_URL", "url must be an absolute http(s) URL", "url");
        }
        List<String> events = new ArrayList<>();
        List<Object> raw = b.optList("events", 50);
        for (int i = 0; i < raw.size(); i++) {
            if (!(raw.get(i) instanceof String e) || !ALERT_TYPES.contains(e)) {
                throw ApiException.badRequest("INVALID_EVENT_TYPE", "events are " + ALERT_TYPES, "events[" + i + "]");
            }
            events.add(e);
        }
        String secret = b.requireString("secret");
        if (secret.length() < 16) {
            throw ApiException.badRequest("INVALID_SECRET", "secret must be at least 16 characters", "secret");
        }
        Webhook webhook =
                await(engine.setWebhook(new Webhook(id, url, events.isEmpty() ? List.of("*") : events, secret)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", webhook.id());
        body.put("url", webhook.url());
        body.put("events", webhook.events());
        return Reply.ok(body);
    }

    private static final List<String> ALERT_TYPES = List.of(
            "*",
            "limit.threshold",
            "budget.threshold",
            "balance.low",
            "balance.depleted",
            "credits.recharged",
            "credits.expired");

    private Reply eventLog(Context ctx) {
        String customer = ctx.queryParam("customerId");
        if (customer != null) {
            Body.checkId(customer, "customerId");
        }
        int limit = 100;
        String rawLimit = ctx.queryParam("limit");
        if (rawLimit != null) {
            try {
                limit = Integer.parseInt(rawLimit);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LEDGER_PAGE) {
                throw ApiException.badRequest(
                        "INVALID_QUERY", "limit must be a whole number in 1.." + MAX_LEDGER_PAGE, "limit");
            }
        }
        List<Object> events = new ArrayList<>();
        for (Alert a : engine.eventLog(customer, limit)) {
            events.add(WebhookDeliverer.payload(a));
        }
        return Reply.ok(Map.of("events", events));
    }

    // ---- attribution ----

    private Reply getUsage(Context ctx) {
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
        List<Object> rows = new ArrayList<>();
        for (UsageReport.Group g : engine.usage(id, from, to, groupBy, feature)) {
            Map<String, Object> row = new LinkedHashMap<>(g.group());
            row.put("quantity", g.quantity());
            row.put("credits", new LinkedHashMap<String, Object>(g.credits()));
            row.put("events", g.events());
            rows.add(row);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customerId", id);
        body.put("from", from.toString());
        body.put("to", to.toString());
        body.put("groupBy", groupBy);
        body.put("rows", rows);
        return Reply.ok(body);
    }

    private static Instant queryInstant(Context ctx, String name, Instant fallback) {
        String raw = ctx.queryParam(name);
        if (raw == null) {
            return fallback;
        }
        try {
            return Instant.parse(raw);
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.badRequest(
                    "INVALID_QUERY", name + " must be an ISO-8601 instant like 2026-03-08T00:00:00Z", name);
        }
    }

    // ---- sessions ----

    private static final long MAX_TTL_SECONDS = 7 * 24 * 3600;

    private Reply openSession(Context ctx) {
        Body b = body(ctx)
                .allowOnly(
                        "customerId",
                        "scope",
                        "currency",
                        "feature",
                        "amount",
                        "ttlSeconds",
                        "maxLifetimeSeconds",
                        "idempotencyKey");
        String customerId = b.requireId("customerId");
        String currency = b.optId("currency");
        String feature = b.optId("feature");
        if ((currency == null) == (feature == null)) {
            throw ApiException.badRequest(
                    "INVALID_SESSION", "a session holds either a currency or a feature: give exactly one", "currency");
        }
        Integer ttl = b.optInt("ttlSeconds", 1, (int) MAX_TTL_SECONDS);
        if (ttl == null) {
            throw b.missing("ttlSeconds");
        }
        Integer max = b.optInt("maxLifetimeSeconds", 1, (int) MAX_TTL_SECONDS);
        SessionRequest request = new SessionRequest(
                b.optId("scope"),
                currency,
                feature,
                b.requireQuantity("amount"),
                java.time.Duration.ofSeconds(ttl),
                max == null ? null : java.time.Duration.ofSeconds(max),
                b.requireIdempotencyKey(ctx.header("Idempotency-Key")));
        Outcome<SessionOutcome> outcome = await(engine.openSession(customerId, request));
        SessionOutcome o = outcome.value();
        if (o.session() != null) {
            Map<String, Object> body = Views.session(o.session());
            body.put("opened", true);
            return new Reply(outcome.replayed() ? 200 : 201, body, outcome.replayed());
        }
        Map<String, Object> body = Views.decision(java.util.Objects.requireNonNull(o.refusal()));
        body.put("opened", false);
        return new Reply(200, body, false);
    }

    private Reply getSession(Context ctx) {
        return Reply.ok(Views.session(engine.session(pathId(ctx, "sessionId"))));
    }

    private Reply heartbeat(Context ctx) {
        Body b = body(ctx).allowOnly("ttlSeconds");
        Integer ttl = b.optInt("ttlSeconds", 1, (int) MAX_TTL_SECONDS);
        if (ttl == null) {
            throw b.missing("ttlSeconds");
        }
        return Reply.ok(
                Views.session(await(engine.heartbeat(pathId(ctx, "sessionId"), java.time.Duration.ofSeconds(ttl)))));
    }

    private Reply closeSession(Context ctx) {
        Body b = body(ctx).allowOnly("used");
        Outcome<SessionView> outcome =
                await(engine.closeSession(pathId(ctx, "sessionId"), b.optQuantity("used", false)));
        return new Reply(200, Views.session(outcome.value()), outcome.replayed());
    }

    // ---- credits ----

    /** A CSV answer instead of JSON. */
    private record Csv(String fileName, String text) {}

    private static final int MAX_LEDGER_PAGE = 1000;

    private Reply postGrant(Context ctx) {
        String id = customerId(ctx);
        Body b = body(ctx)
                .allowOnly(
                        "currency",
                        "amount",
                        "category",
                        "costBasis",
                        "priority",
                        "effectiveAt",
                        "expiresAt",
                        "idempotencyKey");
        String category = b.requireString("category");
        if (!category.equals("paid") && !category.equals("promotional")) {
            throw ApiException.badRequest("INVALID_CATEGORY", "category must be 'paid' or 'promotional'", "category");
        }
        BigDecimal costBasis = b.optQuantity("costBasis", false);
        Integer priority = b.optInt("priority", -1_000_000, 1_000_000);
        GrantRequest request = new GrantRequest(
                b.requireId("currency"),
                b.requireQuantity("amount"),
                category.equals("promotional"),
                costBasis == null ? BigDecimal.ZERO : costBasis,
                priority == null ? 0 : priority,
                b.optInstant("effectiveAt"),
                b.optInstant("expiresAt"),
                b.requireIdempotencyKey(ctx.header("Idempotency-Key")));
        Outcome<GrantView> outcome = await(engine.grant(id, request));
        return new Reply(outcome.replayed() ? 200 : 201, Views.grant(outcome.value()), outcome.replayed());
    }

    private Reply getGrants(Context ctx) {
        String id = customerId(ctx);
        String currency = ctx.queryParam("currency");
        if (currency != null) {
            Body.checkId(currency, "currency");
        }
        String active = ctx.queryParam("active");
        if (active != null && !active.equals("true") && !active.equals("false")) {
            throw ApiException.badRequest("INVALID_QUERY", "active must be 'true' or 'false'", "active");
        }
        List<Object> list = new ArrayList<>();
        engine.grants(id, currency, "true".equals(active)).forEach(g -> list.add(Views.grant(g)));
        return Reply.ok(Map.of("customerId", id, "grants", list));
    }

    private Reply voidGrant(Context ctx) {
        String id = customerId(ctx);
        String grantId = ctx.pathParam("grantId");
        Body.checkId(grantId, "grantId");
        Outcome<GrantView> outcome = await(engine.voidGrant(id, grantId));
        return new Reply(200, Views.grant(outcome.value()), outcome.replayed());
    }

    private Reply getBalance(Context ctx) {
        String id = customerId(ctx);
        List<Object> list = new ArrayList<>();
        engine.balances(id).forEach(v -> list.add(Views.balance(v)));
        return Reply.ok(Map.of("customerId", id, "balances", list));
    }

    private Reply getLedger(Context ctx) {
        String id = customerId(ctx);
        String currency = ctx.queryParam("currency");
        if (currency != null) {
            Body.checkId(currency, "currency");
        }
        int limit = 100;
        String rawLimit = ctx.queryParam("limit");
        if (rawLimit != null) {
            try {
                limit = Integer.parseInt(rawLimit);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LEDGER_PAGE) {
                throw ApiException.badRequest(
                        "INVALID_QUERY", "limit must be a whole number in 1.." + MAX_LEDGER_PAGE, "limit");
            }
        }
        long after = 0;
        String cursor = ctx.queryParam("cursor");
        if (cursor != null) {
            try {
                after = Long.parseLong(
                        new String(java.util.Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8)
                                .substring("after:".length()));
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw ApiException.badRequest("INVALID_CURSOR", "cursor is not one this server gave", "cursor");
            }
        }
        List<LedgerLine> lines = engine.ledger(id, currency, after, limit + 1);
        List<Object> entries = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, lines.size()); i++) {
            entries.add(Views.ledgerLine(lines.get(i)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customerId", id);
        body.put("entries", entries);
        if (lines.size() > limit) {
            long last = lines.get(limit - 1).seq();
            body.put(
                    "nextCursor",
                    java.util.Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(("after:" + last).getBytes(StandardCharsets.UTF_8)));
        }
        return Reply.ok(body);
    }

    private Reply exportLedger(Context ctx) {
        String id = customerId(ctx);
        String format = ctx.queryParam("format") == null ? "csv" : ctx.queryParam("format");
        if (!format.equals("csv") && !format.equals("json")) {
            throw ApiException.badRequest("INVALID_QUERY", "format must be 'csv' or 'json'", "format");
        }
        List<LedgerLine> lines = engine.ledger(id, null, 0, Integer.MAX_VALUE);
        if (format.equals("json")) {
            List<Object> entries = new ArrayList<>();
            lines.forEach(l -> entries.add(Views.ledgerLine(l)));
            return Reply.ok(Map.of("customerId", id, "entries", entries));
        }
        StringBuilder csv = new StringBuilder(String.join(",", Views.LEDGER_COLUMNS)).append("\r\n");
        for (LedgerLine l : lines) {
            Map<String, Object> row = Views.ledgerLine(l);
            List<String> cells = new ArrayList<>();
            for (String column : Views.LEDGER_COLUMNS) {
                Object v = row.get(column);
                String text = v == null
                        ? ""
                        : v instanceof Map<?, ?>
                                ? Json.write(v)
                                : v instanceof BigDecimal d ? d.toPlainString() : v.toString();
                cells.add(text.matches(".*[,\"\r\n].*") ? '"' + text.replace("\"", "\"\"") + '"' : text);
            }
            csv.append(String.join(",", cells)).append("\r\n");
        }
        return Reply.ok(new Csv("ledger-" + id + ".csv", csv.toString()));
    }

    private Reply postRefund(Context ctx) {
        String id = customerId(ctx);
        Body b = body(ctx).allowOnly("idempotencyKey");
        Outcome<RefundView> outcome = await(engine.refund(id, b.requireIdempotencyKey(null)));
        return new Reply(outcome.replayed() ? 200 : 201, Views.refund(outcome.value()), outcome.replayed());
    }

    private Reply putAutoRecharge(Context ctx) {
        String id = customerId(ctx);
        Body b = body(ctx)
                .allowOnly(
                        "currency",
                        "enabled",
                        "threshold",
                        "target",
                        "amount",
                        "costBasis",
                        "maxPerPeriod",
                        "maxMoneyPerPeriod");
        String currency = b.requireId("currency");
        Boolean enabled = b.optBoolean("enabled");
        AutoRecharge config = null;
        if (enabled == null || enabled) {
            BigDecimal threshold = b.optQuantity("threshold", false);
            if (threshold == null) {
                throw b.missing("threshold");
            }
            BigDecimal target = b.optQuantity("target", false);
            if (target != null && target.compareTo(threshold) < 0) {
                throw ApiException.badRequest("INVALID_AUTO_RECHARGE", "target must be >= threshold", "target");
            }
            BigDecimal costBasis = b.optQuantity("costBasis", false);
            config = new AutoRecharge(
                    currency,
                    threshold,
                    target,
                    b.requireQuantity("amount"),
                    costBasis == null ? BigDecimal.ZERO : costBasis,
                    b.optInt("maxPerPeriod", 1, 1_000_000),
                    b.optQuantity("maxMoneyPerPeriod", false));
        }
        return Reply.ok(Views.balance(await(engine.setAutoRecharge(id, currency, config))));
    }

    // ---- the request path ----

    private Reply check(Context ctx) {
        Body b = body(ctx).allowOnly("customerId", "feature", "quantity", "scope", "sessionId", "dimensions");
        CheckRequest request = new CheckRequest(
                b.requireId("customerId"),
                b.requireId("feature"),
                b.optQuantity("quantity", false),
                b.optId("scope"),
                b.dimensions("dimensions"),
                b.optId("sessionId"));
        Decision d = engine.check(request);
        metrics.decision("check", d);
        return decisionReply(d, false, false);
    }

    private Reply consume(Context ctx) {
        Body b = body(ctx)
                .allowOnly("customerId", "feature", "quantity", "scope", "sessionId", "dimensions", "idempotencyKey");
        BigDecimal quantity = b.optQuantity("quantity", true);
        ConsumeRequest request = new ConsumeRequest(
                b.requireId("customerId"),
                b.requireId("feature"),
                quantity == null ? BigDecimal.ONE : quantity,
                b.requireIdempotencyKey(ctx.header("Idempotency-Key")),
                b.optId("scope"),
                b.dimensions("dimensions"),
                b.optId("sessionId"));
        Outcome<Decision> outcome = await(engine.consume(request));
        if (!outcome.replayed()) {
            metrics.decision("consume", outcome.value());
        }
        return decisionReply(outcome.value(), true, outcome.replayed());
    }

    private static Reply decisionReply(Decision d, boolean write, boolean replay) {
        Map<String, Object> body = Views.decision(d);
        if (write) {
            body.put("recorded", d.recorded());
        }
        if (d.reason() == Reason.CUSTOMER_NOT_FOUND
                || d.reason() == Reason.FEATURE_NOT_FOUND
                || d.reason() == Reason.SCOPE_NOT_FOUND) {
            String field = d.reason() == Reason.CUSTOMER_NOT_FOUND
                    ? "customerId"
                    : d.reason() == Reason.FEATURE_NOT_FOUND ? "feature" : "scope";
            body.putAll(Views.error(d.reason().name(), "no such " + field.replace("Id", ""), field));
            return new Reply(404, body, replay);
        }
        return new Reply(200, body, replay);
    }

    private Reply events(Context ctx) {
        Body b = body(ctx).allowOnly("events");
        if (!b.has("events")) {
            throw b.missing("events");
        }
        List<Object> raw = b.optList("events", MAX_EVENTS);
        Map<String, Object>[] results = newResults(raw.size());
        List<UsageEvent> valid = new ArrayList<>();
        List<Integer> validIndex = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String path = "events[" + i + "]";
            try {
                Body e = Body.object(raw.get(i), path)
                        .allowOnly(
                                "idempotencyKey",
                                "customerId",
                                "feature",
                                "quantity",
                                "scope",
                                "sessionId",
                                "dimensions",
                                "timestamp");
                valid.add(new UsageEvent(
                        e.requireIdempotencyKey(null),
                        e.requireId("customerId"),
                        e.requireId("feature"),
                        e.requireQuantity("quantity"),
                        e.optId("scope"),
                        e.dimensions("dimensions"),
                        e.optInstant("timestamp"),
                        e.optId("sessionId")));
                validIndex.add(i);
            } catch (ApiException ex) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("index", i);
                r.put("status", "rejected");
                r.put("reason", "INVALID_EVENT");
                r.put("code", ex.code);
                r.put("message", ex.getMessage());
                if (ex.field != null) {
                    r.put("field", ex.field);
                }
                results[i] = r;
            }
        }
        List<EventResult> outcomes = valid.isEmpty() ? List.of() : await(engine.report(valid));
        int accepted = 0;
        int duplicates = 0;
        int rejected = 0;
        for (int j = 0; j < outcomes.size(); j++) {
            EventResult o = outcomes.get(j);
            int i = validIndex.get(j);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("index", i);
            r.put("idempotencyKey", valid.get(j).idempotencyKey());
            r.put("status", o.status().name().toLowerCase(Locale.ROOT));
            if (o.reason() != null) {
                r.put("reason", o.reason().name());
            }
            if (o.status() == EventResult.Status.ACCEPTED) {
                r.put("overage", o.overage());
            }
            results[i] = r;
        }
        List<Object> list = new ArrayList<>(results.length);
        for (Map<String, Object> r : results) {
            String status = (String) r.get("status");
            switch (status) {
                case "accepted" -> accepted++;
                case "duplicate" -> duplicates++;
                default -> rejected++;
            }
            list.add(r);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", accepted);
        body.put("duplicates", duplicates);
        body.put("rejected", rejected);
        body.put("results", list);
        return Reply.ok(body);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object>[] newResults(int size) {
        return (Map<String, Object>[]) new Map<?, ?>[size];
    }
}
