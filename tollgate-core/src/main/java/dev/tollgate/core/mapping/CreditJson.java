package dev.tollgate.core.mapping;

import static dev.tollgate.core.mapping.Fields.instant;
import static dev.tollgate.core.mapping.Fields.instantOrNull;
import static dev.tollgate.core.mapping.Fields.putPresent;

import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.credit.Grant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Grant} and an {@link AutoRecharge} configuration, the same in the journal and in answers.
 *
 * <p>A grant is written in two parts, so that an answer can lay what remains of it and its status between them (the
 * order {@code API.md} shows): {@link #putGrantAmount} (what it is of) and {@link #putGrantTerms} (how it burns and
 * from where it came). The journal writes both, back to back ({@link #grant}).
 *
 * <p>Thread-safe: stateless.
 */
public final class CreditJson {
    private CreditJson() {}

    /** The whole grant: its amount, then its terms. */
    public static Map<String, Object> grant(Grant g) {
        Map<String, Object> m = new LinkedHashMap<>();
        putGrantAmount(m, g);
        putGrantTerms(m, g);
        return m;
    }

    /** {@code id}, {@code currency}, {@code amount}. */
    public static void putGrantAmount(Map<String, Object> m, Grant g) {
        m.put("id", g.id());
        m.put("currency", g.currency());
        m.put("amount", g.amount());
    }

    /**
     * {@code category} ({@code paid} or {@code promotional}), {@code costBasis}, {@code priority}, {@code effectiveAt},
     * {@code expiresAt} (absent for never), {@code source}, {@code reference} (absent without one).
     */
    public static void putGrantTerms(Map<String, Object> m, Grant g) {
        m.put("category", g.promotional() ? "promotional" : "paid");
        m.put("costBasis", g.costBasis());
        m.put("priority", g.priority());
        m.put("effectiveAt", instant(g.effectiveAt()));
        putPresent(m, "expiresAt", instantOrNull(g.expiresAt()));
        m.put("source", g.source());
        putPresent(m, "reference", g.reference());
    }

    /** An auto-recharge configuration, without its currency (the record or answer around it names it). */
    public static Map<String, Object> autoRecharge(AutoRecharge r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("threshold", r.threshold());
        putPresent(m, "target", r.target());
        m.put("amount", r.amount());
        m.put("costBasis", r.costBasis());
        putPresent(m, "maxPerPeriod", r.maxPerPeriod());
        putPresent(m, "maxMoneyPerPeriod", r.maxMoneyPerPeriod());
        return m;
    }
}
