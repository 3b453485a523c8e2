package dev.tollgate.store.sqlite;

import dev.tollgate.testkit.simulation.LedgerSimulation;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The credit ledger against the reference model on SQLite: seeded, replayable with {@code -Dtollgate.seed}. */
final class SqliteLedgerSimulationTest {
    @TempDir
    Path dir;

    @Test
    void random_ledger_operations_agree_with_the_reference_model() {
        Long fixed = Long.getLong("tollgate.seed");
        long base = fixed != null ? fixed : System.nanoTime();
        int runs = fixed != null ? 1 : 3;
        for (int r = 0; r < runs; r++) {
            long seed = base + r;
            System.out.println("SqliteLedgerSimulationTest seed=" + seed);
            Path data = dir.resolve("run-" + r);
            new LedgerSimulation(() -> SqliteStores.open(data), seed).run(1500);
        }
    }
}
