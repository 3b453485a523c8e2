package dev.tollgate.server.api;

import static dev.tollgate.core.mapping.Fields.instant;
import static dev.tollgate.core.mapping.Fields.putPresent;

import dev.tollgate.core.api.CatalogVersionInfo;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogDiff;
import dev.tollgate.core.catalog.CatalogInUse;
import dev.tollgate.core.catalog.CatalogInUseException;
import dev.tollgate.core.mapping.CatalogJson;
import dev.tollgate.server.http.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The JSON of the catalog's answers: the current catalog, its versions (a version's origin is written by the shared
 * mapping, {@link CatalogJson}, as the journal writes it), a diff, and the refusal of a catalog still in use.
 *
 * <p>Thread-safe: stateless.
 */
final class CatalogViews {
    private CatalogViews() {}

    static Map<String, Object> catalog(Catalog c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", c.version());
        if (c.version() > 0) {
            m.put("publishedAt", instant(c.publishedAt()));
            m.put("author", c.author());
        }
        m.put("planVersions", planVersions(c));
        m.put("document", c.document() == null ? Map.of() : c.document());
        return m;
    }

    /** Each plan's current version, by plan key in order. */
    static Map<String, Object> planVersions(Catalog c) {
        Map<String, Object> plans = new LinkedHashMap<>();
        c.plans().values().stream()
                .sorted((a, b) -> a.key().compareTo(b.key()))
                .forEach(p -> plans.put(p.key(), p.version()));
        return plans;
    }

    static Map<String, Object> catalogVersion(CatalogVersionInfo v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", v.version());
        m.put("time", instant(v.publishedAt()));
        m.put("author", v.author());
        m.put("summary", v.summary());
        if (v.origin() != null) {
            m.put("source", CatalogJson.origin(v.origin()));
        }
        return m;
    }

    static Map<String, Object> catalogDiff(CatalogDiff d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", d.toVersion());
        m.put("from", d.fromVersion());
        m.put("features", diffSection(d.features()));
        m.put("currencies", diffSection(d.currencies()));
        m.put("plans", diffSection(d.plans()));
        m.put("addons", diffSection(d.addons()));
        m.put("rateCards", diffSection(d.rateCards()));
        m.put("costs", diffSection(d.costs()));
        return m;
    }

    private static Map<String, Object> diffSection(CatalogDiff.Section s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("added", diffEntries(s.added()));
        m.put("removed", diffEntries(s.removed()));
        m.put("changed", diffEntries(s.changed()));
        return m;
    }

    private static List<Object> diffEntries(List<CatalogDiff.Entry> entries) {
        List<Object> out = new ArrayList<>(entries.size());
        for (CatalogDiff.Entry e : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", e.key());
            putPresent(m, "fromVersion", e.fromVersion());
            putPresent(m, "toVersion", e.toVersion());
            List<Object> changes = new ArrayList<>(e.changes().size());
            for (CatalogDiff.Change c : e.changes()) {
                Map<String, Object> change = new LinkedHashMap<>();
                change.put("field", c.field());
                change.put("from", c.from());
                change.put("to", c.to());
                changes.add(change);
            }
            m.put("changes", changes);
            out.add(m);
        }
        return out;
    }

    /** The refusal of a catalog that removes what customers still use: {@code 409 CATALOG_IN_USE}, naming it all. */
    static Map<String, Object> catalogInUse(CatalogInUseException e) {
        Map<String, Object> body = Response.errorBody("CATALOG_IN_USE", Objects.requireNonNull(e.getMessage()), null);
        body.put("customers", e.customers());
        List<Object> inUse = new ArrayList<>();
        for (CatalogInUse.Conflict c : e.conflicts()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", c.kind().label());
            m.put("key", c.key());
            m.put("customers", c.customers());
            m.put("first", c.first());
            inUse.add(m);
        }
        body.put("inUse", inUse);
        return body;
    }
}
