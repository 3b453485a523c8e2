package dev.tollgate.store.sqlite;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.IsolationContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The isolation contract on a fresh SQLite file per test. */
final class SqliteIsolationContractTest extends IsolationContract {
    @TempDir
    Path dir;

    @Override
    protected Store openStore() {
        return SqliteStores.open(dir);
    }
}
