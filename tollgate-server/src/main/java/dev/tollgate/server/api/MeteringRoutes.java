package dev.tollgate.server.api;

import static dev.tollgate.server.http.Requests.WRITE_TIMEOUT_SECONDS;
import static dev.tollgate.server.http.Requests.body;

import dev.tollgate.core.Reason;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.EventResult;
import dev.tollgate.core.api.UsageEvent;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Body;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.Response;
import dev.tollgate.server.http.RouteTable;
import dev.tollgate.server.http.Trees;
import dev.tollgate.server.metrics.Metrics;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The request path: {@code POST /v1/check} (answered from memory on the I/O thread), {@code POST /v1/consume} and
 * {@code POST /v1/events} (answered when the journal's commit completes the engine's future, so no thread waits on an
 * fsync).
 *
 * <p>Hot path: each handler parses the body, makes one engine call and maps the answer; the route table calls it
 * directly, with no per-request indirection beyond that method call.
 *
 * <p>Thread-safe: holds only thread-safe collaborators.
 */
final class MeteringRoutes {
    private static final int MAX_EVENTS = 10_000;

    private final Engine engine;
    private final Metrics metrics;

    MeteringRoutes(Engine engine, Metrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
    }

    /** Adds this family's routes to {@code table}. */
    void register(RouteTable table) {
        table.route("POST", "/v1/check", true, RouteTable.Mode.INLINE, this::check);
        table.asyncRoute("POST", "/v1/consume", this::consume);
        table.asyncRoute("POST", "/v1/events", this::events);
    }

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
        Map<String, Object> body = MeteringViews.decision(d);
        if (write) {
            body.put("recorded", d.recorded());
        }
        if (d.reason() == Reason.CUSTOMER_NOT_FOUND
                || d.reason() == Reason.FEATURE_NOT_FOUND
                || d.reason() == Reason.SCOPE_NOT_FOUND) {
            String field = java.util.Objects.requireNonNull(fieldOf(d.reason()));
            body.putAll(Response.errorBody(d.reason().name(), "no such " + field.replace("Id", ""), field));
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
                r.put("code", ex.code());
                r.put("message", ex.getMessage());
                if (ex.field() != null) {
                    r.put("field", ex.field());
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
            String status = (String) Objects.requireNonNull(r.get("status"));
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
