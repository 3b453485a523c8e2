package dev.tollgate.server.http;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.Limits;
import dev.tollgate.core.api.SubscriptionRequest;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads one JSON object of a request strictly: unknown fields, wrong types and out-of-range values are refused with
 * a {@code 400}, a stable code and the offending field's path. A value {@link Trees} refused ({@link Trees.Refused})
 * is refused by every accessor with its own code; instants lie within {@link Limits#MIN_INSTANT} and {@link
 * Limits#MAX_INSTANT}.
 *
 * <p>Not thread-safe; one instance per request.
 */
public final class Body {
    private final Map<String, Object> fields;
    private final String path;

    private Body(Map<String, Object> fields, String path) {
        this.fields = fields;
        this.path = path;
    }

    /** The request body as an object. */
    public static Body of(@Nullable Object tree) {
        return object(tree, "");
    }

    /** A nested object. */
    public static Body object(@Nullable Object tree, String path) {
        if (tree instanceof Trees.Refused r) {
            throw r.at(path);
        }
        if (!(tree instanceof Map<?, ?>)) {
            throw ApiException.badRequest(
                    "INVALID_TYPE",
                    (path.isEmpty() ? "the body" : path) + " must be a JSON object",
                    path.isEmpty() ? null : path);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) tree;
        return new Body(map, path);
    }

    public String at(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /** Refuses any field not listed (a scan of a few names: no set is built for a request). */
    public Body allowOnly(String... allowed) {
        for (String f : fields.keySet()) {
            if (!listed(allowed, f)) {
                throw ApiException.badRequest("UNKNOWN_FIELD", "unknown field '" + f + "'", at(f));
            }
        }
        return this;
    }

    private static boolean listed(String[] allowed, String field) {
        for (String a : allowed) {
            if (a.equals(field)) {
                return true;
            }
        }
        return false;
    }

    public boolean has(String field) {
        return fields.get(field) != null;
    }

    @Nullable
    public Object raw(String field) {
        return fields.get(field);
    }

    /**
     * The value of {@code field}, unless {@link Trees} refused it. The field's path is built only for a refusal: every
     * field of every request is read here.
     */
    private @Nullable Object value(String field) {
        Object v = fields.get(field);
        if (v instanceof Trees.Refused r) {
            throw r.at(at(field));
        }
        return v;
    }

    public String requireString(String field) {
        String s = optString(field);
        if (s == null) {
            throw missing(field);
        }
        return s;
    }

    @Nullable
    public String optString(String field) {
        Object v = value(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw ApiException.badRequest("INVALID_TYPE", at(field) + " must be a string", at(field));
        }
        if (s.length() > Limits.MAX_STRING_LENGTH) {
            throw ApiException.badRequest(
                    "TOO_LONG", at(field) + " is longer than " + Limits.MAX_STRING_LENGTH + " characters", at(field));
        }
        return s;
    }

    /** A required id (customer, feature, scope): 1–128 characters of letters, digits and {@code . _ : @ / -}. */
    public String requireId(String field) {
        String s = requireString(field);
        checkId(s, at(field));
        return s;
    }

    @Nullable
    public String optId(String field) {
        String s = optString(field);
        if (s != null) {
            checkId(s, at(field));
        }
        return s;
    }

    public static void checkId(String s, String field) {
        if (!isId(s)) {
            throw ApiException.badRequest(
                    "INVALID_ID",
                    field + " must be 1-128 letters, digits or . _ : @ / - (starting with a letter or digit)",
                    field);
        }
    }

    /**
     * Whether {@code s} is an id: {@code [A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}}, checked with a plain loop, as ids are
     * checked several times per request.
     */
    public static boolean isId(String s) {
        int n = s.length();
        if (n == 0 || n > Limits.MAX_ID_LENGTH || !asciiLetterOrDigit(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = s.charAt(i);
            boolean ok = asciiLetterOrDigit(c) || c == '.' || c == '_' || c == ':' || c == '@' || c == '/' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean asciiLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** The idempotency key from the body or the {@code Idempotency-Key} header; {@code null} if neither. */
    @Nullable
    public String idempotencyKey(@Nullable String header) {
        String fromBody = optString("idempotencyKey");
        String key = fromBody != null ? fromBody : header;
        if (key != null && (key.isEmpty() || key.length() > Limits.MAX_KEY_LENGTH)) {
            throw ApiException.badRequest(
                    "INVALID_IDEMPOTENCY_KEY",
                    "idempotencyKey must be 1-" + Limits.MAX_KEY_LENGTH + " characters",
                    at("idempotencyKey"));
        }
        if (key != null && Limits.reservedKey(key)) {
            throw ApiException.badRequest(
                    "INVALID_IDEMPOTENCY_KEY",
                    "idempotency keys starting with " + String.join(", ", Limits.RESERVED_KEY_PREFIXES)
                            + " are reserved",
                    at("idempotencyKey"));
        }
        if (key != null && !Limits.storable(key)) {
            throw ApiException.badRequest(
                    "INVALID_STRING",
                    "idempotencyKey is not well-formed Unicode text (a lone surrogate, or U+0000)",
                    at("idempotencyKey"));
        }
        return key;
    }

    /**
     * Whether {@code key} is an idempotency key {@link #idempotencyKey} accepts: 1-{@value Limits#MAX_KEY_LENGTH}
     * characters of well-formed text, not under a reserved prefix.
     */
    public static boolean isIdempotencyKey(String key) {
        return !key.isEmpty()
                && key.length() <= Limits.MAX_KEY_LENGTH
                && !Limits.reservedKey(key)
                && Limits.storable(key);
    }

    public String requireIdempotencyKey(@Nullable String header) {
        String key = idempotencyKey(header);
        if (key == null) {
            throw ApiException.badRequest(
                    "MISSING_IDEMPOTENCY_KEY",
                    "every write needs an idempotencyKey (body field or Idempotency-Key header)",
                    at("idempotencyKey"));
        }
        return key;
    }

    /**
     * A decimal quantity.
     *
     * @param positive {@code true} if it must be {@code > 0}, {@code false} if {@code >= 0}
     */
    @Nullable
    public BigDecimal optQuantity(String field, boolean positive) {
        Object v = value(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof BigDecimal d)) {
            throw ApiException.badRequest("INVALID_TYPE", at(field) + " must be a number", at(field));
        }
        if (d.signum() < 0 || (positive && d.signum() == 0)) {
            throw ApiException.badRequest(
                    "INVALID_QUANTITY", at(field) + (positive ? " must be > 0" : " must be >= 0"), at(field));
        }
        if (!Decimals.inRange(d)) {
            throw ApiException.badRequest(
                    "INVALID_QUANTITY",
                    at(field) + " is out of range (at most " + Decimals.MAX_SCALE + " decimals, below 1e18)",
                    at(field));
        }
        return Decimals.normalize(d);
    }

    public BigDecimal requireQuantity(String field) {
        BigDecimal q = optQuantity(field, true);
        if (q == null) {
            throw missing(field);
        }
        return q;
    }

    @Nullable
    public Integer optInt(String field, int min, int max) {
        Object v = value(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof BigDecimal d) || d.stripTrailingZeros().scale() > 0) {
            throw ApiException.badRequest("INVALID_TYPE", at(field) + " must be a whole number", at(field));
        }
        if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw ApiException.badRequest(
                    "OUT_OF_RANGE", at(field) + " must be between " + min + " and " + max, at(field));
        }
        return d.intValue();
    }

    /**
     * A version asked for: a whole number of at least 1, or {@code "latest"}; anything else is {@code 400
     * INVALID_VERSION}.
     */
    public SubscriptionRequest.@Nullable VersionChoice optVersion(String field) {
        Object v = value(field);
        if (v == null) {
            return null;
        }
        if ("latest".equals(v)) {
            return SubscriptionRequest.VersionChoice.LATEST;
        }
        if (v instanceof BigDecimal d
                && d.stripTrailingZeros().scale() <= 0
                && d.signum() > 0
                && d.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0) {
            return SubscriptionRequest.VersionChoice.of(d.intValueExact());
        }
        throw ApiException.badRequest(
                "INVALID_VERSION", at(field) + " must be a version number (1 or more) or \"latest\"", at(field));
    }

    @Nullable
    public Instant optInstant(String field) {
        String s = optString(field);
        if (s == null) {
            return null;
        }
        Instant t;
        try {
            t = Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(
                    "INVALID_TIME",
                    at(field) + " must be an ISO-8601 UTC time such as 2026-11-22T10:15:30Z",
                    at(field));
        }
        if (!Limits.fits(t)) {
            throw ApiException.badRequest(
                    "OUT_OF_RANGE",
                    at(field) + " must lie between " + Limits.MIN_INSTANT + " and " + Limits.MAX_INSTANT,
                    at(field));
        }
        return t;
    }

    @Nullable
    public Boolean optBoolean(String field) {
        Object v = value(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Boolean b)) {
            throw ApiException.badRequest("INVALID_TYPE", at(field) + " must be true or false", at(field));
        }
        return b;
    }

    /** Attribution dimensions: an object of at most 32 string values. */
    public Map<String, String> dimensions(String field) {
        Object v = value(field);
        if (v == null) {
            return Map.of();
        }
        Body dims = object(v, at(field));
        if (dims.fields.size() > Limits.MAX_DIMENSIONS) {
            throw ApiException.badRequest(
                    "TOO_MANY_DIMENSIONS",
                    at(field) + " has more than " + Limits.MAX_DIMENSIONS + " entries",
                    at(field));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : dims.fields.entrySet()) {
            Object dimension = e.getValue();
            if (dimension instanceof Trees.Refused r) {
                throw r.at(dims.at(e.getKey()));
            }
            if (!(dimension instanceof String s)) {
                String key = dims.at(e.getKey());
                throw ApiException.badRequest("INVALID_TYPE", key + " must be a string", key);
            }
            if (!isDimension(e.getKey(), s)) {
                String key = dims.at(e.getKey());
                throw ApiException.badRequest(
                        "TOO_LONG", key + " must be 1-" + Limits.MAX_DIMENSION_LENGTH + " characters", key);
            }
            out.put(e.getKey(), s);
        }
        return out;
    }

    /**
     * Whether a dimension fits: its name 1-{@value Limits#MAX_DIMENSION_LENGTH} characters, its value at most as many.
     */
    public static boolean isDimension(String name, String value) {
        return !name.isEmpty()
                && name.length() <= Limits.MAX_DIMENSION_LENGTH
                && value.length() <= Limits.MAX_DIMENSION_LENGTH;
    }

    /** A free-form object (metadata), kept as a tree. */
    public Map<String, Object> freeObject(String field) {
        Object v = fields.get(field);
        if (v == null) {
            return Map.of();
        }
        return object(v, at(field)).fields;
    }

    public List<Object> optList(String field, int maxSize) {
        Object v = value(field);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw ApiException.badRequest("INVALID_TYPE", at(field) + " must be a list", at(field));
        }
        if (list.size() > maxSize) {
            throw ApiException.badRequest(
                    "TOO_MANY_ITEMS", at(field) + " has more than " + maxSize + " items", at(field));
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw ApiException.badRequest(
                        "INVALID_TYPE", at(field) + "[" + i + "] must not be null", at(field) + "[" + i + "]");
            }
        }
        @SuppressWarnings("unchecked")
        List<Object> items = (List<Object>) list;
        return items;
    }

    public ApiException missing(String field) {
        return ApiException.badRequest("MISSING_FIELD", at(field) + " is required", at(field));
    }
}
