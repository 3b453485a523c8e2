package dev.tollgate.server;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogError;
import dev.tollgate.core.catalog.CatalogException;
import dev.tollgate.core.catalog.CatalogInUseException;
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
import dev.tollgate.core.engine.UsageQuery;
import dev.tollgate.core.engine.UsageReport;
import dev.tollgate.core.json.Json;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.store.CommitInDoubtException;
import dev.tollgate.core.store.RecordRefusedException;
import dev.tollgate.core.store.StoreException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
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
    private final Executor workers;
    private final ServerConfig.WebhookAddresses webhookAddresses;

    /**
     * @param workers runs the routes that may block (everything but check, consume and events)
     * @param webhookAddresses where webhooks may be set to deliver
     */
    HttpApi(
            Engine engine,
            ApiKeys keys,
            Metrics metrics,
            Executor workers,
            ServerConfig.WebhookAddresses webhookAddresses) {
        this.engine = engine;
        this.keys = keys;
        this.metrics = metrics;
        this.workers = workers;
        this.webhookAddresses = webhookAddresses;
        register();
    }

    /** A handler's answer: status, JSON body, and whether it replays an idempotency key. */
    private record Reply(int status, Object body, boolean replay) {
        static Reply ok(Object body) {
            return new Reply(200, body, false);
        }
    }

    @FunctionalInterface
    private interface Action {
        Reply handle(ApiRequest ctx) throws Exception;
    }

    @FunctionalInterface
    private interface AsyncAction {
        CompletableFuture<Reply> handle(ApiRequest ctx) throws Exception;
    }

    /**
     * Where a route runs. {@code INLINE}: on the connection's I/O thread, for answers from memory. {@code ASYNC}: on
     * the I/O thread up to the engine's future, answered when the commit completes it, so no thread waits on an
     * fsync. {@code BLOCKING}: on the worker pool, for everything else.
     */
    private enum Mode {
        INLINE,
        ASYNC,
        BLOCKING
    }

    private record Route(String method, String path, Mode mode, AsyncAction action) {}

    /** An answer ready to send: status, content type, body and extra headers. */
    record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Response json(int status, Object body) {
            return json(status, body, Map.of());
        }

        static Response json(int status, Object body, Map<String, String> headers) {
            return new Response(status, JSON_TYPE, Json.write(body).getBytes(StandardCharsets.UTF_8), headers);
        }

        static Response error(int status, String code, String message) {
            return json(status, Views.error(code, message, null));
        }
    }

    private static final String JSON_TYPE = "application/json";

    private final Router<Route> router = new Router<>();

    private void register() {
        route("GET", "/health", false, Mode.INLINE, ctx -> Reply.ok(Map.of("status", "ok")));
        route("GET", "/ready", false, Mode.BLOCKING, this::ready);
        route("GET", "/metrics", false, Mode.BLOCKING, ctx -> new Reply(200, new Text(metrics.scrape()), false));

        route("PUT", "/v1/catalog", true, Mode.BLOCKING, this::putCatalog);
        route("GET", "/v1/catalog", true, Mode.INLINE, ctx -> Reply.ok(Views.catalog(engine.catalog())));
        route("GET", "/v1/catalog/versions", true, Mode.BLOCKING, this::catalogVersions);
        route("POST", "/v1/catalog/rollback", true, Mode.BLOCKING, this::rollback);
        route("GET", "/v1/catalog/versions/{n}/diff", true, Mode.BLOCKING, this::catalogDiff);

        route("GET", "/v1/customers", true, Mode.BLOCKING, this::listCustomers);
        route("PUT", "/v1/customers/{customerId}", true, Mode.BLOCKING, this::putCustomer);
        route("GET", "/v1/customers/{customerId}", true, Mode.BLOCKING, this::getCustomer);
        route("PUT", "/v1/customers/{customerId}/subscription", true, Mode.BLOCKING, this::putSubscription);
        route("DELETE", "/v1/customers/{customerId}/subscription", true, Mode.BLOCKING, this::deleteSubscription);
        route("POST", "/v1/customers/{customerId}/promotions", true, Mode.BLOCKING, this::postPromotion);
        route("GET", "/v1/customers/{customerId}/entitlements", true, Mode.BLOCKING, this::getEntitlements);

        route("POST", "/v1/check", true, Mode.INLINE, this::check);
        asyncRoute("POST", "/v1/consume", this::consume);
        asyncRoute("POST", "/v1/events", this::events);

        route("PUT", "/v1/customers/{customerId}/scopes/{scopeId}", true, Mode.BLOCKING, this::putScope);
        route("GET", "/v1/customers/{customerId}/scopes", true, Mode.BLOCKING, this::getScopes);
        route(
                "PUT",
                "/v1/customers/{customerId}/scopes/{scopeId}/budgets/{budgetKey}",
                true,
                Mode.BLOCKING,
                this::putBudget);
        route("GET", "/v1/customers/{customerId}/usage", true, Mode.BLOCKING, this::getUsage);
        route("GET", "/v1/customers/{customerId}/usage/export", true, Mode.BLOCKING, this::exportUsage);
        route("GET", "/v1/webhooks", true, Mode.BLOCKING, this::listWebhooks);
        route("PUT", "/v1/webhooks/{webhookId}", true, Mode.BLOCKING, this::putWebhook);
        route("GET", "/v1/webhooks/{webhookId}", true, Mode.BLOCKING, this::getWebhook);
        route("DELETE", "/v1/webhooks/{webhookId}", true, Mode.BLOCKING, this::deleteWebhook);
        route("GET", "/v1/events/log", true, Mode.BLOCKING, this::eventLog);
        route("POST", "/v1/sessions", true, Mode.BLOCKING, this::openSession);
        route("GET", "/v1/sessions/{sessionId}", true, Mode.BLOCKING, this::getSession);
        route("POST", "/v1/sessions/{sessionId}/heartbeat", true, Mode.BLOCKING, this::heartbeat);
        route("POST", "/v1/sessions/{sessionId}/close", true, Mode.BLOCKING, this::closeSession);
        route("POST", "/v1/customers/{customerId}/grants", true, Mode.BLOCKING, this::postGrant);
        route("GET", "/v1/customers/{customerId}/grants", true, Mode.BLOCKING, this::getGrants);
        route("POST", "/v1/customers/{customerId}/grants/{grantId}/void", true, Mode.BLOCKING, this::voidGrant);
        route("GET", "/v1/customers/{customerId}/balance", true, Mode.BLOCKING, this::getBalance);
        route("GET", "/v1/customers/{customerId}/ledger", true, Mode.BLOCKING, this::getLedger);
        route("GET", "/v1/customers/{customerId}/ledger/export", true, Mode.BLOCKING, this::exportLedger);
        route("POST", "/v1/customers/{customerId}/refunds", true, Mode.BLOCKING, this::postRefund);
        route("PUT", "/v1/customers/{customerId}/auto-recharge", true, Mode.BLOCKING, this::putAutoRecharge);
    }

    /**
     * Adds a route.
     *
     * @param auth whether the route needs the API key: it must be so exactly for the paths under {@code /v1}, whose
     *     key {@link #refuseUnauthenticated} checks before routing
     */
    private void route(String method, String path, boolean auth, Mode mode, Action action) {
        requireKeyedUnderV1(path, auth);
        router.add(
                method,
                path,
                new Route(method, path, mode, ctx -> CompletableFuture.completedFuture(action.handle(ctx))));
    }

    private void asyncRoute(String method, String path, AsyncAction action) {
        requireKeyedUnderV1(path, true);
        router.add(method, path, new Route(method, path, Mode.ASYNC, action));
    }

    private static void requireKeyedUnderV1(String path, boolean auth) {
        if (auth != needsKey(path)) {
            throw new IllegalStateException("a route needs the API key exactly when it is under /v1: " + path);
        }
    }

    /** Whether a request for {@code path} must carry the API key: every path under {@code /v1}, whatever the route. */
    static boolean needsKey(String path) {
        return path.startsWith("/v1") && (path.length() == 3 || path.charAt(3) == '/');
    }

    /** A key check for one connection, for {@link #refuseUnauthenticated}. */
    ApiKeys.Remembered keyCheck() {
        return keys.remembering();
    }

    /**
     * Checks the key of a request from its head alone, before its body is read and before routing, so that an
     * unauthenticated client can neither make the server buffer a body nor learn which routes and methods exist.
     *
     * @param path the request's path without the query string
     * @param authorization the {@code Authorization} header, or {@code null}
     * @param keyCheck the connection's key check
     * @return the {@code 401 UNAUTHENTICATED} answer, or {@code null} when the request may go on to {@link #dispatch}
     */
    @Nullable
    Response refuseUnauthenticated(String path, @Nullable String authorization, ApiKeys.Remembered keyCheck) {
        if (!needsKey(path)) {
            return null;
        }
        if (authorization == null || authorization.isBlank()) {
            return Response.error(401, "UNAUTHENTICATED", "missing 'Authorization: Bearer <key>' header");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || !keyCheck.matches(authorization.substring(7).trim())) {
            return Response.error(401, "UNAUTHENTICATED", "invalid API key");
        }
        return null;
    }

    /** Sets the path parameters of the matched route on the request before a handler reads them. */
    interface Routed extends ApiRequest {
        void pathParams(Map<String, String> raw);
    }

    /**
     * Answers one request. {@code done} is called exactly once, on the calling thread (routes answered from memory,
     * refusals) or on a worker or journal thread (writes). The caller has let the request through
     * {@link #refuseUnauthenticated} first.
     *
     * @param method the HTTP method
     * @param path the request's path without the query string, still percent-encoded
     * @param request the request
     * @param done receives the answer
     */
    void dispatch(String method, String path, Routed request, Consumer<Response> done) {
        Router.Result<Route> result = router.match(method, path);
        if (result instanceof Router.NotFound<Route>) {
            done.accept(Response.error(404, "ROUTE_NOT_FOUND", "no route " + method + " " + path));
            return;
        }
        if (result instanceof Router.WrongMethod<Route>) {
            done.accept(Response.error(405, "METHOD_NOT_ALLOWED", "method " + method + " is not allowed on " + path));
            return;
        }
        Router.Match<Route> match = ((Router.Found<Route>) result).match();
        Route route = match.route();
        request.pathParams(match.params());
        long start = System.nanoTime();
        Consumer<Response> measured = response -> {
            metrics.request(route.method(), route.path(), response.status(), System.nanoTime() - start);
            done.accept(response);
        };
        if (route.mode() == Mode.BLOCKING) {
            try {
                workers.execute(() -> run(route, request, measured));
            } catch (RejectedExecutionException e) {
                measured.accept(Response.error(503, "UNAVAILABLE", "the server is shutting down"));
            }
        } else {
            run(route, request, measured);
        }
    }

    private void run(Route route, ApiRequest request, Consumer<Response> done) {
        CompletableFuture<Reply> reply;
        try {
            reply = route.action().handle(request);
        } catch (Exception e) {
            done.accept(refusal(route, e));
            return;
        }
        reply.whenComplete((r, failure) -> {
            Response response;
            try {
                response = failure == null ? answer(r) : refusal(route, failure);
            } catch (RuntimeException e) {
                response = refusal(route, e);
            }
            done.accept(response);
        });
    }

    private static Response answer(Reply reply) {
        Map<String, String> headers = reply.replay() ? Map.of("Idempotent-Replay", "true") : Map.of();
        if (reply.body() instanceof Csv csv) {
            return new Response(
                    reply.status(),
                    "text/csv; charset=utf-8",
                    csv.text().getBytes(StandardCharsets.UTF_8),
                    Map.of("Content-Disposition", "attachment; filename=\"" + csv.fileName() + "\""));
        }
        if (reply.body() instanceof Text text) {
            return new Response(
                    reply.status(),
                    "text/plain; version=0.0.4; charset=utf-8",
                    text.text().getBytes(StandardCharsets.UTF_8),
                    headers);
        }
        return Response.json(reply.status(), reply.body(), headers);
    }

    private static Response refusal(Route route, Throwable failure) {
        Throwable e = failure;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof ApiException api) {
            return Response.json(api.status, Views.error(api.code, api.getMessage(), api.field));
        }
        if (e instanceof TollgateException t) {
            return Response.json(statusOf(t.kind()), Views.error(t.code(), t.getMessage(), t.field()));
        }
        if (e instanceof CatalogException c) {
            return Response.json(400, catalogErrors(c));
        }
        if (e instanceof CatalogInUseException c) {
            return Response.json(409, Views.catalogInUse(c));
        }
        if (e instanceof RecordRefusedException) {
            // logged once by the journal's listener, with the customer
            return Response.error(409, "RECORD_REFUSED", "the store refused this write's record; nothing was stored");
        }
        if (e instanceof CommitInDoubtException) {
            LOG.warn("event=commit_in_doubt route={} error=\"{}\"", route.path(), e.getMessage());
            return Response.error(
                    504,
                    "COMMIT_IN_DOUBT",
                    "the store cannot tell whether this write was stored; retry with the same idempotency key");
        }
        if (e instanceof StoreException || e instanceof TimeoutException) {
            LOG.warn("event=store_unavailable route={} error=\"{}\"", route.path(), e.getMessage());
            return Response.error(503, "STORE_UNAVAILABLE", "the store is unavailable; retry later");
        }
        LOG.error("event=internal_error method={} route={}", route.method(), route.path(), e);
        return Response.error(500, "INTERNAL", "internal error; the request may be retried");
    }

    private static int statusOf(TollgateException.Kind kind) {
        return switch (kind) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case UNAVAILABLE -> 503;
        };
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
            // still queued or committing: it may yet be stored, so this is no "not stored"
            throw new CommitInDoubtException("the commit did not finish within " + WRITE_TIMEOUT_SECONDS + " s", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new StoreException("commit failed", cause == null ? e : cause);
        }
    }

    private static Body body(ApiRequest ctx) {
        return Body.of(Trees.json(ctx.bodyAsBytes()));
    }

    private static String customerId(ApiRequest ctx) {
        String id = ctx.pathParam("customerId");
        Body.checkId(id, "customerId");
        return id;
    }

    private static String actor(ApiRequest ctx) {
        String actor = ctx.header("X-Tollgate-Actor");
        return actor == null || actor.isBlank() ? "api" : actor.substring(0, Math.min(actor.length(), 128));
    }

    // ---- operations ----

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

    // ---- catalog ----

    private Reply putCatalog(ApiRequest ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        Object document = type.contains("yaml") ? Trees.yaml(ctx.bodyAsBytes()) : catalogJson(ctx.bodyAsBytes());
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
            page.add(Views.catalogVersion(v));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("versions", page);
        body.put("nextCursor", next == null ? null : next.toString());
        return Reply.ok(body);
    }

    private static int queryInt(ApiRequest ctx, String name, int fallback, int min, int max) {
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

    private Reply catalogDiff(ApiRequest ctx) {
        String raw = ctx.pathParam("n");
        int version;
        try {
            version = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new ApiException(404, "CATALOG_VERSION_NOT_FOUND", "no catalog version '" + raw + "'", "n");
        }
        return Reply.ok(Views.catalogDiff(engine.catalogDiff(version)));
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

    // ---- customers ----

    private Reply putCustomer(ApiRequest ctx) {
        String id = customerId(ctx);
        Body b = body(ctx).allowOnly("name", "metadata", "timeZone", "idempotencyKey");
        CustomerUpdate update =
                new CustomerUpdate(b.optString("name"), b.freeObject("metadata"), b.optString("timeZone"));
        CustomerView view = await(engine.upsertCustomer(id, update, b.idempotencyKey(ctx.header("Idempotency-Key"))));
        return Reply.ok(Views.customer(view));
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
            customers.add(Views.customer(page.get(i)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customers", customers);
        body.put(
                "nextCursor",
                page.size() > limit ? cursorAfter(page.get(limit - 1).id()) : null);
        return Reply.ok(body);
    }

    /** {@code limit} of a paginated list: 1..{@value #MAX_LEDGER_PAGE}, 100 when absent. */
    private static int pageLimit(ApiRequest ctx) {
        String raw = ctx.queryParam("limit");
        if (raw == null) {
            return 100;
        }
        int limit;
        try {
            limit = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_LEDGER_PAGE) {
            throw ApiException.badRequest(
                    "INVALID_QUERY", "limit must be a whole number in 1.." + MAX_LEDGER_PAGE, "limit");
        }
        return limit;
    }

    /** The id a page of a list ordered by id starts after, from its opaque {@code cursor}; {@code null} without. */
    private static @Nullable String pageAfter(ApiRequest ctx) {
        String cursor = ctx.queryParam("cursor");
        if (cursor == null) {
            return null;
        }
        try {
            String text = new String(java.util.Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith("id:") && Body.isId(text.substring(3))) {
                return text.substring(3);
            }
        } catch (IllegalArgumentException e) {
            // not base64: refused below
        }
        throw ApiException.badRequest("INVALID_CURSOR", "cursor is not one this server gave", "cursor");
    }

    /** The opaque cursor of the page after {@code id}. */
    private static String cursorAfter(String id) {
        return java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(("id:" + id).getBytes(StandardCharsets.UTF_8));
    }

    private Reply getCustomer(ApiRequest ctx) {
        String id = customerId(ctx);
        CustomerView view = engine.customer(id)
                .orElseThrow(() ->
                        TollgateException.notFound("CUSTOMER_NOT_FOUND", "no customer '" + id + "'", "customerId"));
        return Reply.ok(Views.customer(view));
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
        return new Reply(200, Views.customer(outcome.value()), outcome.replayed());
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
        return Reply.ok(Views.customer(await(engine.cancel(id, atPeriodEnd))));
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
        return new Reply(outcome.replayed() ? 200 : 201, Views.promotion(outcome.value()), outcome.replayed());
    }

    private Reply getEntitlements(ApiRequest ctx) {
        String id = customerId(ctx);
        List<Object> list = new ArrayList<>();
        engine.entitlements(id).forEach(v -> list.add(Views.effective(v)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customerId", id);
        body.put("entitlements", list);
        return Reply.ok(body);
    }

    // ---- governance ----

    private static String pathId(ApiRequest ctx, String name) {
        String id = ctx.pathParam(name);
        Body.checkId(id, name);
        return id;
    }

    private Reply putScope(ApiRequest ctx) {
        String id = customerId(ctx);
        String scopeId = pathId(ctx, "scopeId");
        Body b = body(ctx).allowOnly("kind", "parent", "name");
        String kind = b.optId("kind");
        ScopeView view = await(
                engine.setScope(id, scopeId, kind == null ? "scope" : kind, b.optId("parent"), b.optString("name")));
        return Reply.ok(Views.scope(view));
    }

    private Reply getScopes(ApiRequest ctx) {
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
        return Reply.ok(Views.scope(await(engine.setBudget(id, scopeId, key, budget))));
    }

    // ---- alerts and webhooks ----

    private Reply putWebhook(ApiRequest ctx) {
        String id = pathId(ctx, "webhookId");
        Body b = body(ctx).allowOnly("url", "events", "secret");
        String url = b.requireString("url");
        WebhookTargets.requireAllowed(url, webhookAddresses);
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
        return Reply.ok(Views.webhook(webhook));
    }

    private Reply listWebhooks(ApiRequest ctx) {
        int limit = pageLimit(ctx);
        String after = pageAfter(ctx);
        List<Object> page = new ArrayList<>();
        String next = null;
        String last = null;
        for (Webhook w : engine.webhooks()) {
            if (after != null && w.id().compareTo(after) <= 0) {
                continue;
            }
            if (last != null && page.size() == limit) {
                next = cursorAfter(last);
                break;
            }
            page.add(Views.webhook(w));
            last = w.id();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("webhooks", page);
        body.put("nextCursor", next);
        return Reply.ok(body);
    }

    private Reply getWebhook(ApiRequest ctx) {
        String id = pathId(ctx, "webhookId");
        return Reply.ok(Views.webhook(engine.webhooks().stream()
                .filter(w -> w.id().equals(id))
                .findFirst()
                .orElseThrow(() ->
                        TollgateException.notFound("WEBHOOK_NOT_FOUND", "no webhook '" + id + "'", "webhookId"))));
    }

    private Reply deleteWebhook(ApiRequest ctx) {
        Map<String, Object> body = Views.webhook(await(engine.removeWebhook(pathId(ctx, "webhookId"))));
        body.put("deleted", true);
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

    private Reply eventLog(ApiRequest ctx) {
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
        engine.usagePeriods(id, from, to).forEach(p -> periods.add(Views.usagePeriod(id, p)));
        if (format.equals("json")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("customerId", id);
            body.put("from", from.toString());
            body.put("to", to.toString());
            body.put("periods", periods);
            return Reply.ok(body);
        }
        return Reply.ok(new Csv("usage-" + id + ".csv", csv(Views.USAGE_PERIOD_COLUMNS, periods)));
    }

    private static Instant queryInstant(ApiRequest ctx, String name, Instant fallback) {
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

    private Reply openSession(ApiRequest ctx) {
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
        Decision refusal = java.util.Objects.requireNonNull(o.refusal());
        Map<String, Object> body = currency != null ? Views.currencyRefusal(refusal) : Views.decision(refusal);
        body.put("opened", false);
        return new Reply(200, body, false);
    }

    private Reply getSession(ApiRequest ctx) {
        return Reply.ok(Views.session(engine.session(pathId(ctx, "sessionId"))));
    }

    private Reply heartbeat(ApiRequest ctx) {
        Body b = body(ctx).allowOnly("ttlSeconds");
        Integer ttl = b.optInt("ttlSeconds", 1, (int) MAX_TTL_SECONDS);
        if (ttl == null) {
            throw b.missing("ttlSeconds");
        }
        return Reply.ok(
                Views.session(await(engine.heartbeat(pathId(ctx, "sessionId"), java.time.Duration.ofSeconds(ttl)))));
    }

    private Reply closeSession(ApiRequest ctx) {
        Body b = body(ctx).allowOnly("used");
        Outcome<SessionView> outcome =
                await(engine.closeSession(pathId(ctx, "sessionId"), b.optQuantity("used", false)));
        return new Reply(200, Views.session(outcome.value()), outcome.replayed());
    }

    // ---- credits ----

    /** A CSV answer instead of JSON. */
    private record Csv(String fileName, String text) {}

    private record Text(String text) {}

    private static final int MAX_LEDGER_PAGE = 1000;

    private Reply postGrant(ApiRequest ctx) {
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

    private Reply getGrants(ApiRequest ctx) {
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

    private Reply voidGrant(ApiRequest ctx) {
        String id = customerId(ctx);
        String grantId = ctx.pathParam("grantId");
        Body.checkId(grantId, "grantId");
        Outcome<GrantView> outcome = await(engine.voidGrant(id, grantId));
        return new Reply(200, Views.grant(outcome.value()), outcome.replayed());
    }

    private Reply getBalance(ApiRequest ctx) {
        String id = customerId(ctx);
        List<Object> list = new ArrayList<>();
        engine.balances(id).forEach(v -> list.add(Views.balance(v)));
        return Reply.ok(Map.of("customerId", id, "balances", list));
    }

    private Reply getLedger(ApiRequest ctx) {
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

    private Reply exportLedger(ApiRequest ctx) {
        String id = customerId(ctx);
        String format = exportFormat(ctx);
        List<LedgerLine> lines = engine.ledger(id, null, 0, Integer.MAX_VALUE);
        List<Map<String, Object>> entries = new ArrayList<>();
        lines.forEach(l -> entries.add(Views.ledgerLine(l)));
        if (format.equals("json")) {
            return Reply.ok(Map.of("customerId", id, "entries", entries));
        }
        return Reply.ok(new Csv("ledger-" + id + ".csv", csv(Views.LEDGER_COLUMNS, entries)));
    }

    /** {@code format} of an export: {@code csv} (default) or {@code json}. */
    private static String exportFormat(ApiRequest ctx) {
        String format = ctx.queryParam("format") == null ? "csv" : ctx.queryParam("format");
        if (!format.equals("csv") && !format.equals("json")) {
            throw ApiException.badRequest("INVALID_QUERY", "format must be 'csv' or 'json'", "format");
        }
        return format;
    }

    /**
     * RFC 4180 text of rows: a header of {@code columns}, then one line per row; an absent value or an empty object is an
     * empty cell, an object is its JSON, a decimal is plain.
     */
    private static String csv(List<String> columns, List<Map<String, Object>> rows) {
        StringBuilder csv = new StringBuilder(String.join(",", columns)).append("\r\n");
        for (Map<String, Object> row : rows) {
            List<String> cells = new ArrayList<>();
            for (String column : columns) {
                Object v = row.get(column);
                String text = v == null || (v instanceof Map<?, ?> m && m.isEmpty())
                        ? ""
                        : v instanceof Map<?, ?>
                                ? Json.write(v)
                                : v instanceof BigDecimal d ? d.toPlainString() : v.toString();
                cells.add(text.matches(".*[,\"\r\n].*") ? '"' + text.replace("\"", "\"\"") + '"' : text);
            }
            csv.append(String.join(",", cells)).append("\r\n");
        }
        return csv.toString();
    }

    private Reply postRefund(ApiRequest ctx) {
        String id = customerId(ctx);
        Body b = body(ctx).allowOnly("idempotencyKey");
        Outcome<RefundView> outcome = await(engine.refund(id, b.requireIdempotencyKey(null)));
        return new Reply(outcome.replayed() ? 200 : 201, Views.refund(outcome.value()), outcome.replayed());
    }

    private Reply putAutoRecharge(ApiRequest ctx) {
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

    private Reply check(ApiRequest ctx) {
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

    private CompletableFuture<Reply> consume(ApiRequest ctx) {
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
        return engine.consume(request)
                .thenApply(outcome -> {
                    if (!outcome.replayed()) {
                        metrics.decision("consume", outcome.value());
                    }
                    return decisionReply(outcome.value(), true, outcome.replayed());
                })
                .orTimeout(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static Reply decisionReply(Decision d, boolean write, boolean replay) {
        Map<String, Object> body = Views.decision(d);
        if (write) {
            body.put("recorded", d.recorded());
        }
        if (d.reason() == Reason.CUSTOMER_NOT_FOUND
                || d.reason() == Reason.FEATURE_NOT_FOUND
                || d.reason() == Reason.SCOPE_NOT_FOUND) {
            String field = java.util.Objects.requireNonNull(fieldOf(d.reason()));
            body.putAll(Views.error(d.reason().name(), "no such " + field.replace("Id", ""), field));
            return new Reply(404, body, replay);
        }
        return new Reply(200, body, replay);
    }

    /**
     * The request field a refusal's reason is about ({@code feature} for {@code NOT_ENTITLED}), or {@code null} when
     * it is about no one field (a limit, a budget, the store).
     */
    private static @Nullable String fieldOf(Reason reason) {
        return switch (reason) {
            case CUSTOMER_NOT_FOUND -> "customerId";
            case FEATURE_NOT_FOUND, FEATURE_NOT_METERED, NOT_ENTITLED, UNPRICED -> "feature";
            case SCOPE_NOT_FOUND -> "scope";
            case SESSION_NOT_FOUND, SESSION_CLOSED, SESSION_MISMATCH -> "sessionId";
            case TIMESTAMP_IN_FUTURE -> "timestamp";
            case IDEMPOTENCY_KEY_REUSED, INVALID_IDEMPOTENCY_KEY -> "idempotencyKey";
            default -> null;
        };
    }

    private CompletableFuture<Reply> events(ApiRequest ctx) {
        // each event is refused alone: a value beyond the limits stays in its place in the tree until its event is read
        Body b = Body.of(Trees.jsonItems(ctx.bodyAsBytes())).allowOnly("events");
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
        CompletableFuture<List<EventResult>> reported =
                valid.isEmpty() ? CompletableFuture.completedFuture(List.of()) : engine.report(valid);
        return reported.thenApply(outcomes -> eventsReply(outcomes, valid, validIndex, results))
                .orTimeout(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static Reply eventsReply(
            List<EventResult> outcomes,
            List<UsageEvent> valid,
            List<Integer> validIndex,
            Map<String, Object>[] results) {
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
                String field = fieldOf(o.reason());
                if (field != null) {
                    r.put("field", "events[" + i + "]." + field);
                }
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
