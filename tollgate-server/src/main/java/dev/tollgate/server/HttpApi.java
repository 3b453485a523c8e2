package dev.tollgate.server;

import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogError;
import dev.tollgate.core.catalog.CatalogException;
import dev.tollgate.core.engine.CatalogVersionInfo;
import dev.tollgate.core.engine.CheckRequest;
import dev.tollgate.core.engine.ConsumeRequest;
import dev.tollgate.core.engine.CustomerUpdate;
import dev.tollgate.core.engine.CustomerView;
import dev.tollgate.core.engine.Decision;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.engine.EventResult;
import dev.tollgate.core.engine.Outcome;
import dev.tollgate.core.engine.PromotionRequest;
import dev.tollgate.core.engine.SubscriptionRequest;
import dev.tollgate.core.engine.UsageEvent;
import dev.tollgate.core.json.Json;
import dev.tollgate.core.store.StoreException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
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
                json(ctx, status, reply.body());
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
        boolean up = engine.storeReachable();
        return new Reply(up ? 200 : 503, Map.of("status", up ? "ready" : "store unreachable"), false);
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

    // ---- the request path ----

    private Reply check(Context ctx) {
        Body b = body(ctx).allowOnly("customerId", "feature", "quantity", "scope", "sessionId", "dimensions");
        refuseSessions(b);
        CheckRequest request = new CheckRequest(
                b.requireId("customerId"),
                b.requireId("feature"),
                b.optQuantity("quantity", false),
                b.optId("scope"),
                b.dimensions("dimensions"));
        Decision d = engine.check(request);
        metrics.decision("check", d);
        return decisionReply(d, false, false);
    }

    private Reply consume(Context ctx) {
        Body b = body(ctx)
                .allowOnly("customerId", "feature", "quantity", "scope", "sessionId", "dimensions", "idempotencyKey");
        refuseSessions(b);
        BigDecimal quantity = b.optQuantity("quantity", true);
        ConsumeRequest request = new ConsumeRequest(
                b.requireId("customerId"),
                b.requireId("feature"),
                quantity == null ? BigDecimal.ONE : quantity,
                b.requireIdempotencyKey(ctx.header("Idempotency-Key")),
                b.optId("scope"),
                b.dimensions("dimensions"));
        Outcome<Decision> outcome = await(engine.consume(request));
        if (!outcome.replayed()) {
            metrics.decision("consume", outcome.value());
        }
        return decisionReply(outcome.value(), true, outcome.replayed());
    }

    private static void refuseSessions(Body b) {
        if (b.has("sessionId")) {
            throw ApiException.badRequest(
                    "SESSIONS_NOT_AVAILABLE", "sessions are not available in this version", "sessionId");
        }
    }

    private static Reply decisionReply(Decision d, boolean write, boolean replay) {
        Map<String, Object> body = Views.decision(d);
        if (write) {
            body.put("recorded", d.recorded());
        }
        if (d.reason() == Reason.CUSTOMER_NOT_FOUND || d.reason() == Reason.FEATURE_NOT_FOUND) {
            String field = d.reason() == Reason.CUSTOMER_NOT_FOUND ? "customerId" : "feature";
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
                if (e.has("sessionId")) {
                    throw ApiException.badRequest(
                            "SESSIONS_NOT_AVAILABLE", "sessions are not available in this version", e.at("sessionId"));
                }
                valid.add(new UsageEvent(
                        e.requireIdempotencyKey(null),
                        e.requireId("customerId"),
                        e.requireId("feature"),
                        e.requireQuantity("quantity"),
                        e.optId("scope"),
                        e.dimensions("dimensions"),
                        e.optInstant("timestamp")));
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
