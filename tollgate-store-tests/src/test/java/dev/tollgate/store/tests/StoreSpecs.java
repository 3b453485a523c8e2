package dev.tollgate.store.tests;

import dev.tollgate.store.postgres.PostgresStores;
import dev.tollgate.store.sqlite.SqliteStores;
import dev.tollgate.testkit.PostgresTestSchema;
import dev.tollgate.testkit.contract.StoreSpec;
import dev.tollgate.testkit.memory.MemoryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one list of stores every contract suite runs on. A new store adds its spec here (and its module to this
 * module's dependencies); a store outside this repository lists its own specs in its own test classes.
 */
final class StoreSpecs {
    private StoreSpecs() {}

    /** SQLite, PostgreSQL and in memory, in that order. */
    static List<StoreSpec> all() {
        return List.of(sqlite(), postgres(), MemoryStore.spec());
    }

    /** SQLite in a temporary directory per test, deleted after it. */
    static StoreSpec sqlite() {
        return new StoreSpec("sqlite", () -> {
            Path dir = temporaryDirectory();
            return StoreSpec.Data.of(() -> SqliteStores.open(dir), () -> delete(dir));
        });
    }

    /**
     * PostgreSQL in a schema per test, dropped after it; skipped with a message when PostgreSQL is unreachable, except
     * under {@code CI=true} ({@link PostgresTestSchema#create()}).
     */
    static StoreSpec postgres() {
        return new StoreSpec("postgres", () -> {
            PostgresTestSchema schema = PostgresTestSchema.create();
            return StoreSpec.Data.of(() -> PostgresStores.open(schema.url()), schema::close);
        });
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("tollgate-contract-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
