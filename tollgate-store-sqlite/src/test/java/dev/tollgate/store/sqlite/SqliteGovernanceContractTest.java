package dev.tollgate.store.sqlite;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.GovernanceContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The governance contract on a fresh SQLite file per test. */
final class SqliteGovernanceContractTest extends GovernanceContract {
    @TempDir
    Path dir;

    @Override
    protected Store openStore() {
        return SqliteStores.open(dir);
    }
}
