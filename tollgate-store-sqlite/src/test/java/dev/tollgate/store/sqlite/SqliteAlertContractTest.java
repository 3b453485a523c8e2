package dev.tollgate.store.sqlite;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.AlertContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The alert contract on a fresh SQLite file per test. */
final class SqliteAlertContractTest extends AlertContract {
    @TempDir
    Path dir;

    @Override
    protected Store openStore() {
        return SqliteStores.open(dir);
    }
}
