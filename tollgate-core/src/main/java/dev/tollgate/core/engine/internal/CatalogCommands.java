package dev.tollgate.core.engine.internal;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.CatalogFileOutcome;
import dev.tollgate.core.api.CatalogVersionInfo;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogDefinition;
import dev.tollgate.core.catalog.CatalogDiff;
import dev.tollgate.core.catalog.CatalogInUse;
import dev.tollgate.core.catalog.CatalogInUseException;
import dev.tollgate.core.catalog.CatalogOrigin;
import dev.tollgate.core.catalog.CatalogReader;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Publishing, rolling back and reading catalog versions. A publish checks {@code CATALOG_IN_USE} and swaps the
 * catalog under the catalog gate's write side ({@link EngineContext#catalogGate}). Thread-safe; publishes are
 * serialised by {@link EngineContext#catalogLock}.
 */
public final class CatalogCommands {
    private final EngineContext ctx;

    public CatalogCommands(EngineContext ctx) {
        this.ctx = ctx;
    }

    public Catalog catalog() {
        return ctx.catalog;
    }

    public List<CatalogVersionInfo> catalogVersions() {
        return List.copyOf(ctx.catalogHistory);
    }

    public CatalogDiff catalogDiff(int version) {
        Catalog after = ctx.catalogVersions.get(version);
        if (after == null) {
            throw TollgateException.notFound(
                    "CATALOG_VERSION_NOT_FOUND", "no ctx.catalog version " + version, "version");
        }
        Catalog before = version == 1 ? Catalog.empty() : ctx.catalogVersions.get(version - 1);
        return CatalogDiff.between(Objects.requireNonNull(before), after);
    }

    public CompletableFuture<Catalog> publishCatalog(@Nullable Object document, String author) {
        synchronized (ctx.catalogLock) {
            Catalog current = ctx.catalog;
            if (current.version() > 0 && Json.write(document).equals(Json.write(current.document()))) {
                return CompletableFuture.completedFuture(current);
            }
            CatalogDefinition definition = CatalogReader.read(document);
            return publish(current, definition, document, author, null);
        }
    }

    public CompletableFuture<CatalogFileOutcome> publishCatalogFile(@Nullable Object document, String file) {
        CatalogOrigin origin = CatalogOrigin.ofFile(file, document);
        synchronized (ctx.catalogLock) {
            Catalog current = ctx.catalog;
            CatalogVersionInfo last = null;
            for (CatalogVersionInfo v : ctx.catalogHistory) {
                if (v.origin() != null && v.origin().file().equals(file)) {
                    last = v;
                }
            }
            Integer lastFromFile = last == null ? null : last.version();
            if (last != null && origin.equals(last.origin())) {
                return CompletableFuture.completedFuture(new CatalogFileOutcome(current, false, lastFromFile, file));
            }
            CatalogDefinition definition = CatalogReader.read(document);
            return publish(current, definition, document, origin.author(), origin)
                    .thenApply(c -> new CatalogFileOutcome(c, true, lastFromFile, file));
        }
    }

    CompletableFuture<Catalog> publish(
            Catalog current,
            CatalogDefinition definition,
            @Nullable Object document,
            String author,
            @Nullable CatalogOrigin origin) {
        ctx.requireAvailable();
        Instant now = ctx.now();
        Catalog next = current.publish(definition, document, now, author);
        ctx.catalogGate.writeLock().lock();
        try {
            requireNotInUse(definition);
            ctx.catalog = next;
        } finally {
            ctx.catalogGate.writeLock().unlock();
        }
        ctx.recordHistory(next, origin);
        ctx.publishedCatalogs.put(next.version(), next);
        JournalEntry entry = new JournalEntry.CatalogPublished(next.version(), now, author, document, origin);
        return ctx.journal.append(List.of(entry), List.of(), () -> true).thenApply(v -> next);
    }

    /**
     * Refuses a catalog that removes a plan, add-on, feature or currency a customer still uses ({@link CatalogUses}).
     * Reads every customer's state, each in its own section.
     *
     * @throws CatalogInUseException naming what is in use and by whom
     */
    void requireNotInUse(CatalogDefinition next) {
        CatalogInUse check = new CatalogInUse(next);
        Catalog current = ctx.catalog;
        Instant now = ctx.now();
        for (CustomerState state : ctx.customers.values()) {
            synchronized (state) {
                if (state.exists) {
                    check.add(state.id, CatalogUses.of(state, current, now));
                }
            }
        }
        check.check();
    }

    public CompletableFuture<Catalog> rollbackCatalog(int version, String author) {
        Catalog restored = ctx.catalogVersions.get(version);
        if (restored == null) {
            throw TollgateException.notFound(
                    "CATALOG_VERSION_NOT_FOUND", "no ctx.catalog version " + version, "version");
        }
        Object document = restored.document() == null ? Map.of() : restored.document();
        synchronized (ctx.catalogLock) {
            Catalog current = ctx.catalog;
            CatalogDefinition definition = CatalogReader.read(document);
            return publish(current, definition, document, author, null);
        }
    }
}
