package dev.tollgate.store.postgres;

import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.PostgresTestSchema;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A fresh schema for each test instance of a contract suite, created on first open (JUnit runs a suite's own
 * {@code @BeforeEach} before the subclass could prepare one) and dropped with {@link #dropAll()} after the class.
 */
final class SchemaPerTest {
    private static final List<PostgresTestSchema> CREATED = new CopyOnWriteArrayList<>();
    private @Nullable PostgresTestSchema schema;

    /** Opens the store of this test, in its own schema; reopening sees the same data. */
    Store open() {
        if (schema == null) {
            schema = PostgresTestSchema.create();
            CREATED.add(schema);
        }
        return PostgresStores.open(schema.url());
    }

    /** Drops every schema created so far. */
    static void dropAll() {
        CREATED.forEach(PostgresTestSchema::close);
        CREATED.clear();
    }
}
