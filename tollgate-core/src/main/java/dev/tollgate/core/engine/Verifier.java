package dev.tollgate.core.engine;

import dev.tollgate.core.engine.internal.Verification;
import dev.tollgate.core.store.Store;
import java.util.List;

/**
 * Verify mode: replays every record of a store from empty, with the same fold the engine uses, and compares the
 * result with the derived state the store kept beside the records. Also checks what the records alone must satisfy:
 * an idempotency key at most once per customer, catalog versions 1, 2, 3… in order, and the ledger invariants (SPEC
 * §5): no grant's remaining below zero or above its amount, no negative overdraft, and every currency's balance equal
 * to the sum of its ledger entries.
 *
 * <p>Used after a crash: a transaction that stored records without their counters (or the reverse) shows up as a
 * difference. Reads only; safe on a store that a stopped server used. Not meant to run beside a live writer (the two
 * reads are not one snapshot).
 */
public final class Verifier {
    private Verifier() {}

    /**
     * What a verification found.
     *
     * @param records records read
     * @param customers customers seen in the records
     * @param counters counters derived from the records (including zeros left by resets)
     * @param differences one line per disagreement, empty when the store is consistent
     */
    public record Report(long records, int customers, int counters, List<String> differences) {
        /** Tells whether nothing disagreed. */
        public boolean consistent() {
            return differences.isEmpty();
        }
    }

    /**
     * Replays and compares.
     *
     * @param store the store to read; not closed
     * @return the report
     * @throws dev.tollgate.core.store.StoreException if the store cannot be read
     */
    public static Report verify(Store store) {
        Verification.Result r = Verification.run(store);
        return new Report(r.records(), r.customers(), r.counters(), r.differences());
    }
}
