package dev.tollgate.store.postgres;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.contract.IdempotencyContract;
import org.junit.jupiter.api.AfterAll;

/** The idempotency contract on the machine's PostgreSQL, a fresh schema per test. */
final class PostgresIdempotencyContractIT extends IdempotencyContract {
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
