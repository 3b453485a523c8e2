package dev.tollgate.core.json;

import dev.tollgate.core.Limits;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A strict JSON reader and writer over plain Java trees.
 *
 * <p>Design: the core must not depend on a JSON library, yet journal payloads and catalog documents are JSON. The
 * tree model is the plain one: {@code Map<String, Object>} (insertion-ordered), {@code List<Object>}, {@link String},
 * {@link BigDecimal} for every number (never binary floating point), {@link Boolean}, and {@code null}. Readers of
 * other formats (YAML, Jackson trees) convert into this model before handing documents to the core.
 *
 * <p>Thread-safe: stateless.
 */
public final class Json {
    private Json() {}

    /**
     * Parses one JSON value.
     *
     * @param text the JSON text
     * @return the tree; {@code null} for the literal {@code null}
     * @throws IllegalArgumentException if the text is not exactly one well-formed JSON value, or nests more than
     *     {@link Limits#STORED_DEPTH} containers (every document the HTTP door accepts nests fewer)
     */
    public static @Nullable Object parse(String text) {
        Parser parser = new Parser(text);
        Object value = parser.value(0);
        parser.skipWhitespace();
        if (parser.pos != text.length()) {
            throw parser.error("trailing characters");
        }
        return value;
    }

    /**
     * Writes a tree as compact JSON.
     *
     * @param value a tree of the model above; other types are rejected
     * @return the JSON text
     * @throws IllegalArgumentException if the tree holds a value outside the model
     */
    public static String write(@Nullable Object value) {
        return new JsonWriter().value(value).toString();
    }

    /**
     * Writes a tree as compact JSON in UTF-8: the bytes of {@link #write}'s text, without making the text first.
     *
     * @throws IllegalArgumentException if the tree holds a value outside the model
     */
    public static byte[] writeBytes(@Nullable Object value) {
        return new JsonWriter().value(value).toByteArray();
    }

    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        @Nullable
        Object value(int depth) {
            skipWhitespace();
            if (pos >= text.length()) {
                throw error("unexpected end of input");
            }
            char c = text.charAt(pos);
            return switch (c) {
                case '{', '[' -> {
                    if (depth >= Limits.STORED_DEPTH) {
                        throw error("nested too deeply");
                    }
                    yield c == '{' ? object(depth) : array(depth);
                }
                case '"' -> string();
                case 't' -> literal("true", true);
                case 'f' -> literal("false", false);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        private Map<String, Object> object(int depth) {
            pos++;
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw error("expected a field name");
                }
                String key = string();
                skipWhitespace();
                expect(':');
                if (map.containsKey(key)) {
                    throw error("duplicate field '" + key + "'");
                }
                map.put(key, value(depth + 1));
                skipWhitespace();
                char c = next();
                if (c == '}') {
                    return map;
                }
                if (c != ',') {
                    throw error("expected ',' or '}'");
                }
            }
        }

        private List<Object> array(int depth) {
            pos++;
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value(depth + 1));
                skipWhitespace();
                char c = next();
                if (c == ']') {
                    return Collections.unmodifiableList(list);
                }
                if (c != ',') {
                    throw error("expected ',' or ']'");
                }
            }
        }

        private String string() {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return sb.toString();
                }
                if (c == '\\') {
                    char e = next();
                    switch (e) {
                        case '"', '\\', '/' -> sb.append(e);
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'n' -> sb.append('\n');
                        case 'r' -> sb.append('\r');
                        case 't' -> sb.append('\t');
                        case 'u' -> {
                            if (pos + 4 > text.length()) {
                                throw error("bad unicode escape");
                            }
                            try {
                                sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                            } catch (NumberFormatException ex) {
                                throw error("bad unicode escape");
                            }
                            pos += 4;
                        }
                        default -> throw error("bad escape");
                    }
                } else if (c < 0x20) {
                    throw error("control character in string");
                } else {
                    sb.append(c);
                }
            }
        }

        private BigDecimal number() {
            int start = pos;
            while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            if (start == pos) {
                throw error("unexpected character '" + text.charAt(pos) + "'");
            }
            try {
                return new BigDecimal(text.substring(start, pos));
            } catch (NumberFormatException e) {
                throw error("malformed number");
            }
        }

        private @Nullable Object literal(String word, @Nullable Object value) {
            if (!text.startsWith(word, pos)) {
                throw error("unexpected literal");
            }
            pos += word.length();
            return value;
        }

        void skipWhitespace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private char peek() {
            if (pos >= text.length()) {
                throw error("unexpected end of input");
            }
            return text.charAt(pos);
        }

        private char next() {
            char c = peek();
            pos++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) {
                throw error("expected '" + c + "'");
            }
        }

        IllegalArgumentException error(String message) {
            return new IllegalArgumentException("invalid JSON at offset " + pos + ": " + message);
        }
    }
}
