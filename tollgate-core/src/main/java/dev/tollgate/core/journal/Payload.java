package dev.tollgate.core.journal;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reading and writing the fields of a journal payload in the {@link dev.tollgate.core.json.Json} tree model: absent
 * values are left out, a missing required field or a value of the wrong shape is an {@link IllegalArgumentException}.
 * Stateless.
 */
final class Payload {
    private Payload() {}

    /** Puts a field unless its value is {@code null}. */
    static void put(Map<String, Object> m, String field, @Nullable Object value) {
        if (value != null) {
            m.put(field, value);
        }
    }

    /** Format 2: a zero is left out, and read back as {@link #decOrZero}. */
    static void putUnlessZero(Map<String, Object> m, String field, BigDecimal value) {
        if (value.signum() != 0) {
            m.put(field, value);
        }
    }

    static BigDecimal decOrZero(Map<String, Object> m, String field) {
        BigDecimal value = optDec(m, field);
        return value == null ? BigDecimal.ZERO : value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(@Nullable Object o) {
        if (!(o instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("expected an object in journal payload");
        }
        return (Map<String, Object>) o;
    }

    /** A map of strings, as dimensions are written. */
    static Map<String, String> strings(@Nullable Object o) {
        Map<String, String> out = new LinkedHashMap<>();
        map(o).forEach((k, v) -> out.put(k, (String) v));
        return out;
    }

    static String str(Map<String, Object> m, String field) {
        return req(optStr(m, field));
    }

    static @Nullable String optStr(Map<String, Object> m, String field) {
        return (String) m.get(field);
    }

    static BigDecimal dec(Map<String, Object> m, String field) {
        return req(optDec(m, field));
    }

    static @Nullable BigDecimal optDec(Map<String, Object> m, String field) {
        return (BigDecimal) m.get(field);
    }

    static boolean bool(Map<String, Object> m, String field) {
        return req((Boolean) m.get(field));
    }

    static int integer(Map<String, Object> m, String field) {
        return dec(m, field).intValueExact();
    }

    static Instant instant(Map<String, Object> m, String field) {
        return Instant.parse(str(m, field));
    }

    static @Nullable Instant optInstant(Map<String, Object> m, String field) {
        String value = optStr(m, field);
        return value == null ? null : Instant.parse(value);
    }

    static <T> T req(@Nullable T value) {
        if (value == null) {
            throw new IllegalArgumentException("missing field in journal payload");
        }
        return value;
    }
}
