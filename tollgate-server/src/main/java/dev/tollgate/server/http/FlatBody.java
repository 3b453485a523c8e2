package dev.tollgate.server.http;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The fast way to read the request path's small bodies ({@code /v1/check}, {@code /v1/consume}): a flat JSON object
 * read straight from its bytes, with no parser and no tree.
 *
 * <p>Design: it only ever accepts, never refuses. It reads the plain shape those bodies have in practice, an object
 * whose values are plain strings, plain decimals, and at most one object of plain strings (the dimensions); on
 * anything else it answers {@code null}, and the caller reads the body the full way ({@link Trees} then {@link Body}),
 * which refuses with the exact code and field. So the answer to a body never depends on which way read it: a refusal
 * always comes from the full way, and what this reads is what the full way would have read. {@code FlatBodyTest}
 * holds the two ways to that over generated bodies.
 *
 * <p>Plain means: a string of printable ASCII ({@code 0x20}-{@code 0x7e}) without escapes (every id, key and
 * dimension an application sends; anything else takes the full way, whose Unicode checks then apply); a number
 * {@code 0|[1-9][0-9]*} with an optional fraction, at most 36 digits, no sign and no exponent; JSON whitespace between
 * tokens. A name not listed, a name twice, a {@code null}, a boolean, an array or anything after the object is not
 * plain.
 *
 * <p>Not thread-safe; one per request.
 */
public final class FlatBody {
    private static final int MAX_DIGITS = 36;

    private final @Nullable Object[] values;

    private FlatBody(@Nullable Object[] values) {
        this.values = values;
    }

    /**
     * The body's fields by the index of their name in {@code names}, or {@code null} when the body is not plain (read
     * it the full way).
     *
     * @param names the names a body may have, each plain ASCII
     * @param objectField the index in {@code names} of the one field whose value is an object of strings, or {@code -1}
     */
    public static @Nullable FlatBody read(byte[] body, Names names, int objectField) {
        Scanner s = new Scanner(body);
        @Nullable Object[] values = new Object[names.count()];
        if (!s.skipTo('{')) {
            return null;
        }
        if (s.peekAfterSpace() == '}') {
            s.pos++;
        } else {
            while (true) {
                int field = s.name(names);
                if (field < 0 || values[field] != null || !s.skipTo(':')) {
                    return null;
                }
                Object value = field == objectField ? s.stringObject() : s.scalar();
                if (value == null) {
                    return null;
                }
                values[field] = value;
                int next = s.peekAfterSpace();
                s.pos++;
                if (next == '}') {
                    break;
                }
                if (next != ',') {
                    return null;
                }
            }
        }
        return s.peekAfterSpace() == Scanner.END ? new FlatBody(values) : null;
    }

    /** The string of field {@code index}; {@code null} if absent or not a string. */
    public @Nullable String string(int index) {
        return values[index] instanceof String s ? s : null;
    }

    /** Whether field {@code index} is in the body. */
    public boolean has(int index) {
        return values[index] != null;
    }

    /** The number of field {@code index}, as {@link Trees} reads it; {@code null} if absent or not a number. */
    public @Nullable BigDecimal number(int index) {
        return values[index] instanceof BigDecimal d ? d : null;
    }

    /** The object of strings of field {@code index}, in body order (the reader's own map: copy it); empty if absent. */
    @SuppressWarnings("unchecked")
    public Map<String, String> object(int index) {
        return values[index] instanceof Map<?, ?> m ? (Map<String, String>) m : Map.of();
    }

    /**
     * The names a body may have, as bytes, so that a name is matched without making a string of it.
     *
     * <p>Thread-safe: immutable.
     */
    public static final class Names {
        private final byte[][] names;

        public Names(String... names) {
            this.names = new byte[names.length][];
            for (int i = 0; i < names.length; i++) {
                this.names[i] = names[i].getBytes(StandardCharsets.US_ASCII);
            }
        }

        int count() {
            return names.length;
        }

