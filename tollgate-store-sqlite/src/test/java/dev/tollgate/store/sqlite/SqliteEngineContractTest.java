package dev.tollgate.store.sqlite;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.EngineContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The engine contract on a fresh SQLite file per test. */
final class SqliteEngineContractTest extends EngineContract {
    @TempDir
    Path dir;

    @Override
    protected Store openStore() {
        return SqliteStores.open(dir);
    }
}
