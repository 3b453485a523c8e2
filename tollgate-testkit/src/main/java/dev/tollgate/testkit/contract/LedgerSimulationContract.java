package dev.tollgate.testkit.contract;

import dev.tollgate.testkit.simulation.LedgerSimulation;
import org.junit.jupiter.api.Test;

/**
 * The credit ledger against the reference model ({@link LedgerSimulation}) on every store its test class lists:
 * seeded, three runs from {@code System.nanoTime()} unless {@code -Dtollgate.seed=…} replays one. A failure names its
 * store and {@code seed=}.
 */
public abstract class LedgerSimulationContract extends StoreSuite {

    @Test
    void random_ledger_operations_agree_with_the_reference_model() {
        Long fixed = Long.getLong("tollgate.seed");
        long base = fixed != null ? fixed : System.nanoTime();
        int runs = fixed != null ? 1 : 3;
        for (int r = 0; r < runs; r++) {
            long seed = base + r;
            System.out.println("LedgerSimulation on " + spec() + " seed=" + seed);
            try (StoreSpec.Data data = spec().fresh().get()) {
                new LedgerSimulation(data::open, seed).run(1500);
            }
        }
    }
}
