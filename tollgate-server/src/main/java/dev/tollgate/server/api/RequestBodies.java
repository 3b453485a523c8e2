package dev.tollgate.server.api;

import static dev.tollgate.server.http.Requests.body;

import dev.tollgate.core.Reason;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.SessionRequest;
import dev.tollgate.core.api.UsageEvent;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Body;
import dev.tollgate.server.http.EventsAnswer;
import dev.tollgate.server.http.Trees;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The request bodies of the request path ({@code /v1/check}, {@code /v1/consume}, {@code /v1/events}, {@code
 * /v1/sessions…}), read and validated in one place: the server's routes and the sidecar's read them with the same code,
 * so a bad request is refused with the same code and field by both.
 *
 * <p>Thread-safe: stateless.
 */
public final class RequestBodies {
    /** The most events in one {@code POST /v1/events}. */
    static final int MAX_EVENTS = 10_000;

    /** The longest a session may live without a heartbeat, or at all. */
    static final long MAX_TTL_SECONDS = 7 * 24 * 3600;

    private RequestBodies() {}

    /** The body of {@code POST /v1/check}. */
    public static CheckRequest check(ApiRequest ctx) {
        Body b = body(ctx).allowOnly("customerId", "feature", "quantity", "scope", "sessionId", "dimensions");
        return new CheckRequest(
                b.requireId("customerId"),
                b.requireId("feature"),
                b.optQuantity("quantity", false),
                b.optId("scope"),
                b.dimensions("dimensions"),
                b.optId("sessionId"));
    }

    /** The body of {@code POST /v1/consume} (the key may come as the {@code Idempotency-Key} header). */
    public static ConsumeRequest consume(ApiRequest ctx) {
        Body b = body(ctx)
                .allowOnly("customerId", "feature", "quantity", "scope", "sessionId", "dimensions", "idempotencyKey");
        BigDecimal quantity = b.optQuantity("quantity", true);
        return new ConsumeRequest(
                b.requireId("customerId"),
                b.requireId("feature"),
                quantity == null ? BigDecimal.ONE : quantity,
                b.requireIdempotencyKey(ctx.header("Idempotency-Key")),
                b.optId("scope"),
                b.dimensions("dimensions"),
                b.optId("sessionId"));
    }

    /**
     * The body of {@code POST /v1/events}: each event read alone, an invalid one answered in its place.
     *
     * @throws ApiException when the body itself is wrong (no {@code events}, too many, not a list)
     */
    public static Events events(ApiRequest ctx) {
        // each event is refused alone: a value beyond the limits stays in its place in the tree until its event is read
        Body b = Body.of(Trees.jsonItems(ctx.bodyAsBytes())).allowOnly("events");
        if (!b.has("events")) {
            throw b.missing("events");
        }
        List<Object> raw = b.optList("events", MAX_EVENTS);
        Events events = new Events(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            try {
                events.valid.add(event(raw.get(i), "events[" + i + "]"));
                events.validIndex.add(i);
            } catch (ApiException ex) {
                events.results[i] = invalid(i, ex);
            }
        }
        return events;
    }

    private static UsageEvent event(Object raw, String path) {
        Body e = Body.object(raw, path)
                .allowOnly(
                        "idempotencyKey",
                        "customerId",
                        "feature",
                        "quantity",
                        "scope",
                        "sessionId",
                        "dimensions",
                        "timestamp");
        return new UsageEvent(
                e.requireIdempotencyKey(null),
                e.requireId("customerId"),
                e.requireId("feature"),
                e.requireQuantity("quantity"),
                e.optId("scope"),
                e.dimensions("dimensions"),
                e.optInstant("timestamp"),
                e.optId("sessionId"));
    }

