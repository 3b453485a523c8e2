package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.engine.Verifier;
import dev.tollgate.core.store.Store;
import dev.tollgate.store.postgres.PostgresStores;
import dev.tollgate.store.sqlite.SqliteStores;
import dev.tollgate.testkit.PostgresTestSchema;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Harness} on the store a parameterized test names: {@code sqlite} (a file in the data directory) or
 * {@code postgres} (a fresh schema of the machine's PostgreSQL, dropped on close), and the check that the store's
 * records agree with the counters kept beside them.
 */
final class StoreHarness implements AutoCloseable {
    final Harness h;
    private final @Nullable PostgresTestSchema schema;

    private StoreHarness(Harness h, @Nullable PostgresTestSchema schema) {
        this.h = h;
        this.schema = schema;
    }

    /** Starts the server on {@code store} ({@code sqlite} or {@code postgres}). */
    static StoreHarness start(String store, Path dataDir, Instant start) {
        if (store.equals("sqlite")) {
            return new StoreHarness(new Harness(dataDir, start), null);
        }
        PostgresTestSchema schema = PostgresTestSchema.create();
        return new StoreHarness(
                new Harness(
                        dataDir,
                        start,
                        c -> c.toBuilder()
                                .store("postgres")
                                .postgresUrl(schema.url())
                                .build()),
                schema);
    }

    /**
     * Asserts that {@code tollgate verify} finds no difference on the store, run as an operator runs it: on the store of
     * a stopped server (a running one holds its data directory). The server is started again afterwards.
     */
    void assertVerified() {
        h.whileStopped(() -> {
            try (Store store = schema == null ? SqliteStores.open(h.dataDir) : PostgresStores.open(schema.url())) {
                assertThat(Verifier.verify(store).differences()).as("verify").isEmpty();
            }
        });
    }

    /**
     * Every byte the store keeps of a table's rows, as text: the files of the SQLite store (database, WAL and shared
     * memory, raw), or each PostgreSQL row of {@code tables} as text; to look for what must not be stored.
     */
    String storedText(String... tables) throws Exception {
        StringBuilder all = new StringBuilder();
        if (schema == null) {
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Path file = h.dataDir.resolve("tollgate.db" + suffix);
                if (java.nio.file.Files.exists(file)) {
                    all.append(new String(
                            java.nio.file.Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1));
                }
            }
            return all.toString();
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(schema.url());
                java.sql.Statement s = c.createStatement()) {
            for (String table : tables) {
                try (java.sql.ResultSet rs = s.executeQuery("SELECT t::text FROM " + table + " t")) {
                    while (rs.next()) {
                        all.append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        return all.toString();
    }

    /**
     * What the store holds, read as an operator would on the store of a stopped server (started again afterwards):
     * how many records, and every counter value.
     */
    Stored stored() {
        Stored[] out = new Stored[1];
        h.whileStopped(() -> {
            try (Store store = schema == null ? SqliteStores.open(h.dataDir) : PostgresStores.open(schema.url())) {
                long[] records = {0};
                store.replay(e -> records[0]++);
                List<String> counters = new ArrayList<>();
                store.counters(c -> counters.add(c.toString()));
                counters.sort(null);
                out[0] = new Stored(records[0], counters);
            }
        });
        return out[0];
    }

    /** A store's content in brief: its records' count and its counters. */
    record Stored(long records, List<String> counters) {}

    @Override
    public void close() {
        h.close();
        if (schema != null) {
            schema.close();
        }
    }
}
