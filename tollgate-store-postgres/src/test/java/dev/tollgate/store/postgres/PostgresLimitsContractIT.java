package dev.tollgate.store.postgres;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.LimitsContract;
import org.junit.jupiter.api.AfterAll;

/** The limits contract on the machine's PostgreSQL, a fresh schema per test. */
final class PostgresLimitsContractIT extends LimitsContract {
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