    private static Map<String, Object> invalid(int i, ApiException ex) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("index", i);
        r.put("status", "rejected");
        r.put("reason", "INVALID_EVENT");
        r.put("code", ex.code());
        r.put("message", ex.getMessage());
        if (ex.field() != null) {
            r.put("field", ex.field());
        }
        return r;
    }

    /**
     * The events of one {@code POST /v1/events}: the valid ones, to report, and a result for each position (the
     * invalid ones already filled in). Not thread-safe: one request's.
     */
    public static final class Events {
        /** The valid events, in request order. */
        public final List<UsageEvent> valid = new ArrayList<>();

        /** The request position of each valid event. */
        public final List<Integer> validIndex = new ArrayList<>();

        private final Map<String, Object>[] results;

        @SuppressWarnings("unchecked")
        private Events(int size) {
            this.results = (Map<String, Object>[]) new Map<?, ?>[size];
        }

        /**
         * Sets the result of the {@code j}-th valid event.
         *
         * @param status {@code accepted}, {@code duplicate}, {@code rejected} (or the sidecar's {@code spooled})
         * @param reason the stable code of a rejection, or {@code null}
         * @param overage for an accepted event, whether it went past a limit, else {@code null}
         */
        public void result(int j, String status, @Nullable String reason, @Nullable Boolean overage) {
            int i = validIndex.get(j);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("index", i);
            r.put("idempotencyKey", valid.get(j).idempotencyKey());
            r.put("status", status);
            if (reason != null) {
                r.put("reason", reason);
                String field = fieldOf(reason);
                if (field != null) {
                    r.put("field", "events[" + i + "]." + field);
                }
            }
            if (overage != null) {
                r.put("overage", overage);
            }
            results[i] = r;
        }

        /** The answer, once every valid event has its {@link #result}: the counts and the results in order. */
        public Map<String, Object> answer() {
            return EventsAnswer.of(Arrays.asList(results));
        }
    }

    /** A {@code POST /v1/sessions}: the customer, and the session asked for. */
    public record SessionOpening(String customerId, SessionRequest request) {}

    /** The body of {@code POST /v1/sessions}. */
    public static SessionOpening session(ApiRequest ctx) {
        Body b = body(ctx)
                .allowOnly(
                        "customerId",
                        "scope",
                        "currency",
                        "feature",
                        "amount",
                        "ttlSeconds",
                        "maxLifetimeSeconds",
                        "quote",
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
        Boolean quote = b.optBoolean("quote");
        if (Boolean.TRUE.equals(quote) && feature == null) {
            throw ApiException.badRequest(
                    "INVALID_SESSION", "only a feature session can fix its price (quote)", "quote");
        }
        return new SessionOpening(
                customerId,
                new SessionRequest(
                        b.optId("scope"),
                        currency,
                        feature,
                        b.requireQuantity("amount"),
                        Duration.ofSeconds(ttl),
                        max == null ? null : Duration.ofSeconds(max),
                        b.requireIdempotencyKey(ctx.header("Idempotency-Key")),
                        Boolean.TRUE.equals(quote) ? SessionRequest.Pricing.QUOTED : SessionRequest.Pricing.AT_USE));
    }

    /** The {@code used} of {@code POST /v1/sessions/{id}/close}, or {@code null} for what was consumed in it. */
    public static @Nullable BigDecimal closeUsed(ApiRequest ctx) {
        return body(ctx).allowOnly("used").optQuantity("used", false);
    }

    /**
     * The request field a refusal's reason is about ({@code feature} for {@code NOT_ENTITLED}), or {@code null} when
     * it is about no one field (a limit, a budget, the store) or is no reason of the server's.
     */
    public static @Nullable String fieldOf(String reason) {
        Reason r;
        try {
            r = Reason.valueOf(reason);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return switch (r) {
            case CUSTOMER_NOT_FOUND -> "customerId";
            case FEATURE_NOT_FOUND, FEATURE_NOT_METERED, NOT_ENTITLED, UNPRICED -> "feature";
            case SCOPE_NOT_FOUND -> "scope";
            case SESSION_NOT_FOUND, SESSION_CLOSED, SESSION_MISMATCH -> "sessionId";
            case TIMESTAMP_IN_FUTURE -> "timestamp";
            case IDEMPOTENCY_KEY_REUSED, INVALID_IDEMPOTENCY_KEY -> "idempotencyKey";
            default -> null;
        };
    }
}
