package dev.tollgate.client;

/**
 * Where an answer of the SDK came from.
 *
 * <ul>
 *   <li>{@link #SERVER}: the Tollgate server decided it, now; exact.
 *   <li>{@link #CACHE}: decided in this process: a boolean or config feature from the cached entitlements, or a
 *       consume admitted against a lease the server holds for this process (exact: never beyond the hold). Figures
 *       other than {@code allowed} may be as old as the cache entry.
 *   <li>{@link #FALLBACK}: the server could not be reached and nothing was cached: the configured {@link Fallback}
 *       value decided.
 * </ul>
 */
public enum Source {
    SERVER,
    CACHE,
    FALLBACK
}
