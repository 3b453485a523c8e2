package dev.tollgate.client;

import org.jspecify.annotations.Nullable;

/**
 * A cache shared by the instances of an application and kept across their restarts (Redis). Its failures are never
 * the caller's: an unavailable shared cache answers {@code null} and drops writes.
 *
 * <p>Implementations are thread-safe.
 */
interface SharedCache extends AutoCloseable {
    /** The payload stored under {@code key}, or {@code null} (absent, or the cache is unavailable). Blocks briefly. */
    @Nullable
    String get(String key);

    /** Stores {@code payload} under {@code key}; dropped if the cache is unavailable. Blocks briefly. */
    void put(String key, String payload);

    @Override
    void close();
}
