package dev.tollgate.core.catalog;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The low-level readers of a catalog document in the {@link dev.tollgate.core.json.Json} tree model, and the errors
 * they collect: each reads one field or node, records an error at its location when the value is unusable, and
 * returns {@code null} (or the fallback) so that reading goes on and every problem is reported at once.
 *
 * <p>Not thread-safe: one instance per document read ({@link CatalogReader}).
 */
final class CatalogNodes {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private final List<CatalogError> errors = new ArrayList<>();

    /** The errors recorded so far, in order. */
    List<CatalogError> errors() {
        return errors;
    }

    interface ItemReader {
        void read(@Nullable Object value, String path);
    }

    void forEach(Map<String, Object> node, String field, ItemReader reader) {
        forEach(node, "", field, reader);
    }

    void forEach(Map<String, Object> node, String parentPath, String field, ItemReader reader) {
        Object value = node.get(field);
        String path = parentPath.isEmpty() ? field : parentPath + "." + field;
        if (value == null) {
            return;
        }
        if (!(value instanceof List<?> list)) {
            error(path, "must be a list");
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            reader.read(list.get(i), path + "[" + i + "]");
        }
    }

    @Nullable
    Map<String, Object> object(@Nullable Object value, String path, String what) {
        if (value instanceof Map<?, ?>) {
            return asMap(value);
        }
        error(path.isEmpty() ? "$" : path, "must be an object (" + what + ")");
        return null;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value) {
        return (Map<String, Object>) value;
    }

    @Nullable
    Map<String, Object> optionalObject(Map<String, Object> node, String path, String field) {
        Object value = node.get(field);
        return value == null ? null : object(value, path + "." + field, field);
    }

    void allowOnly(Map<String, Object> node, String path, String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (String field : node.keySet()) {
            if (!ok.contains(field)) {
                error(path.isEmpty() ? field : path + "." + field, "unknown field");
            }
        }
    }

    @Nullable
    String key(Map<String, Object> node, String path) {
        String key = requiredString(node, path, "key");
        if (key != null && !KEY.matcher(key).matches()) {
            error(path + ".key", "must match " + KEY.pattern());
            return null;
        }
        return key;
    }

    @Nullable
    String requiredString(Map<String, Object> node, String path, String field) {
        if (!node.containsKey(field) || node.get(field) == null) {
            error(path + "." + field, "is required");
            return null;
        }
        return optionalString(node, path, field);
    }

    @Nullable
    String optionalString(Map<String, Object> node, String path, String field) {
        Object value = node.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            error(path + "." + field, "must be a string");
            return null;
        }
        return s;
    }

    @Nullable
    String oneOf(Map<String, Object> node, String path, String field, @Nullable String fallback, String... allowed) {
        Object value = node.get(field);
        if (value == null) {
            if (fallback == null) {
                error(path + "." + field, "is required (one of " + String.join(", ", allowed) + ")");
            }
            return fallback;
        }
        for (String a : allowed) {
            if (a.equals(value)) {
                return a;
            }
        }
        error(path + "." + field, "must be one of " + String.join(", ", allowed));
        return null;
    }

    @Nullable
    ResetPeriod period(Map<String, Object> node, String path, String field, @Nullable ResetPeriod fallback) {
        Object value = node.get(field);
        if (value == null) {
            return fallback;
        }
        ResetPeriod p = value instanceof String s ? ResetPeriod.parse(s).orElse(null) : null;
        if (p == null) {
            error(path + "." + field, "must be one of hour, day, week, month, year, never");
        }
        return p;
    }

    boolean bool(Map<String, Object> node, String path, String field, boolean fallback) {
        Object value = node.get(field);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        error(path + "." + field, "must be true or false");
        return fallback;
    }

    @Nullable
    BigDecimal decimal(Map<String, Object> node, String path, String field, @Nullable BigDecimal fallback) {
        Object value = node.get(field);
        return value == null ? fallback : asDecimal(value, path + "." + field);
    }

    @Nullable
    BigDecimal nonNegative(Map<String, Object> node, String path, String field) {
        BigDecimal d = decimal(node, path, field, null);
        if (d != null && d.signum() < 0) {
            error(path + "." + field, "must be >= 0");
            return null;
        }
        return d;
    }

    @Nullable
    BigDecimal asDecimal(@Nullable Object value, String path) {
        BigDecimal d = null;
        if (value instanceof BigDecimal b) {
            d = b;
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            d = BigDecimal.valueOf(((Number) value).longValue());
        } else if (value instanceof java.math.BigInteger i) {
            d = new BigDecimal(i);
        } else if (value instanceof Double || value instanceof Float) {
            d = new BigDecimal(value.toString());
        }
        if (d == null) {
            error(path, "must be a number");
            return null;
        }
        if (!Decimals.inRange(d)) {
            error(path, "out of range (at most " + Decimals.MAX_SCALE + " decimals, below 1e18)");
            return null;
        }
        return Decimals.normalize(d);
    }

    void error(String path, String message) {
        errors.add(new CatalogError(path, message));
    }
}
