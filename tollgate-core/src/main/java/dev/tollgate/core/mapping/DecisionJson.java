package dev.tollgate.core.mapping;

import static dev.tollgate.core.mapping.Fields.instantOrNull;
import static dev.tollgate.core.mapping.Fields.putPresent;

import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.decision.Decision;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Decision} with what bound it ({@link BoundBy}) and what it charged ({@link CreditCharge}).
 *
 * <p>The two forms: the journal leaves out a zero {@code held} and a false {@code overage} (format 2, see {@code
 * JournalCodec}), always writes {@code recorded} and nests the charge as {@code "credit": {...}}; an answer shows
 * {@code held} and {@code overage} always, leaves {@code recorded} to the route (a check has none) and lays the
 * charge's {@code currency}, {@code credits} and {@code balance} beside the rest. Both leave out a zero
 * {@code overageQuantity} (never negative).
 *
 * <p>Thread-safe: stateless.
 */
public final class DecisionJson {
    private DecisionJson() {}

    /** The decision in {@code form}: a new, mutable tree in field order. */
    public static Map<String, Object> decision(Decision d, Form form) {
        boolean journal = form == Form.JOURNAL;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("allowed", d.allowed());
        putPresent(m, "reason", d.reason() == null ? null : d.reason().name());
        if (d.boundBy() != null) {
            m.put("boundBy", boundBy(d.boundBy()));
        }
        putPresent(m, "limit", d.limit());
        m.put("used", d.used());
        if (!journal || d.held().signum() != 0) {
            m.put("held", d.held());
        }
        putPresent(m, "remaining", d.remaining());
        m.put("unlimited", d.unlimited());
        if (!journal || d.overage()) {
            m.put("overage", d.overage());
        }
        if (d.overageQuantity().signum() != 0) {
            m.put("overageQuantity", d.overageQuantity());
        }
        putPresent(m, "resetsAt", instantOrNull(d.resetsAt()));
        putPresent(m, "value", d.value());
        CreditCharge c = d.credit();
        if (journal) {
            m.put("recorded", d.recorded());
            if (c != null) {
                Map<String, Object> credit = new LinkedHashMap<>();
                putCharge(credit, c);
                m.put("credit", credit);
            }
        } else if (c != null) {
            putCharge(m, c);
        }
        return m;
    }

    /** What bound a decision or a session: {@code kind} and whichever of its names it has. */
    public static Map<String, Object> boundBy(BoundBy b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", b.kind());
        putPresent(m, "feature", b.feature());
        putPresent(m, "currency", b.currency());
        putPresent(m, "scope", b.scope());
        putPresent(m, "budget", b.budget());
        putPresent(m, "session", b.session());
        return m;
    }

    private static void putCharge(Map<String, Object> m, CreditCharge c) {
        m.put("currency", c.currency());
        m.put("credits", c.credits());
        m.put("balance", c.balance());
    }
}
