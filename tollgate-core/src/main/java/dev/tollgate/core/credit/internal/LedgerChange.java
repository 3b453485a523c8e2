package dev.tollgate.core.credit.internal;

import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.credit.Movement;
import java.time.Instant;
import java.util.List;

/** A change of the ledger that the core decided on, before it becomes a journal record. */
public sealed interface LedgerChange {
    /**
     * A grant arrives.
     *
     * @param grant the grant
     */
    record NewGrant(Grant grant) implements LedgerChange {}

    /**
     * Entries that move credits.
     *
     * @param type the entries' type
     * @param currency the currency
     * @param time the entries' ledger time (an expiry's {@code expiresAt}, else the command's time)
     * @param movements one per entry
     */
    record Moves(EntryType type, String currency, Instant time, List<Movement> movements) implements LedgerChange {}
}
