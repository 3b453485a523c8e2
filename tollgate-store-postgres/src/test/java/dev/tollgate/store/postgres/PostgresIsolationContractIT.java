package dev.tollgate.store.postgres;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.IsolationContract;
import org.junit.jupiter.api.AfterAll;

/** The isolation contract on the machine's PostgreSQL, a fresh schema per test. */
final class PostgresIsolationContractIT extends IsolationContract {
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
