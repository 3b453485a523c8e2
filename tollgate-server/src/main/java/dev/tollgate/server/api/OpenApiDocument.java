package dev.tollgate.server.api;

import dev.tollgate.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * The OpenAPI 3.1 description of the API, {@code openapi.json} on the class path (kept in the repository at {@code
 * tollgate-server/src/main/resources/openapi.json}, by hand): what {@code GET /openapi.json} serves.
 *
 * <p>The tests keep it honest: {@code OpenApiRoutesTest} fails when the route table and the description do not name
 * the same routes, {@code OpenApiIT} validates real answers of every endpoint against it.
 *
 * <p>Thread-safe: immutable once read.
 */
final class OpenApiDocument {
    /** Where the description is on the class path. */
    static final String RESOURCE = "/openapi.json";

    private OpenApiDocument() {}

    /**
     * Reads the description.
     *
     * @return its JSON tree, a new one per call
     * @throws IllegalStateException if the resource is missing or is not a JSON object (a broken build)
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> read() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            Object tree = Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            if (!(tree instanceof Map<?, ?>)) {
                throw new IllegalStateException(RESOURCE + " is not a JSON object");
            }
            return (Map<String, Object>) Objects.requireNonNull(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
