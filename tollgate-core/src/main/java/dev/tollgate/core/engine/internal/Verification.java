package dev.tollgate.core.engine.internal;

import dev.tollgate.core.api.LedgerLine;
import dev.tollgate.core.journal.JournalCodec;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.Store;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link dev.tollgate.core.engine.Verifier} runs: every record of a store replayed from empty with the fold the
 * engine uses ({@link CustomerState#apply}), then compared with the derived state the store kept. Reads only.
 */
public final class Verification {
    private Verification() {}

    /**
     * What a verification found.
     *
     * @param records records read
     * @param customers customers seen in the records
     * @param counters counters derived from the records (including zeros left by resets)
     * @param differences one line per disagreement, empty when the store is consistent
     */
    public record Result(long records, int customers, int counters, List<String> differences) {}

    /**
     * Replays and compares.
     *
     * @param store the store to read; not closed
     * @throws dev.tollgate.core.store.StoreException if the store cannot be read
     */
    public static Result run(Store store) {
        Replay replay = new Replay();
        store.replay(replay::apply);
        replay.checkLedgers();
        int derived = replay.checkCounters(store);
        return new Result(replay.count, replay.states.size(), derived, List.copyOf(replay.differences));
    }

    /** The fold of every record read, per customer, and what disagreed so far. One instance per verification. */
    private static final class Replay {
        final Map<String, CustomerState> states = new LinkedHashMap<>();
        final Map<String, Set<String>> keys = new HashMap<>();
        final Map<String, List<JournalEntry>> records = new HashMap<>();
        final List<String> differences = new ArrayList<>();
        long count;
        int catalogVersion;

        /** Folds one record, noting a catalog version out of order, a key used twice, a ledger invariant broken. */
        void apply(JournalEntry entry) {
            count++;
            if (entry instanceof JournalEntry.CatalogPublished c) {
                if (c.version() != catalogVersion + 1) {
                    differences.add("catalog version " + c.version() + " follows version " + catalogVersion);
                }
                catalogVersion = c.version();
                return;
            }
            String id = Objects.requireNonNull(entry.customerId());
            String key = entry.idempotencyKey();
            if (key != null && !keys.computeIfAbsent(id, k -> new HashSet<>()).add(key)) {
                differences.add("customer " + id + ": idempotency key '" + key + "' stored more than once");
            }
            records.computeIfAbsent(id, k -> new ArrayList<>()).add(entry);
            try {
                states.computeIfAbsent(id, CustomerState::replica)
                        .apply(entry, CompletableFuture.completedFuture(null));
            } catch (IllegalStateException broken) {
                differences.add("customer " + id + ": record " + JournalCodec.type(entry) + " at " + entry.at()
                        + " breaks a ledger invariant: " + broken.getMessage());
            }
        }

        /** Every currency's balance equals the sum of its ledger entries. */
        void checkLedgers() {
            states.forEach((id, state) -> {
                Map<String, BigDecimal> sums = new HashMap<>();
                for (LedgerLine line : Ledger.lines(records.getOrDefault(id, List.of()))) {
                    sums.merge(line.currency(), line.amount(), BigDecimal::add);
                }
                state.accounts.forEach((currency, account) -> {
                    BigDecimal sum = sums.getOrDefault(currency, BigDecimal.ZERO);
                    if (sum.compareTo(account.balance()) != 0) {
                        differences.add("customer " + id + " currency " + currency + ": balance " + account.balance()
                                + " but its ledger entries sum to " + sum);
                    }
                });
            });
        }

        /**
         * The counters the store kept equal those the records give.
         *
         * @return how many counters the records give (zeros left by resets included)
         */
        int checkCounters(Store store) {
            Map<CounterValue.Key, CounterValue> expected = new LinkedHashMap<>();
            states.values().forEach(s -> s.counters().forEach(c -> expected.put(c.key(), c)));
            int derived = expected.size();
            store.counters(stored -> {
                CounterValue want = expected.remove(stored.key());
                BigDecimal used = want == null ? BigDecimal.ZERO : want.used();
                BigDecimal overage = want == null ? BigDecimal.ZERO : want.overage();
                if (used.compareTo(stored.used()) != 0 || overage.compareTo(stored.overage()) != 0) {
                    differences.add(
                            describe(stored) + ": stored used=" + stored.used().toPlainString()
                                    + " overage=" + stored.overage().toPlainString() + ", records give used="
                                    + used.toPlainString() + " overage=" + overage.toPlainString());
                }
            });
            for (CounterValue missing : expected.values()) {
                if (missing.used().signum() != 0 || missing.overage().signum() != 0) {
                    differences.add(describe(missing) + ": no stored counter, records give used="
                            + missing.used().toPlainString() + " overage="
                            + missing.overage().toPlainString());
                }
            }
            return derived;
        }
    }

    private static String describe(CounterValue c) {
        return "customer " + c.customerId() + " feature " + c.feature() + " window " + c.windowStart();
    }
}
