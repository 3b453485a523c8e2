package dev.tollgate.store.postgres;

import dev.tollgate.core.store.Store;

/** The one entry point of the PostgreSQL store. */
public final class PostgresStores {
    private PostgresStores() {}

    /**
     * Connects to PostgreSQL and migrates the schema (the connection's current schema, {@code public} unless the URL
     * says {@code currentSchema=...}).
     *
     * @param jdbcUrl e.g. {@code jdbc:postgresql://127.0.0.1:5432/tollgate?user=tollgate&password=secret}
     * @return an open store; close it when done
     * @throws dev.tollgate.core.store.StoreException if the database cannot be reached or migrated
     */
    public static Store open(String jdbcUrl) {
        return PostgresStore.open(jdbcUrl);
    }
}
