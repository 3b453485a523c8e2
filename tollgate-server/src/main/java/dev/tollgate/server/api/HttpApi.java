package dev.tollgate.server.api;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.catalog.CatalogError;
import dev.tollgate.core.catalog.CatalogException;
import dev.tollgate.core.catalog.CatalogInUseException;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.store.CommitInDoubtException;
import dev.tollgate.core.store.FencedException;
import dev.tollgate.core.store.RecordRefusedException;
import dev.tollgate.core.store.StoreException;
import dev.tollgate.server.auth.Caller;
import dev.tollgate.server.auth.Keyring;
import dev.tollgate.server.feed.ChangeFeed;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.Response;
import dev.tollgate.server.http.RouteTable;
import dev.tollgate.server.http.Router;
import dev.tollgate.server.http.Service;
import dev.tollgate.server.metrics.Metrics;
import dev.tollgate.server.webhook.WebhookAddresses;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of {@code API.md}: the composition root of the route families and the dispatch of a request to its
 * handler. Who may call what is decided before ({@code auth/Gate}, in front of it), except what needs a customer's
 * state: the scope a portal token may see ({@link PortalAccess}), decided here, where the customer is served.
 *
 * <p>Where a route is handled: each family of endpoints is one class, named after the engine's capability.
 *
 * <ul>
 *   <li>{@link OperationsRoutes}: {@code /health}, {@code /ready}, {@code /metrics}, {@code /openapi.json}
 *   <li>{@link CatalogRoutes}: {@code /v1/catalog...}
 *   <li>{@link CustomerRoutes}: {@code /v1/customers}, subscriptions, promotions, entitlements
 *   <li>{@link MeteringRoutes}: {@code /v1/check}, {@code /v1/consume}, {@code /v1/events}
 *   <li>{@link CreditRoutes}: grants, balance, ledger, refunds, auto-recharge
 *   <li>{@link GovernanceRoutes}: scopes, budgets, usage, {@code /v1/sessions}
 *   <li>{@link AlertRoutes}: {@code /v1/webhooks}, {@code /v1/events/log}
 *   <li>{@link KeyRoutes}: {@code /v1/keys}
 *   <li>{@link PortalRoutes}: {@code /v1/portal-sessions}, {@code /v1/portal/session}
 *   <li>{@link PublicRoutes}: {@code /v1/public/customers/{customerId}/entitlements}
 *   <li>{@link BillingRoutes}: {@code /v1/billing/periods/{period}}, {@code /v1/billing/exports}
 *   <li>{@link FinanceRoutes}: {@code /v1/reports/margin}, {@code /v1/what-if}
 *   <li>{@link ConsoleRoutes}: {@code /} and {@code /portal}, the console's files, the browser client
 * </ul>
 *
 * <p>Handlers read requests with {@code http/Requests} and answer a {@link Reply}; this class turns it into a
 * {@link Response}. The {@code http/HttpFront} serves it as its {@link Service}.
 *
 * <p>Errors: every refusal is a JSON body {@code {"error": {"code", "message", "field"}}} with a stable code
 * ({@code docs/reference/errors.md}). Bad input is {@code 400}, unknown objects {@code 404}, conflicts {@code 409}, an
 * unreachable store {@code 503}, a commit in doubt {@code 504}; an unexpected failure is logged and answered
 * {@code 500} without taking the server down.
 *
 * <p>Writes wait for durability: a handler answers only once the engine's future has completed, which happens after
 * the journal batch holding its records has committed.
 *
 * <p>Thread-safe: handlers share only thread-safe collaborators.
 */
