package dev.tollgate.store.postgres;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.CreditContract;
import org.junit.jupiter.api.AfterAll;

/** The credit contract on the machine's PostgreSQL, a fresh schema per test. */
final class PostgresCreditContractIT extends CreditContract {
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
