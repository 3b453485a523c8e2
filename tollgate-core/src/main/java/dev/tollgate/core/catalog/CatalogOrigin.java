package dev.tollgate.core.catalog;

import dev.tollgate.core.json.Json;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Where a published catalog came from when it was not the API: a start-up file, known by its name, and a fingerprint
 * of the content applied from it. The journal keeps it with the catalog record, so that a restart with the same file
 * can tell that the file has not changed and keep a newer version published through the API.
 *
 * <p>Fingerprint: SHA-256 (lower-case hex) of the document normalised: object keys sorted at every level, decimals
 * written without trailing zeros, no white space. Reformatting the file, reordering its keys or switching between YAML
 * and JSON does not change it; any change of content does.
 *
 * <p>Immutable.
 *
 * @param file the file's name ({@code catalog.yaml}); a file moved to another directory keeps its history
 * @param sha256 the fingerprint of the content applied from it
 */
public record CatalogOrigin(String file, String sha256) {
    private static final String STARTUP = "startup:";

    /**
     * The origin of a document read from a start-up file.
     *
     * @param file the file's name
     * @param document the document, in the JSON tree model
     * @return its origin
     */
    public static CatalogOrigin ofFile(String file, @Nullable Object document) {
        return new CatalogOrigin(file, fingerprint(document));
    }

    /**
     * The origin of a catalog record written before origins were recorded: a start-up catalog was authored {@code
     * startup:<file>}, and its stored document is the content applied from that file.
     *
     * @param author the record's author
     * @param document the record's document
     * @return its origin, or {@code null} if it was published through the API
     */
    public static @Nullable CatalogOrigin inferred(String author, @Nullable Object document) {
        return author.startsWith(STARTUP) ? ofFile(author.substring(STARTUP.length()), document) : null;
    }

    /** The author of a catalog published from this file. */
    public String author() {
        return STARTUP + file;
    }

    /** SHA-256 of the normalised document, lower-case hex. */
    public static String fingerprint(@Nullable Object document) {
        try {
            byte[] text = Json.writeBytes(normalised(document));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static @Nullable Object normalised(@Nullable Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, @Nullable Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), normalised(v)));
            return sorted;
        }
        if (value instanceof List<?> list) {
            List<@Nullable Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(normalised(v)));
            return out;
        }
        return value;
    }
}