        /** The index of the name in {@code body[from, to)}, or {@code -1}. */
        int indexOf(byte[] body, int from, int to) {
            for (int i = 0; i < names.length; i++) {
                byte[] n = names[i];
                if (n.length == to - from && Arrays.equals(n, 0, n.length, body, from, to)) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** A position in the body and the plain tokens read from it; {@code null} or {@code -1} for anything not plain. */
    private static final class Scanner {
        static final int END = -1;

        private final byte[] b;
        private int pos;

        Scanner(byte[] body) {
            this.b = body;
        }

        /**
         * The next byte after JSON whitespace (0-255), not consumed; {@link #END} at the end. Unsigned: byte 0xff read
         * as a signed -1 was taken for the end, and a body with it after the object was accepted.
         */
        int peekAfterSpace() {
            while (pos < b.length) {
                byte c = b[pos];
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                    return c & 0xff;
                }
                pos++;
            }
            return END;
        }

        /** Consumes {@code c} after whitespace; {@code false} if something else comes. */
        boolean skipTo(char c) {
            if (peekAfterSpace() != c) {
                return false;
            }
            pos++;
            return true;
        }

        /** The end (exclusive) of the plain string whose opening quote is at {@code pos}, or {@code -1}. */
        private int stringEnd() {
            for (int i = pos + 1; i < b.length; i++) {
                byte c = b[i];
                if (c == '"') {
                    return i;
                }
                if (c < 0x20 || c == '\\' || c == 0x7f) { // a negative byte is not ASCII
                    return -1;
                }
            }
            return -1;
        }

        /** A field name from {@code names}: its index, or {@code -1}. */
        int name(Names names) {
            if (peekAfterSpace() != '"') {
                return -1;
            }
            int end = stringEnd();
            if (end < 0) {
                return -1;
            }
            int index = names.indexOf(b, pos + 1, end);
            pos = end + 1;
            return index;
        }

        @Nullable
        String string() {
            if (peekAfterSpace() != '"') {
                return null;
            }
            int end = stringEnd();
            if (end < 0) {
                return null;
            }
            String s = new String(b, pos + 1, end - pos - 1, StandardCharsets.ISO_8859_1);
            pos = end + 1;
            return s;
        }

        /** A plain string or a plain number. */
        @Nullable
        Object scalar() {
            int c = peekAfterSpace();
            return c == '"' ? string() : c >= '0' && c <= '9' ? number() : null;
        }

        @Nullable
        Object number() {
            int start = pos;
            long unscaled = 0;
            int digits = 0;
            int scale = 0;
            boolean fraction = false;
            boolean leadingZero = b[pos] == '0';
            for (; pos < b.length; pos++) {
                byte c = b[pos];
                if (c >= '0' && c <= '9') {
                    if (leadingZero && !fraction && pos > start) {
                        return null; // 01: not JSON
                    }
                    digits++;
                    scale += fraction ? 1 : 0;
                    unscaled = digits <= 18 ? unscaled * 10 + (c - '0') : unscaled;
                } else if (c == '.' && !fraction) {
                    if (pos + 1 >= b.length || b[pos + 1] < '0' || b[pos + 1] > '9') {
                        return null;
                    }
                    fraction = true;
                } else {
                    break;
                }
            }
            int end = pos;
            int next = peekAfterSpace();
            if (digits > MAX_DIGITS || (next != ',' && next != '}')) {
                return null; // an exponent, a letter, a second point: the full way says what it is
            }
            BigDecimal d = digits <= 18
                    ? BigDecimal.valueOf(unscaled, scale)
                    : new BigDecimal(new String(b, start, end - start, StandardCharsets.ISO_8859_1));
            return Trees.number(d) instanceof BigDecimal read ? read : null;
        }

        /** An object of plain strings, in body order; {@code null} if not one, or a name repeats. */
        @Nullable
        Map<String, String> stringObject() {
            if (!skipTo('{')) {
                return null;
            }
            Map<String, String> m = new LinkedHashMap<>();
            if (peekAfterSpace() == '}') {
                pos++;
                return m;
            }
            while (true) {
                String key = string();
                if (key == null || !skipTo(':')) {
                    return null;
                }
                String value = string();
                if (value == null || m.put(key, value) != null) {
                    return null;
                }
                int next = peekAfterSpace();
                pos++;
                if (next == '}') {
                    return m;
                }
                if (next != ',') {
                    return null;
                }
            }
        }
    }
}
