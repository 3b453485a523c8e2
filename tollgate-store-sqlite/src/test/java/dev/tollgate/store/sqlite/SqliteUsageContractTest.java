package dev.tollgate.store.sqlite;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.UsageContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The usage contract on a fresh SQLite file per test. */
final class SqliteUsageContractTest extends UsageContract {
    @TempDir
    Path dir;

    @Override
    protected Store openStore() {
        return SqliteStores.open(dir);
    }
}
