package dev.tollgate.server.sidecar;

import static dev.tollgate.server.http.Requests.pathId;

import dev.tollgate.client.CheckRequest;
import dev.tollgate.client.ConsumeRequest;
import dev.tollgate.client.Decision;
import dev.tollgate.client.EventOutcome;
import dev.tollgate.client.SessionRequest;
import dev.tollgate.client.Tollgate;
import dev.tollgate.client.TollgateUnavailableException;
import dev.tollgate.client.UsageEvent;
import dev.tollgate.server.api.RequestBodies;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.Requests;
import dev.tollgate.server.http.Response;
import dev.tollgate.server.http.RouteTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The sidecar's routes: each reads its body with the server's own readers ({@link RequestBodies}, so bad input is
 * refused with the server's code and field), asks the {@link Tollgate} SDK, and answers the server's JSON with
 * {@code source} added to each decision.
 *
 * <p>Thread-safe: holds only the SDK, which is.
 */
final class SidecarRoutes {
    private final Tollgate tollgate;

    SidecarRoutes(Tollgate tollgate) {
        this.tollgate = tollgate;
    }

    /** Adds the sidecar's routes to {@code table}; every one may block on the SDK, so all run on workers. */
    void register(RouteTable table) {
        table.route("GET", "/health", false, RouteTable.Mode.INLINE, ctx -> Reply.ok(Map.of("status", "ok")));
        table.route("POST", "/v1/check", true, RouteTable.Mode.BLOCKING, this::check);
        table.route("POST", "/v1/consume", true, RouteTable.Mode.BLOCKING, this::consume);
        table.route("POST", "/v1/events", true, RouteTable.Mode.BLOCKING, this::events);
        table.route("POST", "/v1/sessions", true, RouteTable.Mode.BLOCKING, this::openSession);
        table.route("POST", "/v1/sessions/{sessionId}/close", true, RouteTable.Mode.BLOCKING, this::closeSession);
    }

    private Reply check(ApiRequest ctx) {
        dev.tollgate.core.api.CheckRequest r = RequestBodies.check(ctx);
        return decisionReply(tollgate.check(
                new CheckRequest(r.customerId(), r.feature(), r.quantity(), r.scope(), r.sessionId(), r.dimensions())));
    }

    private Reply consume(ApiRequest ctx) {
        dev.tollgate.core.api.ConsumeRequest r = RequestBodies.consume(ctx);
        return decisionReply(tollgate.consume(new ConsumeRequest(
                r.customerId(),
                r.feature(),
                r.quantity(),
                r.idempotencyKey(),
                r.scope(),
                r.sessionId(),
                r.dimensions())));
    }

    /** The server's answer to a decision: {@code 404} with the error beside the decision for a missing object. */
    private static Reply decisionReply(Decision d) {
        Map<String, Object> body = SidecarViews.decision(d);
        String reason = d.reason();
        if (reason != null
                && ("CUSTOMER_NOT_FOUND".equals(reason)
                        || "FEATURE_NOT_FOUND".equals(reason)
                        || "SCOPE_NOT_FOUND".equals(reason))) {
            String field = Objects.requireNonNull(RequestBodies.fieldOf(reason));
            body.putAll(Response.errorBody(reason, "no such " + field.replace("Id", ""), field));
            return new Reply(404, body, false);
        }
        return Reply.ok(body);
    }

    /**
     * Each valid event goes to the SDK's reporter (batched; spooled while the server is unreachable, when a spool is
     * set); the answer waits for every outcome. A spooled event is answered {@code "status": "spooled"}.
     */
    private Reply events(ApiRequest ctx) throws InterruptedException {
        RequestBodies.Events events = RequestBodies.events(ctx);
        List<CompletableFuture<EventOutcome>> outcomes = new ArrayList<>(events.valid.size());
        for (dev.tollgate.core.api.UsageEvent e : events.valid) {
            outcomes.add(tollgate.report(new UsageEvent(
                    e.idempotencyKey(),
                    e.customerId(),
                    e.feature(),
                    e.quantity(),
                    e.scope(),
                    e.sessionId(),
                    e.dimensions(),
                    e.timestamp())));
        }
        for (int j = 0; j < outcomes.size(); j++) {
            EventOutcome o = outcome(outcomes.get(j));
            String status = o.status().name().toLowerCase(Locale.ROOT);
            events.result(j, status, o.reason(), o.status() == EventOutcome.Status.ACCEPTED ? o.overage() : null);
        }
        return Reply.ok(events.answer());
    }

    private static EventOutcome outcome(CompletableFuture<EventOutcome> future) throws InterruptedException {
        try {
            return future.get(Requests.WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new TollgateUnavailableException(
                    "COMMIT_IN_DOUBT",
                    504,
                    "the report was not answered within " + Requests.WRITE_TIMEOUT_SECONDS + " s");
        }
    }

    private Reply openSession(ApiRequest ctx) {
        RequestBodies.SessionOpening opening = RequestBodies.session(ctx);
        dev.tollgate.core.api.SessionRequest r = opening.request();
        if (r.maxLifetime() != null) {
            throw ApiException.badRequest(
                    "NOT_SUPPORTED", "the sidecar does not forward maxLifetimeSeconds", "maxLifetimeSeconds");
        }
        if (r.pricing() == dev.tollgate.core.api.SessionRequest.Pricing.QUOTED) {
            throw ApiException.badRequest("NOT_SUPPORTED", "the sidecar does not forward quote", "quote");
        }
        SessionRequest asked = new SessionRequest(
                opening.customerId(), r.scope(), r.feature(), r.currency(), r.amount(), r.ttl(), r.idempotencyKey());
        var session = tollgate.openSession(asked);
        return new Reply(session.opened() ? 201 : 200, SidecarViews.opened(session, asked), false);
    }

    private Reply closeSession(ApiRequest ctx) {
        java.math.BigDecimal used = RequestBodies.closeUsed(ctx);
        return Reply.ok(SidecarViews.session(tollgate.closeSession(pathId(ctx, "sessionId"), used), null));
    }
}
