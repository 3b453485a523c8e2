package dev.tollgate.store.sqlite;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.IdempotencyContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The idempotency contract on a fresh SQLite file per test. */
final class SqliteIdempotencyContractTest extends IdempotencyContract {
    @TempDir
    Path dir;

    @Override
    protected Store openStore() {
        return SqliteStores.open(dir);
    }
}
