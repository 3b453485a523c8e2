package dev.tollgate.store.postgres;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.CatalogContract;
import org.junit.jupiter.api.AfterAll;

/** The catalog contract on the machine's PostgreSQL, a fresh schema per test. */
final class PostgresCatalogContractIT extends CatalogContract {
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
