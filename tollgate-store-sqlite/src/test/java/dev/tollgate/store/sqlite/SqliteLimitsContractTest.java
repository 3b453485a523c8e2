package dev.tollgate.store.sqlite;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.LimitsContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The limits contract on a fresh SQLite file per test. */
final class SqliteLimitsContractTest extends LimitsContract {
    @TempDir
    Path dir;

    @Override
    protected Store openStore() {
        return SqliteStores.open(dir);
    }
}
