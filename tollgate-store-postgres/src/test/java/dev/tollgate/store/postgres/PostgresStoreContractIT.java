package dev.tollgate.store.postgres;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.StoreContract;
import org.junit.jupiter.api.AfterAll;

/** The store contract on the machine's PostgreSQL, a fresh schema per test. */
final class PostgresStoreContractIT extends StoreContract {
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
