package dev.tollgate.server;

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
 * {@link BigDecimal} numbers (never binary floating point), booleans and nulls. A name repeated in one object is
 * malformed.
 *
 * <p>JSON is read from Jackson's token stream with no databind context, and repeated names are caught while the map is
 * filled: every check pays for this parse, and the databind context and Jackson's own duplicate detector (a hash set
 * per object) were a third of what a check allocated.
 *
 * <p>Thread-safe: the mappers are immutable.
 */
final class Trees {
    private static final TokenStreamFactory JSON = new JsonFactory();
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Trees() {}

    /**
     * Parses a JSON body.
     *
     * @throws ApiException {@code MALFORMED_JSON} if the body is not one well-formed JSON value
     */
    static @Nullable Object json(byte[] body) {
        if (body.length == 0) {
            throw ApiException.badRequest(
                    "MALFORMED_JSON", "the request body is empty; a JSON object is expected", null);
        }
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return null;
            }
            Object value = read(parser, first);
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                throw ApiException.badRequest(
                        "MALFORMED_JSON", "malformed JSON: trailing token " + trailing + " after the value", null);
            }
            return value;
        } catch (JacksonException e) {
            throw ApiException.badRequest("MALFORMED_JSON", "malformed JSON: " + e.getOriginalMessage(), null);
        }
    }

    /** Reads the value starting at {@code token} straight from the parser, without building a Jackson tree. */
    private static @Nullable Object read(JsonParser parser, JsonToken token) {
        switch (token) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (String name = parser.nextName(); name != null; name = parser.nextName()) {
                    int size = map.size();
                    map.put(name, read(parser, parser.nextToken()));
                    if (map.size() == size) {
                        throw ApiException.badRequest(
                                "MALFORMED_JSON", "malformed JSON: duplicate field '" + name + "'", null);
                    }
                }
                return map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    list.add(read(parser, t));
                }
                return list;
            }
            case VALUE_STRING -> {
                return parser.getString();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return parser.getDecimalValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw ApiException.badRequest("MALFORMED_JSON", "malformed JSON: unexpected " + token, null);
        }
    }

    /**
     * Parses a YAML body.
     *
     * @throws ApiException {@code MALFORMED_YAML} if the body is not well-formed YAML
     */
    static @Nullable Object yaml(byte[] body) {
        try {
            return plain(YAML.readTree(body));
        } catch (JacksonException e) {
            throw ApiException.badRequest("MALFORMED_YAML", "malformed YAML: " + e.getOriginalMessage(), null);
        }
    }

    private static @Nullable Object plain(@Nullable JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (String name : node.propertyNames()) {
                map.put(name, plain(node.get(name)));
            }
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (int i = 0; i < node.size(); i++) {
                list.add(plain(node.get(i)));
            }
            return list;
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isString()) {
            return node.stringValue();
        }
        return node.asString();
    }
}
