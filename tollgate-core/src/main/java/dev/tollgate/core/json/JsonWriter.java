package dev.tollgate.core.json;

import dev.tollgate.core.Decimals;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Compact JSON written straight to UTF-8 bytes: trees of {@link Json}'s model, or an object field by field, so that an
 * answer on the request path is written without a tree, a string builder or an encoding pass.
 *
 * <p>Output: the same text {@link Json#write} gives (which writes through this class), as bytes: numbers plain and
 * normalised, the characters {@code "}, {@code \} and below U+0020 escaped, everything else as UTF-8, except a lone
 * surrogate, which is escaped ({@code \ud800}) so that it reads back as it was.
 *
 * <p>Not thread-safe; one writer per document.
 */
public final class JsonWriter {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] out;
    private int size;
    /** Whether the next field or element follows another in its container. */
    private boolean comma;

    /** A writer with room for a typical answer. */
    public JsonWriter() {
        this.out = new byte[256];
    }

    /** Empties the writer, keeping its room, for the next document. */
    public JsonWriter reset() {
        size = 0;
        comma = false;
        return this;
    }

    /** Opens an object; its fields follow through {@link #field}. */
    public JsonWriter beginObject() {
        separate();
        put((byte) '{');
        comma = false;
        return this;
    }

    /** Closes the object opened last. */
    public JsonWriter endObject() {
        put((byte) '}');
        comma = true;
        return this;
    }

    /**
     * Writes a field of the open object.
     *
     * @param value a tree of {@link Json}'s model ({@code Integer} and {@code Long} too)
     * @throws IllegalArgumentException if the value is outside the model
     */
    public JsonWriter field(String name, @Nullable Object value) {
        separate();
        string(name);
        put((byte) ':');
        comma = false;
        return value(value);
    }

    /**
     * Writes a value: in an array or at the top, or as a field's through {@link #field}.
     *
     * @throws IllegalArgumentException if the value is outside {@link Json}'s model
     */
    public JsonWriter value(@Nullable Object value) {
        separate();
        if (value == null) {
            ascii("null");
        } else if (value instanceof String s) {
            string(s);
        } else if (value instanceof BigDecimal d) {
            ascii(Decimals.normalize(d).toPlainString());
        } else if (value instanceof Integer || value instanceof Long) {
            ascii(value.toString());
        } else if (value instanceof Boolean b) {
            ascii(b ? "true" : "false");
        } else if (value instanceof Map<?, ?> map) {
            beginObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                field(String.valueOf(e.getKey()), e.getValue());
            }
            endObject();
        } else if (value instanceof List<?> list) {
            put((byte) '[');
            comma = false;
            for (Object element : list) {
                value(element);
            }
            put((byte) ']');
        } else {
            throw new IllegalArgumentException(
                    "not a JSON tree value: " + value.getClass().getName());
        }
        comma = true;
        return this;
    }

    /** The bytes written, a new array. */
    public byte[] toByteArray() {
        return Arrays.copyOf(out, size);
    }

    /** The text written. */
    @Override
    public String toString() {
        return new String(out, 0, size, StandardCharsets.UTF_8);
    }

    private void separate() {
        if (comma) {
            put((byte) ',');
            comma = false;
        }
    }

    private void string(String s) {
        put((byte) '"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                put((byte) c);
            } else {
                i = special(s, i);
            }
        }
        put((byte) '"');
    }

    /** Writes the character at {@code i} that is not plain ASCII; answers the index of the last one it took. */
    private int special(String s, int i) {
        char c = s.charAt(i);
        switch (c) {
            case '"' -> ascii("\\\"");
            case '\\' -> ascii("\\\\");
            case '\n' -> ascii("\\n");
            case '\r' -> ascii("\\r");
            case '\t' -> ascii("\\t");
            default -> {
                if (c < 0x20) {
                    escaped(c);
                } else if (c < 0x800) {
                    put((byte) (0xc0 | (c >> 6)));
                    put((byte) (0x80 | (c & 0x3f)));
                } else if (Character.isHighSurrogate(c)
                        && i + 1 < s.length()
                        && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(i + 1));
                    put((byte) (0xf0 | (cp >> 18)));
                    put((byte) (0x80 | ((cp >> 12) & 0x3f)));
                    put((byte) (0x80 | ((cp >> 6) & 0x3f)));
                    put((byte) (0x80 | (cp & 0x3f)));
                    return i + 1;
                } else if (Character.isSurrogate(c)) {
                    escaped(c);
                } else {
                    put((byte) (0xe0 | (c >> 12)));
                    put((byte) (0x80 | ((c >> 6) & 0x3f)));
                    put((byte) (0x80 | (c & 0x3f)));
                }
            }
        }
        return i;
    }

    private void escaped(char c) {
        ascii("\\u");
        put(HEX[(c >> 12) & 0xf]);
        put(HEX[(c >> 8) & 0xf]);
        put(HEX[(c >> 4) & 0xf]);
        put(HEX[c & 0xf]);
    }

    private void ascii(String s) {
        int n = s.length();
        room(n);
        for (int i = 0; i < n; i++) {
            out[size++] = (byte) s.charAt(i);
        }
    }

    private void put(byte b) {
        room(1);
        out[size++] = b;
    }

    private void room(int more) {
        if (size + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, size + more));
        }
    }
}
