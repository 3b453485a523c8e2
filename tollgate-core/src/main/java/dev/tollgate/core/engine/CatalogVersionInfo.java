package dev.tollgate.core.engine;

import java.time.Instant;

/**
 * One entry of the catalog history.
 *
 * @param version the catalog version
 * @param publishedAt when
 * @param author who
 * @param summary what changed
 */
public record CatalogVersionInfo(int version, Instant publishedAt, String author, String summary) {}
