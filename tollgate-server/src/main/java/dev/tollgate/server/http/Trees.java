package dev.tollgate.server.http;

import dev.tollgate.core.Limits;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Parses request bodies (JSON, or YAML for catalogs) into the core's plain tree model: maps, lists, strings,
 * {@link BigDecimal} numbers (never binary floating point), booleans and nulls, within the door's {@link Limits}.
 *
 * <p>JSON is read from Jackson's token stream with no databind context, and repeated names are caught while the map is
 * filled: every check pays for this parse, and the databind context and Jackson's own duplicate detector (a hash set
 * per object) were a third of what a check allocated.
 *
 * <p>Limits: a value that the journal could not store and read back as it came, or whose arithmetic would grow with
 * its exponent, is refused here, before anything reads it. A container nested deeper than {@link Limits#MAX_DEPTH} is
 * {@code TOO_DEEP}; a number beyond {@link Limits#fits(BigDecimal)} is {@code OUT_OF_RANGE}, decided from its scale
 * and precision alone; a string or field name that is not {@link Limits#storable} (a lone surrogate, U+0000) is
 * {@code INVALID_STRING}; a repeated name is {@code MALFORMED_JSON}. Each refusal names the path of the value, as
 * {@code events[3].quantity}. {@link #json} refuses the body at the first of them; {@link #jsonItems} leaves a
 * {@link Refused} in the value's place, for a batch whose items are refused one by one.
 *
 * <p>Thread-safe: the mappers are immutable.
 */
public final class Trees {
    private static final TokenStreamFactory JSON = new JsonFactory();
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Trees() {}

    /**
     * A value refused at the door, in its place in a tree from {@link #jsonItems}; never a value of the tree model,
     * so that nothing can store it ({@code Json.write} refuses it).
     *
     * @param code the stable error code
     * @param problem what is wrong, to follow the value's path in the message
     */
    record Refused(String code, String problem) {
        /** The refusal of the value at {@code path} ({@code ""} for the whole body). */
        ApiException at(String path) {
            return ApiException.badRequest(
                    code, (path.isEmpty() ? "the body" : path) + " " + problem, path.isEmpty() ? null : path);
        }
    }

    private static final Refused TOO_DEEP =
            new Refused("TOO_DEEP", "nests more than " + Limits.MAX_DEPTH + " objects and arrays");
    private static final Refused OUT_OF_RANGE = new Refused(
            "OUT_OF_RANGE",
            "is out of range: at most " + Limits.MAX_INTEGER_DIGITS + " digits before the decimal point and "
                    + Limits.MAX_FRACTION_DIGITS + " after");
    private static final Refused INVALID_STRING =
            new Refused("INVALID_STRING", "is not well-formed Unicode text (a lone surrogate, or U+0000)");
    private static final Refused INVALID_NAME = new Refused(
            "INVALID_STRING", "has a field name that is not well-formed Unicode text (a lone surrogate, or U+0000)");
    private static final Refused DUPLICATE = new Refused("MALFORMED_JSON", "appears twice in one object");

    /**
     * Parses a JSON body, refusing it at the first value beyond the limits.
     *
     * @throws ApiException {@code MALFORMED_JSON} if the body is not one well-formed JSON value, or the refusal of
     *     its first value beyond the limits
     */
    public static @Nullable Object json(byte[] body) {
        Reader reader = parse(body);
        if (reader.refused) {
            ApiException refused = firstRefusal(reader.tree);
            if (refused != null) {
                throw refused;
            }
        }
        return reader.tree;
    }

    /**
     * Parses a JSON body, leaving a {@link Refused} in place of each value beyond the limits. Read such a tree only
     * through {@link Body}'s typed accessors, which refuse a {@link Refused} with its code and path.
     *
     * @throws ApiException {@code MALFORMED_JSON} if the body is not one well-formed JSON value
     */
    public static @Nullable Object jsonItems(byte[] body) {
        return parse(body).tree;
    }

    /** One JSON body read: the tree, and whether a {@link Refused} is in it (so that a clean body is not walked). */
    private static final class Reader {
        private final JsonParser parser;
        private @Nullable Object tree;
        private boolean refused;

        private Reader(JsonParser parser) {
            this.parser = parser;
        }

        /**
         * Reads the value starting at {@code token}, noting a {@link Refused} in it.
         *
         * @param depth the containers around the value
         */
        private @Nullable Object read(JsonToken token, int depth) {
            Object value = readValue(this, parser, token, depth);
            if (value instanceof Refused) {
                refused = true;
            }
            return value;
        }
    }

    private static Reader parse(byte[] body) {
        if (body.length == 0) {
            throw ApiException.badRequest(
                    "MALFORMED_JSON", "the request body is empty; a JSON object is expected", null);
        }
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), body)) {
            Reader reader = new Reader(parser);
            JsonToken first = parser.nextToken();
            if (first == null) {
                return reader;
            }
            reader.tree = reader.read(first, 0);
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                throw ApiException.badRequest(
                        "MALFORMED_JSON", "malformed JSON: trailing token " + trailing + " after the value", null);
            }
            return reader;
        } catch (JacksonException e) {
            throw ApiException.badRequest("MALFORMED_JSON", "malformed JSON: " + e.getOriginalMessage(), null);
        }
    }

    /**
     * Reads the value starting at {@code token} straight from the parser, without building a Jackson tree; the values
     * inside it through {@code reader}.
     *
     * @param depth the containers around the value
     */
    private static @Nullable Object readValue(Reader reader, JsonParser parser, JsonToken token, int depth) {
        switch (token) {
            case START_OBJECT -> {
                if (depth >= Limits.MAX_DEPTH) {
                    parser.skipChildren();
                    return TOO_DEEP;
                }
                Map<String, Object> map = new LinkedHashMap<>();
                boolean badName = false;
                for (String name = parser.nextName(); name != null; name = parser.nextName()) {
                    badName |= !Limits.storable(name);
                    int size = map.size();
                    map.put(name, reader.read(parser.nextToken(), depth + 1));
                    if (map.size() == size) {
                        map.put(name, DUPLICATE);
                        reader.refused = true;
                    }
                }
                return badName ? INVALID_NAME : map;
            }
            case START_ARRAY -> {
                if (depth >= Limits.MAX_DEPTH) {
                    parser.skipChildren();
                    return TOO_DEEP;
                }
                List<Object> list = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    list.add(reader.read(t, depth + 1));
                }
                return list;
            }
            case VALUE_STRING -> {
                return string(parser.getString());
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                try {
                    return number(parser.getDecimalValue());
                } catch (NumberFormatException e) {
                    return OUT_OF_RANGE; // an exponent beyond an int: Jackson will not build it
                }
            }
            case VALUE_TRUE -> {
                return true;
            }
            case VALUE_FALSE -> {
                return false;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw ApiException.badRequest("MALFORMED_JSON", "malformed JSON: unexpected " + token, null);
        }
    }

    private static Object string(String s) {
        return Limits.storable(s) ? s : INVALID_STRING;
    }

    /** A number as the tree holds it: zero as {@link BigDecimal#ZERO}, a number beyond the limits {@code OUT_OF_RANGE}. */
    static Object number(BigDecimal d) {
        if (d.signum() == 0) {
            return BigDecimal.ZERO; // 0e-1000000000 too: no scale travels further
        }
        return Limits.fits(d) ? d : OUT_OF_RANGE;
    }

    /**
     * The refusal of the first {@link Refused} in {@code tree} (depth first, in order), or {@code null}. The walk
     * builds no path: the refused value's path is built once, on the way out.
     */
    private static @Nullable ApiException firstRefusal(@Nullable Object tree) {
        List<Object> steps = new ArrayList<>();
        Refused refused = find(tree, steps);
        if (refused == null) {
            return null;
        }
        StringBuilder path = new StringBuilder();
        for (int i = steps.size() - 1; i >= 0; i--) {
            Object step = steps.get(i);
            if (step instanceof Integer index) {
                path.append('[').append(index).append(']');
            } else {
                path.append(path.length() == 0 ? "" : ".").append((String) step);
            }
        }
        return refused.at(path.toString());
    }

    /**
     * The first {@link Refused} in {@code tree}, or {@code null}.
     *
     * @param steps receives the way to it, innermost first: a field name or a list index per level
     */
    private static @Nullable Refused find(@Nullable Object tree, List<Object> steps) {
        if (tree instanceof Refused r) {
            return r;
        }
        if (tree instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Refused found = find(e.getValue(), steps);
                if (found != null) {
                    steps.add(e.getKey());
                    return found;
                }
            }
        } else if (tree instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                Refused found = find(list.get(i), steps);
                if (found != null) {
                    steps.add(i);
                    return found;
                }
            }
        }
        return null;
    }

    /**
     * Parses a YAML body.
     *
     * @throws ApiException {@code MALFORMED_YAML} if the body is not well-formed YAML
     */
    public static @Nullable Object yaml(byte[] body) {
        Object tree;
        try {
            tree = plain(YAML.readTree(body), 0);
        } catch (JacksonException e) {
            throw ApiException.badRequest("MALFORMED_YAML", "malformed YAML: " + e.getOriginalMessage(), null);
        }
        ApiException refused = firstRefusal(tree);
        if (refused != null) {
            throw refused;
        }
        return tree;
    }

    private static @Nullable Object plain(@Nullable JsonNode node, int depth) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if ((node.isObject() || node.isArray()) && depth >= Limits.MAX_DEPTH) {
            return TOO_DEEP;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (String name : node.propertyNames()) {
                if (!Limits.storable(name)) {
                    return INVALID_NAME;
                }
                map.put(name, plain(node.get(name), depth + 1));
            }
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (int i = 0; i < node.size(); i++) {
                list.add(plain(node.get(i), depth + 1));
            }
            return list;
        }
        if (node.isNumber()) {
            try {
                return number(node.decimalValue());
            } catch (NumberFormatException e) {
                return OUT_OF_RANGE;
            }
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isString()) {
            return string(node.stringValue());
        }
        return string(node.asString());
    }
}
