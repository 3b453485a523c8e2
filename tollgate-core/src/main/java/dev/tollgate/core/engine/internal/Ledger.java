package dev.tollgate.core.engine.internal;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.api.LedgerLine;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.journal.JournalEntry;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ledger as finance reads it: one line per entry, folded from a customer's journal records in order. A grant is
 * one {@code GRANT} line; each movement of a credit record is one line. {@code seq} counts lines from 1 and
 * {@code balanceAfter} is the running sum per currency, so the last line's balance of a currency equals the sum of
 * its entries.
 */
public final class Ledger {
    private Ledger() {}

    static List<LedgerLine> lines(List<JournalEntry> records) {
        List<LedgerLine> out = new ArrayList<>();
        Map<String, BigDecimal> balances = new HashMap<>();
        long seq = 0;
        for (JournalEntry r : records) {
            if (r instanceof JournalEntry.GrantCreated g) {
                BigDecimal after =
                        balances.merge(g.grant().currency(), g.grant().amount(), BigDecimal::add);
                out.add(new LedgerLine(
                        ++seq,
                        g.at(),
                        EntryType.GRANT,
                        g.grant().currency(),
                        g.grant().id(),
                        g.grant().amount(),
                        Decimals.normalize(after),
                        g.idempotencyKey() != null
                                ? g.idempotencyKey()
                                : g.grant().reference(),
                        g.grant().source(),
                        g.grant().costBasis(),
                        null,
                        null,
                        null,
                        Map.of()));
            } else if (r instanceof JournalEntry.CreditsMoved m) {
                for (Movement mv : m.movements()) {
                    BigDecimal after = balances.merge(m.currency(), mv.amount(), BigDecimal::add);
                    out.add(new LedgerLine(
                            ++seq,
                            m.time(),
                            m.type(),
                            m.currency(),
                            mv.grantId(),
                            mv.amount(),
                            Decimals.normalize(after),
                            m.reference() != null ? m.reference() : m.idempotencyKey(),
                            null,
                            null,
                            m.feature(),
                            m.quantity(),
                            m.scope(),
                            m.dimensions()));
                }
            }
        }
        return out;
    }
}
