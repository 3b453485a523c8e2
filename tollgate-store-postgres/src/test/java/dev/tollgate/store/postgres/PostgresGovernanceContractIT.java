package dev.tollgate.store.postgres;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.GovernanceContract;
import org.junit.jupiter.api.AfterAll;

/** The governance contract on the machine's PostgreSQL, a fresh schema per test. */
final class PostgresGovernanceContractIT extends GovernanceContract {
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
