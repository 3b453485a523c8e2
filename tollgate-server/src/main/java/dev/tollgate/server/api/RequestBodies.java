package dev.tollgate.server.api;

import static dev.tollgate.server.http.Requests.body;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.Limits;
import dev.tollgate.core.Reason;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.SessionRequest;
import dev.tollgate.core.api.UsageEvent;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Body;
import dev.tollgate.server.http.EventsAnswer;
import dev.tollgate.server.http.FlatBody;
import dev.tollgate.server.http.Trees;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

    private static final FlatBody.Names REQUEST_PATH_FIELDS = new FlatBody.Names(
            "customerId", "feature", "quantity", "scope", "sessionId", "dimensions", "idempotencyKey");
    private static final int CUSTOMER = 0;
    private static final int FEATURE = 1;
    private static final int QUANTITY = 2;
    private static final int SCOPE = 3;
    private static final int SESSION = 4;
    private static final int DIMENSIONS = 5;
    private static final int KEY = 6;

    /**
     * The body of {@code POST /v1/check}: read the fast way ({@link FlatBody}) when it is plain and valid, else the full
     * way, which refuses it with its code and field.
     */
    public static CheckRequest check(ApiRequest ctx) {
        CheckRequest fast = fastCheck(ctx);
        return fast != null ? fast : fullCheck(ctx);
    }

    /** The body of {@code POST /v1/check} if it is plain and valid; else {@code null}. */
    static @Nullable CheckRequest fastCheck(ApiRequest ctx) {
        FlatBody flat = FlatBody.read(ctx.bodyAsBytes(), REQUEST_PATH_FIELDS, DIMENSIONS);
        if (flat == null || flat.has(KEY) || !valid(flat, false)) {
            return null;
        }
        return new CheckRequest(
                flatString(flat, CUSTOMER),
                flatString(flat, FEATURE),
                flatQuantity(flat),
                flat.string(SCOPE),
                flat.object(DIMENSIONS),
                flat.string(SESSION));
    }

    /** The body of {@code POST /v1/check} read the full way: every refusal of one comes from here. */
    static CheckRequest fullCheck(ApiRequest ctx) {
        Body b = body(ctx).allowOnly("customerId", "feature", "quantity", "scope", "sessionId", "dimensions");
        return new CheckRequest(
                b.requireId("customerId"),
                b.requireId("feature"),
                b.optQuantity("quantity", false),
                b.optId("scope"),
                b.dimensions("dimensions"),
                b.optId("sessionId"));
    }

    /**
     * The body of {@code POST /v1/consume} (the key may come as the {@code Idempotency-Key} header): read as {@link
     * #check} reads its body.
     */
    public static ConsumeRequest consume(ApiRequest ctx) {
        ConsumeRequest fast = fastConsume(ctx);
        return fast != null ? fast : fullConsume(ctx);
    }

    /** The body of {@code POST /v1/consume} with its key if it is plain and valid; else {@code null}. */
    static @Nullable ConsumeRequest fastConsume(ApiRequest ctx) {
        FlatBody flat = FlatBody.read(ctx.bodyAsBytes(), REQUEST_PATH_FIELDS, DIMENSIONS);
        if (flat == null || !valid(flat, true)) {
            return null;
        }
        String key = flat.has(KEY) ? flat.string(KEY) : ctx.header("Idempotency-Key");
        if (key == null || !Body.isIdempotencyKey(key)) {
            return null;
        }
        BigDecimal quantity = flatQuantity(flat);
        return new ConsumeRequest(
                flatString(flat, CUSTOMER),
                flatString(flat, FEATURE),
                quantity == null ? BigDecimal.ONE : quantity,
                key,
                flat.string(SCOPE),
                flat.object(DIMENSIONS),
                flat.string(SESSION));
    }

    /** The body of {@code POST /v1/consume} read the full way: every refusal of one comes from here. */
    static ConsumeRequest fullConsume(ApiRequest ctx) {
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
     * Whether a plain body holds what {@link Body} would accept for the request path's fields (the key aside): ids
     * where ids go, a quantity in range ({@code > 0} if {@code positive}), dimensions within their limits. When not,
     * the full way refuses it.
     */
    private static boolean valid(FlatBody flat, boolean positive) {
        BigDecimal quantity = flat.number(QUANTITY);
        if (flat.has(QUANTITY)
                && (quantity == null
                        || quantity.signum() < 0
                        || (positive && quantity.signum() == 0)
                        || !Decimals.inRange(quantity))) {
            return false;
        }
        Map<String, String> dimensions = flat.object(DIMENSIONS);
        if (dimensions.size() > Limits.MAX_DIMENSIONS) {
            return false;
        }
        for (Map.Entry<String, String> d : dimensions.entrySet()) {
            if (!Body.isDimension(d.getKey(), d.getValue())) {
                return false;
            }
        }
        return flatId(flat, CUSTOMER, true)
                && flatId(flat, FEATURE, true)
                && flatId(flat, SCOPE, false)
                && flatId(flat, SESSION, false);
    }

    private static boolean flatId(FlatBody flat, int field, boolean required) {
        String id = flat.string(field);
        return id == null ? !required && !flat.has(field) : Body.isId(id);
    }

    private static String flatString(FlatBody flat, int field) {
        return Objects.requireNonNull(flat.string(field));
    }

    private static @Nullable BigDecimal flatQuantity(FlatBody flat) {
        BigDecimal quantity = flat.number(QUANTITY);
        return quantity == null ? null : Decimals.normalize(quantity);
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
