package dev.tollgate.server;

import dev.tollgate.core.store.Store;
import dev.tollgate.store.postgres.PostgresStores;
import dev.tollgate.store.sqlite.SqliteStores;
import java.util.Objects;

/** Opens the store the configuration names. */
final class Stores {
    private Stores() {}

    /**
     * @param config the settings; {@link ServerConfig#store()} picks the backend
     * @return an open store
     * @throws dev.tollgate.core.store.StoreException if it cannot be opened
     */
    static Store open(ServerConfig config) {
        if ("postgres".equals(config.store())) {
            return PostgresStores.open(Objects.requireNonNull(config.postgresUrl()));
        }
        return SqliteStores.open(config.dataDir());
    }
}
