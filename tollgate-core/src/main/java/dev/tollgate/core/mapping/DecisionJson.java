package dev.tollgate.core.mapping;

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

    /** Receives a decision's fields, in order. */
    @FunctionalInterface
    public interface FieldSink {
        /** Takes field {@code name}, whose {@code value} is a tree of {@code Json}'s model, never {@code null}. */
        void put(String name, Object value);
    }

    /** The decision in {@code form}: a new, mutable tree in field order. */
    public static Map<String, Object> decision(Decision d, Form form) {
        Map<String, Object> m = new LinkedHashMap<>();
        fields(d, form, m::put);
        return m;
    }

    /**
     * The decision's fields in {@code form}, in order, each to {@code sink}: what {@link #decision} holds, for a writer
     * that needs no tree ({@code JsonWriter::field}).
     */
    public static void fields(Decision d, Form form, FieldSink sink) {
        boolean journal = form == Form.JOURNAL;
        sink.put("allowed", d.allowed());
        if (d.reason() != null) {
            sink.put("reason", d.reason().name());
        }
        if (d.boundBy() != null) {
            sink.put("boundBy", boundBy(d.boundBy()));
        }
        if (d.limit() != null) {
            sink.put("limit", d.limit());
        }
        sink.put("used", d.used());
        if (!journal || d.held().signum() != 0) {
            sink.put("held", d.held());
        }
        if (d.remaining() != null) {
            sink.put("remaining", d.remaining());
        }
        sink.put("unlimited", d.unlimited());
        if (!journal || d.overage()) {
            sink.put("overage", d.overage());
        }
        if (d.overageQuantity().signum() != 0) {
            sink.put("overageQuantity", d.overageQuantity());
        }
        if (d.resetsAt() != null) {
            sink.put("resetsAt", Fields.instant(d.resetsAt()));
        }
        if (d.value() != null) {
            sink.put("value", d.value());
        }
        CreditCharge c = d.credit();
        if (journal) {
            sink.put("recorded", d.recorded());
            if (c != null) {
                Map<String, Object> credit = new LinkedHashMap<>();
                putCharge(credit::put, c);
                sink.put("credit", credit);
            }
        } else if (c != null) {
            putCharge(sink, c);
        }
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

    private static void putCharge(FieldSink sink, CreditCharge c) {
        sink.put("currency", c.currency());
        sink.put("credits", c.credits());
        sink.put("balance", c.balance());
    }
}
