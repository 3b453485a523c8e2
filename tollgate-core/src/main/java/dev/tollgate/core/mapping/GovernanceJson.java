package dev.tollgate.core.mapping;

import static dev.tollgate.core.mapping.Fields.instant;
import static dev.tollgate.core.mapping.Fields.putPresent;

import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.budget.Scope;
import dev.tollgate.core.session.Quote;
import dev.tollgate.core.session.Session;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link Scope}, a {@link Budget} and a {@link Session}, each written into the tree around it (the journal's record,
 * or an answer that adds the figures of the moment between the parts).
 *
 * <p>The two forms of a budget's terms: the journal stores {@code "hard": true|false} and its dimensions always, in
 * their order; an answer shows {@code "enforcement": "hard"|"soft"} and its dimensions only when there are some,
 * sorted.
 *
 * <p>Thread-safe: stateless.
 */
public final class GovernanceJson {
    private GovernanceJson() {}

    /** {@code id}, {@code kind}, {@code parent} (absent at a root), {@code name} (absent without). */
    public static void putScope(Map<String, Object> m, Scope s) {
        m.put("id", s.id());
        m.put("kind", s.kind());
        putPresent(m, "parent", s.parent());
        putPresent(m, "name", s.name());
    }

    /** What a budget caps: {@code currency} or {@code feature}, and {@code limit}. */
    public static void putBudgetCap(Map<String, Object> m, Budget b) {
        putPresent(m, "currency", b.currency());
        putPresent(m, "feature", b.feature());
        m.put("limit", b.limit());
    }

    /** How a budget holds: {@code period}, its enforcement, {@code alerts}, {@code dimensions}. */
    public static void putBudgetTerms(Map<String, Object> m, Budget b, Form form) {
        m.put("period", b.period().wireName());
        if (form == Form.JOURNAL) {
            m.put("hard", b.hard());
        } else {
            m.put("enforcement", b.hard() ? "hard" : "soft");
        }
        m.put("alerts", new ArrayList<Object>(b.alerts()));
        if (form == Form.JOURNAL) {
            m.put("dimensions", new LinkedHashMap<String, Object>(b.dimensions()));
        } else if (!b.dimensions().isEmpty()) {
            m.put("dimensions", new TreeMap<String, Object>(b.dimensions()));
        }
    }

    /**
     * What a session holds: {@code scope} (absent without), {@code currency} or {@code feature}, {@code amount}, and
     * the price a quoted session fixed: {@code quote: {currency (absent if free), unitPrice}} (absent without).
     */
    public static void putSessionHold(Map<String, Object> m, Session s) {
        putPresent(m, "scope", s.scope());
        putPresent(m, "currency", s.currency());
        putPresent(m, "feature", s.feature());
        m.put("amount", s.amount());
        Quote q = s.quote();
        if (q != null) {
            Map<String, Object> quote = new LinkedHashMap<>();
            putPresent(quote, "currency", q.currency());
            quote.put("unitPrice", q.unitPrice());
            m.put("quote", quote);
        }
    }

    /**
     * A session's times: {@code openedAt}, {@code expiresAt} and {@code maxUntil}.
     *
     * @param expiresAt its deadline: as opened (the journal), or as heartbeats have moved it since (an answer)
     */
    public static void putSessionTimes(Map<String, Object> m, Session s, Instant expiresAt) {
        m.put("openedAt", instant(s.openedAt()));
        m.put("expiresAt", instant(expiresAt));
        m.put("maxUntil", instant(s.maxUntil()));
    }
}
