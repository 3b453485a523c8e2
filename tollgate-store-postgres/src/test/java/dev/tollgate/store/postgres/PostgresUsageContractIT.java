package dev.tollgate.store.postgres;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.UsageContract;
import org.junit.jupiter.api.AfterAll;

/** The usage contract on the machine's PostgreSQL, a fresh schema per test. */
final class PostgresUsageContractIT extends UsageContract {
    private final SchemaPerTest schemas = new SchemaPerTest();

    @Override
    protected Store openStore() {
        return schemas.open();
    }

    @AfterAll
    static void dropSchemas() {
        SchemaPerTest.dropAll();
    }
}
