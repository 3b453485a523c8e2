package dev.tollgate.server.api;

import static dev.tollgate.server.http.Requests.WRITE_TIMEOUT_SECONDS;
import static dev.tollgate.server.http.Requests.body;

import dev.tollgate.core.Reason;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.EventResult;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.json.JsonWriter;
import dev.tollgate.core.mapping.DecisionJson;
import dev.tollgate.core.mapping.Form;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.Response;
import dev.tollgate.server.http.RouteTable;
import dev.tollgate.server.metrics.Metrics;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
    /** Each thread's writer of answers, reused: an answer allocates only its bytes. */
    private static final ThreadLocal<JsonWriter> ANSWERS = ThreadLocal.withInitial(JsonWriter::new);

    private final Engine engine;
    private final Metrics.DecisionMeters checks;
    private final Metrics.DecisionMeters consumes;

    MeteringRoutes(Engine engine, Metrics metrics) {
        this.engine = engine;
        this.checks = metrics.decisions("check");
        this.consumes = metrics.decisions("consume");
    }

    /** Adds this family's routes to {@code table}. */
    void register(RouteTable table) {
        table.route("POST", "/v1/check", true, RouteTable.Mode.INLINE, this::check);
        table.asyncRoute("POST", "/v1/consume", this::consume);
        table.asyncRoute("POST", "/v1/events", this::events);
    }

    private Reply check(ApiRequest ctx) {
        CheckRequest request = RequestBodies.check(ctx);
        Decision d = engine.check(request);
        checks.count(d);
        return decisionReply(d, false, false);
    }

    private CompletableFuture<Reply> consume(ApiRequest ctx) {
        ConsumeRequest request = RequestBodies.consume(ctx);
        return engine.consume(request)
                .thenApply(outcome -> {
                    if (!outcome.replayed()) {
                        consumes.count(outcome.value());
                    }
                    return decisionReply(outcome.value(), true, outcome.replayed());
                })
                .orTimeout(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * A decision's answer: {@code 200} written straight to bytes ({@link DecisionJson#fields}), or {@code 404} when the
     * customer, feature or scope is unknown, with the error beside the decision.
     */
    static Reply decisionReply(Decision d, boolean write, boolean replay) {
        if (d.reason() == Reason.CUSTOMER_NOT_FOUND
                || d.reason() == Reason.FEATURE_NOT_FOUND
                || d.reason() == Reason.SCOPE_NOT_FOUND) {
            Map<String, Object> body = MeteringViews.decision(d);
            if (write) {
                body.put("recorded", d.recorded());
            }
            String field =
                    Objects.requireNonNull(RequestBodies.fieldOf(d.reason().name()));
            body.putAll(Response.errorBody(d.reason().name(), "no such " + field.replace("Id", ""), field));
            return new Reply(404, body, replay);
        }
        JsonWriter json = ANSWERS.get().reset().beginObject();
        DecisionJson.fields(d, Form.ANSWER, json::field);
        if (write) {
            json.field("recorded", d.recorded());
        }
        return new Reply(200, new Reply.Written(json.endObject().toByteArray()), replay);
    }

    private CompletableFuture<Reply> events(ApiRequest ctx) {
        RequestBodies.Events events = RequestBodies.events(ctx);
        CompletableFuture<List<EventResult>> reported =
                events.valid.isEmpty() ? CompletableFuture.completedFuture(List.of()) : engine.report(events.valid);
        return reported.thenApply(outcomes -> eventsReply(outcomes, events))
                .orTimeout(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static Reply eventsReply(List<EventResult> outcomes, RequestBodies.Events events) {
        for (int j = 0; j < outcomes.size(); j++) {
            EventResult o = outcomes.get(j);
            events.result(
                    j,
                    o.status().name().toLowerCase(Locale.ROOT),
                    o.reason() == null ? null : o.reason().name(),
                    o.status() == EventResult.Status.ACCEPTED ? o.overage() : null);
        }
        return Reply.ok(events.answer());
    }
}
