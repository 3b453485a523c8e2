package dev.tollgate.store.postgres;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.AlertContract;
import org.junit.jupiter.api.AfterAll;

/** The alert contract on the machine's PostgreSQL, a fresh schema per test. */
final class PostgresAlertContractIT extends AlertContract {
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
