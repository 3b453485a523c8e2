package dev.tollgate.core.api;

import dev.tollgate.core.catalog.CatalogOrigin;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One entry of the catalog history.
 *
 * @param version the catalog version
 * @param publishedAt when
 * @param author who
 * @param summary what changed
 * @param origin the start-up file it was applied from, or {@code null} if it was published through the API
 */
public record CatalogVersionInfo(
        int version,
        Instant publishedAt,
        String author,
        String summary,
        @Nullable CatalogOrigin origin) {}
