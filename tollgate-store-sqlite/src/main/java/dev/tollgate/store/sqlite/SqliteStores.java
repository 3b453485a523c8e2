package dev.tollgate.store.sqlite;

import dev.tollgate.core.store.Store;
import java.nio.file.Path;

/** The one entry point of the SQLite store. */
public final class SqliteStores {
    /** The database file's name inside the data directory. */
    public static final String FILE_NAME = "tollgate.db";

    private SqliteStores() {}

    /**
     * Opens (creating if needed) the store in {@code dataDir}/{@value #FILE_NAME} and migrates its schema.
     *
     * @param dataDir the data directory; created if missing
     * @return an open store; close it when done
     * @throws dev.tollgate.core.store.StoreException if the file cannot be opened or migrated
     */
    public static Store open(Path dataDir) {
        return SqliteStore.open(dataDir.resolve(FILE_NAME));
    }
}
