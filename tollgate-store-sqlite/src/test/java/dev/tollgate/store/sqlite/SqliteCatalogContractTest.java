package dev.tollgate.store.sqlite;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.CatalogContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The catalog contract on a fresh SQLite file per test. */
final class SqliteCatalogContractTest extends CatalogContract {
    @TempDir
    Path dir;

    @Override
    protected Store openStore() {
        return SqliteStores.open(dir);
    }
}
