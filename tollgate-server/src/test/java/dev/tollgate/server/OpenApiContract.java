package dev.tollgate.server;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the OpenAPI description ({@code openapi.json}) says of a request or an answer, checked with a JSON Schema
 * validator ({@code com.networknt:json-schema-validator}, in the OpenAPI 3.1 dialect): a test sends real requests and
 * asks this class whether each body it sent and each answer it got is one the description gives.
 *
 * <p>An answer is described when the operation (method and path template) is in {@code paths}, has a response for its
 * status, that response has its media type (the part before {@code ;}), a JSON body validates against that media
 * type's schema, and every header of ours it carries ({@link #CHECKED_HEADERS}) is declared on the response. A request
 * body is described when it validates against the operation's request schema for its media type.
 *
 * <p>Schemas are read in place: a response's schema is {@code <document>#/paths/<path>/<method>/responses/<status>/...},
 * so its {@code $ref}s resolve within the same document, as a client generator reads them.
 *
 * <p>Thread-safety: immutable once built; the validator's registry caches schemas and is thread-safe.
 */
final class OpenApiContract {
    /** The headers of ours an answer may carry only where the description declares them. */
    static final List<String> CHECKED_HEADERS = List.of("Idempotent-Replay", "Retry-After", "Location");

    /** The IRI the document is known by inside the validator; never fetched. */
    private static final String BASE = "https://tollgate.dev/openapi.json";

    private final JsonNode document;
    private final SchemaRegistry registry;

    private OpenApiContract(String text) {
        this.document = JsonMapper.builder().build().readTree(text);
        this.registry = SchemaRegistry.withDialect(Dialects.getOpenApi31(), b -> b.schemas(Map.of(BASE, text)));
    }

    /** The description the server serves: {@code openapi.json} on the class path. */
    static OpenApiContract load() {
        try (InputStream in = OpenApiContract.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is not on the class path");
            }
            return new OpenApiContract(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A description given as text (the helper's own tests). */
    static OpenApiContract of(String documentText) {
        return new OpenApiContract(documentText);
    }

    /** Every operation of the description, as {@code "METHOD /path/{template}"}, in document order. */
    Set<String> operations() {
        Set<String> out = new LinkedHashSet<>();
        document.get("paths")
                .properties()
                .forEach(path -> path.getValue()
                        .properties()
                        .forEach(method -> out.add(method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey())));
        return out;
    }

    /** The document itself. */
    JsonNode document() {
        return document;
    }

    /**
     * What is wrong with an answer, against the description; empty when it is described.
     *
     * @param template the path as the route table and the description write it ({@code /v1/customers/{customerId}})
     * @param contentType the answer's {@code Content-Type}, or {@code null} without a body
     * @param headers the answer's headers (names in any case)
     */
    List<String> answerProblems(
            String method,
            String template,
            int status,
            @Nullable String contentType,
            Map<String, List<String>> headers,
            String body) {
        String where = method + " " + template + " answered " + status;
        JsonNode operation = operation(method, template);
        if (operation == null) {
            return List.of(where + ": the description has no such operation");
        }
        JsonNode response = resolve(operation.path("responses").path(Integer.toString(status)));
        if (response.isMissingNode()) {
            return List.of(where + ": the description gives no " + status + " answer for it; body: " + body);
        }
        List<String> problems = new ArrayList<>();
        for (String header : CHECKED_HEADERS) {
            if (has(headers, header) && !declaresHeader(response, header)) {
                problems.add(where + " with header " + header + ", which the description does not declare there");
            }
        }
        if (contentType == null || body.isEmpty()) {
            return problems;
        }
        String media = mediaType(contentType);
        if (!response.path("content").has(media)) {
            problems.add(where + " as " + media + ", which the description does not give there");
            return problems;
        }
        if (media.equals("application/json")) {
            String pointer =
                    "/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT) + "/responses/" + status;
            if (operation.path("responses").path(Integer.toString(status)).has("$ref")) {
                pointer = refPointer(operation.path("responses").path(Integer.toString(status)));
            }
            problems.addAll(validate(where, pointer + "/content/" + escape(media) + "/schema", body));
        }
        return problems;
    }

    /** What is wrong with a request body, against the operation's request schema; empty when it is described. */
    List<String> requestProblems(String method, String template, String contentType, String body) {
        String where = method + " " + template + " request body";
        JsonNode operation = operation(method, template);
        if (operation == null) {
            return List.of(where + ": the description has no such operation");
        }
        String media = mediaType(contentType);
        if (!operation.path("requestBody").path("content").has(media)) {
            return List.of(where + ": the description takes no " + media + " body there");
        }
        if (!media.equals("application/json")) {
            return List.of();
        }
        return validate(
                where,
                "/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT) + "/requestBody/content/"
                        + escape(media) + "/schema",
                body);
    }

    /** What is wrong with {@code json} against the component schema {@code name}; empty when it validates. */
    List<String> componentProblems(String name, String json) {
        return validate("components/schemas/" + name, "/components/schemas/" + escape(name), json);
    }

    private List<String> validate(String where, String pointer, String json) {
        Schema schema = registry.getSchema(SchemaLocation.of(BASE + "#" + encode(pointer)));
        List<com.networknt.schema.Error> errors;
        try {
            errors = schema.validate(json, InputFormat.JSON);
        } catch (RuntimeException e) {
            return List.of(where + ": not JSON (" + e.getMessage() + "); body: " + json);
        }
        List<String> problems = new ArrayList<>();
        for (com.networknt.schema.Error e : errors) {
            problems.add(where + ": " + e.getMessage() + " (schema " + e.getSchemaLocation() + "); body: " + json);
        }
        return problems;
    }

    private @Nullable JsonNode operation(String method, String template) {
        JsonNode op = document.path("paths").path(template).path(method.toLowerCase(Locale.ROOT));
        return op.isMissingNode() ? null : op;
    }

    /** A response given as a {@code $ref} to {@code #/components/responses/...}, or the response itself. */
    private JsonNode resolve(JsonNode node) {
        return node.has("$ref") ? document.at(refPointer(node)) : node;
    }

    private static String refPointer(JsonNode node) {
        return node.get("$ref").asString().substring(1);
    }

    private boolean declaresHeader(JsonNode response, String header) {
        for (String name : response.path("headers").propertyNames()) {
            if (name.equalsIgnoreCase(header)) {
                return true;
            }
        }
        return false;
    }

    private static boolean has(Map<String, List<String>> headers, String name) {
        return headers.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(name));
    }

    private static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    /** A JSON Pointer token (RFC 6901): {@code ~} and {@code /} escaped. */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    /** A JSON Pointer written in a URI fragment: the characters a fragment may not hold, percent-encoded. */
    private static String encode(String pointer) {
        return pointer.replace("%", "%25")
                .replace("{", "%7B")
                .replace("}", "%7D")
                .replace(" ", "%20");
    }
}
