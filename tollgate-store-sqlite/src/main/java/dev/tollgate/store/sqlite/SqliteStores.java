package dev.tollgate.store.sqlite;

import dev.tollgate.core.store.Store;
import java.nio.file.Path;

/** The one entry point of the SQLite store. */
public final class SqliteStores {
    /** The database file's name inside the data directory. */
    public static final String FILE_NAME = "tollgate.db";

    private SqliteStores() {}

    /**
     * Claims the data directory for this process, then opens (creating if needed) the store in
     * {@code dataDir}/{@value #FILE_NAME} and migrates its schema. The claim is held until the store is closed.
     *
     * <p>Permissions: the store holds webhook secrets, so a data directory it creates is {@code 0700} (with its
     * missing parents), and the database files are {@code 0600} (see {@link SqliteStore#open}). An existing directory
     * keeps its permissions: it may be one the operator chose, such as the working directory.
     *
     * @param dataDir the data directory; created if missing
     * @return an open store; close it when done
     * @throws dev.tollgate.core.store.StoreException if the directory cannot be used, another process (or another open
     *     store of this one) holds it ("the data directory ... is in use by process N"), or the file cannot be opened or
     *     migrated
     */
    public static Store open(Path dataDir) {
        DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
        try {
            return SqliteStore.open(dataDir.resolve(FILE_NAME), lock);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }
}