public final class HttpApi implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

    private final Executor workers;
    private final PortalAccess portalAccess;
    private final RouteTable routes = new RouteTable();

    /** Each route's meters, made once: by identity, as the router hands back the routes it was given. */
    private final IdentityHashMap<RouteTable.Route, Metrics.RouteMeters> meters = new IdentityHashMap<>();

    /**
     * @param keyring the credentials, which {@code /v1/keys} and the portal sessions change
     * @param workers runs the routes that may block (everything but check, consume and events)
     * @param webhookAddresses where webhooks may be set to deliver
     * @param feed the change feed that {@code GET /v1/stream} serves
     * @param publicUrl where browsers reach this server, for portal links; {@code null}: each request's {@code Host}
     */
    public HttpApi(
            Engine engine,
            Keyring keyring,
            Metrics metrics,
            Executor workers,
            WebhookAddresses webhookAddresses,
            ChangeFeed feed,
            @Nullable String publicUrl) {
        this.workers = workers;
        this.portalAccess = new PortalAccess(engine);
        new OperationsRoutes(engine, metrics).register(routes);
        new CatalogRoutes(engine).register(routes);
        new CustomerRoutes(engine).register(routes);
        new MeteringRoutes(engine, metrics).register(routes);
        new GovernanceRoutes(engine).register(routes);
        new AlertRoutes(engine, webhookAddresses).register(routes);
        new CreditRoutes(engine).register(routes);
        new FeedRoutes(engine, feed, keyring).register(routes);
        new KeyRoutes(keyring).register(routes);
        new PortalRoutes(engine, keyring, publicUrl).register(routes);
        new PublicRoutes(engine).register(routes);
        new BillingRoutes(engine, workers).register(routes);
        new FinanceRoutes(engine).register(routes);
        new ConsoleRoutes(new StaticAssets(HttpApi.class.getClassLoader())).register(routes);
        for (RouteTable.Route route : routes.routes()) {
            meters.put(route, metrics.route(route.method(), route.path()));
        }
    }

    /** The routes, for the {@code auth/Gate} in front of this API to know what a restricted caller calls, and for the
     * OpenAPI description, which must name each. */
    public RouteTable routes() {
        return routes;
    }

    /**
     * Refuses every request under {@code /v1}: this API checks no credential itself; it is served behind the {@code
     * auth/Gate}, whose head check is the one the HTTP front runs. Were it served alone by mistake, it would fail
     * closed.
     */
    @Override
    public HeadCheck headCheck() {
        return (method, path, headers) -> RouteTable.needsKey(path)
                ? Response.error(401, "UNAUTHENTICATED", "this API is served behind its credential check")
                : null;
    }

    /** Matches the route, runs its handler where its mode says, and measures it. */
    @Override
    public void dispatch(String method, String path, Service.Request request, Consumer<Response> done) {
        Router.Result<RouteTable.Route> result = routes.match(method, path);
        if (result instanceof Router.NotFound<RouteTable.Route>) {
            done.accept(Response.error(404, "ROUTE_NOT_FOUND", "no route " + method + " " + path));
            return;
        }
        if (result instanceof Router.WrongMethod<RouteTable.Route>) {
            done.accept(Response.error(405, "METHOD_NOT_ALLOWED", "method " + method + " is not allowed on " + path));
            return;
        }
        Router.Match<RouteTable.Route> match = ((Router.Found<RouteTable.Route>) result).match();
        RouteTable.Route route = match.route();
        request.pathParams(match.params());
        Metrics.RouteMeters routeMeters = Objects.requireNonNull(meters.get(route));
        long start = System.nanoTime();
        Consumer<Response> measured = response -> {
            routeMeters.record(response.status(), System.nanoTime() - start);
            done.accept(response);
        };
        if (route.mode() == RouteTable.Mode.BLOCKING) {
            try {
                workers.execute(() -> run(route, request, measured));
            } catch (RejectedExecutionException e) {
                measured.accept(Response.error(503, "UNAVAILABLE", "the server is shutting down"));
            }
        } else {
            run(route, request, measured);
        }
    }

    private void run(RouteTable.Route route, ApiRequest request, Consumer<Response> done) {
        CompletableFuture<Reply> reply;
        try {
            if (request.caller() instanceof Caller.Portal portal) {
                PortalAccess.Admission admitted = portalAccess.admit(route.path(), request, portal);
                reply = route.action().handle(admitted.request()).thenApply(admitted.reply());
            } else {
                reply = route.action().handle(request);
            }
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
        if (reply.body() instanceof Reply.Written written) {
            return Response.writtenJson(reply.status(), written.json(), headers);
        }
        if (reply.body() instanceof Reply.Csv csv) {
            return new Response(
                    reply.status(),
                    "text/csv; charset=utf-8",
                    csv.text().getBytes(StandardCharsets.UTF_8),
                    Map.of("Content-Disposition", "attachment; filename=\"" + csv.fileName() + "\""));
        }
        if (reply.body() instanceof Reply.Asset asset) {
            return new Response(reply.status(), asset.contentType(), asset.bytes(), asset.headers());
        }
        if (reply.body() instanceof Reply.Stream stream) {
            return Response.stream(stream.handler());
        }
        if (reply.body() instanceof Reply.Chunked chunked) {
            return Response.chunked(chunked.contentType(), chunked.headers(), chunked.handler());
        }
        if (reply.body() instanceof Reply.Text text) {
            return new Response(
                    reply.status(),
                    "text/plain; version=0.0.4; charset=utf-8",
                    text.text().getBytes(StandardCharsets.UTF_8),
                    headers);
        }
        return Response.json(reply.status(), reply.body(), headers);
    }

    static Response refusal(RouteTable.Route route, Throwable failure) {
        Throwable e = failure;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof ApiException api) {
            return Response.json(
                    api.status(),
                    Response.errorBody(api.code(), Objects.requireNonNull(api.getMessage()), api.field()));
        }
        if (e instanceof TollgateException t
                && (t.code().equals("NOT_OWNER") || t.code().equals("STORE_UNAVAILABLE"))) {
            return Response.retryLater(t.code(), Objects.requireNonNull(t.getMessage()));
        }
        if (e instanceof TollgateException t) {
            return Response.json(
                    statusOf(t.kind()),
                    Response.errorBody(t.code(), Objects.requireNonNull(t.getMessage()), t.field()));
        }
        if (e instanceof CatalogException c) {
            return Response.json(400, catalogErrors(c));
        }
        if (e instanceof CatalogInUseException c) {
            return Response.json(409, CatalogViews.catalogInUse(c));
        }
        if (e instanceof FencedException) {
            return Response.retryLater(
                    "NOT_OWNER", "another server took this customer over; nothing was stored: retry");
        }
        if (e instanceof RecordRefusedException) {
            // logged once by the journal's listener, with the customer
            return Response.error(409, "RECORD_REFUSED", "the store refused this write's record; nothing was stored");
        }
        if (e instanceof CommitInDoubtException || e instanceof TimeoutException) {
            // a timeout is the wait for a commit running out (consume and events wait with orTimeout): it may commit
            // yet
            LOG.warn("event=commit_in_doubt route={} error=\"{}\"", route.path(), e.getMessage());
            return Response.error(
                    504,
                    "COMMIT_IN_DOUBT",
                    "the store cannot tell whether this write was stored; retry with the same idempotency key");
        }
        if (e instanceof StoreException) {
            LOG.warn("event=store_unavailable route={} error=\"{}\"", route.path(), e.getMessage());
            return Response.retryLater("STORE_UNAVAILABLE", "the store is unavailable; retry later");
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
        Map<String, Object> body = Response.errorBody(
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
}
