package dev.tollgate.core.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.journal.JournalEntry;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A customer's charges, kept for refunds, are bounded in memory: the last ones stay, older ones go to the store. */
final class CustomerStateChargesTest {
    private static final Instant T = Instant.parse("2026-03-15T12:00:00Z");

    @Test
    void only_the_last_charges_are_held() {
        CustomerState state = new CustomerState("c");
        int n = CustomerState.RECENT_CHARGES + 100;
        for (int i = 0; i < n; i++) {
            state.apply(
                    new JournalEntry.CreditsMoved(
                            "c",
                            T,
                            null,
                            EntryType.CONSUME,
                            "credits",
                            T,
                            List.of(new Movement(null, new BigDecimal("-1"))),
                            "k" + i,
                            "f",
                            BigDecimal.ONE,
                            null,
                            Map.of()),
                    CompletableFuture.completedFuture(null));
        }
        // regression: every charge stayed, for the life of the process
        assertThat(state.charges).hasSize(CustomerState.RECENT_CHARGES);
        assertThat(state.charges).doesNotContainKey("k99").containsKey("k100").containsKey("k" + (n - 1));
    }
}
