package dev.tollgate.client;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * The JSON of the API contract ({@code API.md}) to and from the SDK's records. Numbers are read as {@link BigDecimal}
 * (never binary floating point) and written plain. Unknown fields are ignored, so a newer server's answers still read.
 * Stateless and thread-safe.
 */
final class Wire {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private Wire() {}

    static byte[] write(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    static String writeString(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    /** The JSON value of {@code bytes}; {@code MissingNode} for none or for text that is not JSON. */
    static JsonNode read(byte[] bytes) {
        if (bytes.length == 0) {
            return MissingNode.getInstance();
        }
        try {
            return MAPPER.readTree(bytes);
        } catch (RuntimeException e) {
            return MissingNode.getInstance();
        }
    }

    static JsonNode read(String text) {
        return read(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static Map<String, Object> check(CheckRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("customerId", r.customerId());
        m.put("feature", r.feature());
        put(m, "quantity", r.quantity());
        put(m, "scope", r.scope());
        put(m, "sessionId", r.sessionId());
        if (!r.dimensions().isEmpty()) {
            m.put("dimensions", new TreeMap<>(r.dimensions()));
        }
        return m;
    }

    static Map<String, Object> consume(ConsumeRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("customerId", r.customerId());
        m.put("feature", r.feature());
        m.put("quantity", r.quantity());
        m.put("idempotencyKey", r.idempotencyKey());
        put(m, "scope", r.scope());
        put(m, "sessionId", r.sessionId());
        if (!r.dimensions().isEmpty()) {
            m.put("dimensions", new TreeMap<>(r.dimensions()));
        }
        return m;
    }

    static Map<String, Object> event(UsageEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("idempotencyKey", e.idempotencyKey());
        m.put("customerId", e.customerId());
        m.put("feature", e.feature());
        m.put("quantity", e.quantity());
        put(m, "scope", e.scope());
        put(m, "sessionId", e.sessionId());
        if (!e.dimensions().isEmpty()) {
            m.put("dimensions", new TreeMap<>(e.dimensions()));
        }
        if (e.timestamp() != null) {
            m.put("timestamp", e.timestamp().toString());
        }
        return m;
    }

    /** An event read back from {@link #event}'s JSON. */
    static UsageEvent event(JsonNode n) {
        Map<String, String> dims = new TreeMap<>();
        n.path("dimensions")
                .properties()
                .forEach(p -> dims.put(p.getKey(), p.getValue().asString()));
        return new UsageEvent(
                n.path("idempotencyKey").asString(),
                n.path("customerId").asString(),
                n.path("feature").asString(),
                n.path("quantity").decimalValue(),
                text(n, "scope"),
                text(n, "sessionId"),
                dims,
                instant(n, "timestamp"));
    }

    static Map<String, Object> session(SessionRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("customerId", r.customerId());
        put(m, "scope", r.scope());
        put(m, "feature", r.feature());
        put(m, "currency", r.currency());
        m.put("amount", r.amount());
        m.put("ttlSeconds", r.ttl().toSeconds());
        m.put("idempotencyKey", r.idempotencyKey());
        return m;
    }

    static Decision decision(JsonNode n, Source source) {
        JsonNode b = n.path("boundBy");
        return new Decision(
                n.path("allowed").asBoolean(false),
                text(n, "reason"),
                b.isObject()
                        ? new BoundBy(
                                b.path("kind").asString(),
                                text(b, "feature"),
                                text(b, "currency"),
                                text(b, "scope"),
                                text(b, "budget"),
                                text(b, "session"))
                        : null,
                decimal(n, "limit"),
                orZero(decimal(n, "used")),
                orZero(decimal(n, "held")),
                decimal(n, "remaining"),
                n.path("unlimited").asBoolean(false),
                n.path("overage").asBoolean(false),
                decimal(n, "overageQuantity"),
                instant(n, "resetsAt"),
                decimal(n, "value"),
                text(n, "currency"),
                decimal(n, "credits"),
                decimal(n, "balance"),
                n.has("recorded") ? n.path("recorded").asBoolean() : null,
                source);
    }

    static Session session(JsonNode n, String customerId) {
        if (!n.path("opened").asBoolean(true)) {
            return new Session(
                    false,
                    null,
                    customerId,
                    null,
                    BigDecimal.ZERO,
                    BigDecimal.ZERO,
                    BigDecimal.ZERO,
                    false,
                    null,
                    null,
                    decision(n, Source.SERVER));
        }
        return new Session(
                true,
                text(n, "sessionId"),
                n.path("customerId").asString(customerId),
                text(n, "status"),
                orZero(decimal(n, "amount")),
                orZero(decimal(n, "consumed")),
                orZero(decimal(n, "held")),
                n.path("overage").asBoolean(false),
                decimal(n, "excess"),
                instant(n, "expiresAt"),
                null);
    }

    static Entitlement entitlement(JsonNode n) {
        return new Entitlement(
                n.path("feature").asString(),
                n.path("type").asString(),
                text(n, "source"),
                n.path("enabled").isBoolean() ? n.path("enabled").booleanValue() : null,
                decimal(n, "value"),
                decimal(n, "limit"),
                n.path("unlimited").asBoolean(false),
                decimal(n, "used"),
                decimal(n, "held"),
                decimal(n, "remaining"),
                text(n, "enforcement"),
                instant(n, "resetsAt"),
                n.path("price").isObject()
                        ? new Entitlement.Price(
                                n.path("price").path("currency").asString(), decimal(n.path("price"), "unitPrice"))
                        : null);
    }

    /**
     * The price a quoted session fixed, from its answer's {@code quote} ({@code {"currency"?, "unitPrice"}}): {@link
     * LeasePrice#FREE} without a currency; {@code null} when the answer has none (a server that does not quote).
     */
    static @Nullable LeasePrice quote(JsonNode session) {
        JsonNode q = session.path("quote");
        if (!q.isObject()) {
            return null;
        }
        String currency = text(q, "currency");
        BigDecimal unitPrice = decimal(q, "unitPrice");
        return currency == null || unitPrice == null ? LeasePrice.FREE : new LeasePrice(currency, unitPrice);
    }

    static @Nullable String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isString() ? v.asString() : null;
    }

    static @Nullable BigDecimal decimal(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isNumber() ? v.decimalValue() : null;
    }

    static @Nullable Instant instant(JsonNode n, String field) {
        String t = text(n, field);
        return t == null ? null : Instant.parse(t);
    }

    private static BigDecimal orZero(@Nullable BigDecimal v) {
        return v == null ? BigDecimal.ZERO : v;
    }

    private static void put(Map<String, Object> m, String field, @Nullable Object value) {
        if (value != null) {
            m.put(field, value);
        }
    }
}
