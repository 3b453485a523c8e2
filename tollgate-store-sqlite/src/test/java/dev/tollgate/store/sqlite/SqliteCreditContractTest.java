package dev.tollgate.store.sqlite;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.CreditContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The credit contract on a fresh SQLite file per test. */
final class SqliteCreditContractTest extends CreditContract {
    @TempDir
    Path dir;

    @Override
    protected Store openStore() {
        return SqliteStores.open(dir);
    }
}
