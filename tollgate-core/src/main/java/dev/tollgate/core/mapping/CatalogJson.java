package dev.tollgate.core.mapping;

import dev.tollgate.core.catalog.CatalogOrigin;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A catalog version's {@link CatalogOrigin}: the same in the journal's catalog record and in the list of versions.
 *
 * <p>Thread-safe: stateless.
 */
public final class CatalogJson {
    private CatalogJson() {}

    /** The start-up file a catalog came from: {@code file} and {@code sha256}. */
    public static Map<String, Object> origin(CatalogOrigin o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", o.file());
        m.put("sha256", o.sha256());
        return m;
    }
}
