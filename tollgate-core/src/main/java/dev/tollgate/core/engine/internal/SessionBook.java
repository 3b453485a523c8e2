package dev.tollgate.core.engine.internal;

import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.session.Session;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One customer's sessions, as the fold of its session records: the ones not closed (the only ones the held sums
 * walk), the ones the sweeper released at their deadline that no close has settled yet, the last {@value
 * #RECENT_CLOSED} closed, and how many were ever opened (the {@code n} of the ids {@code <customerId>@s<n>}). A
 * session closed before the last ones kept is known by its id alone ({@link #closedLongAgo}) and rebuilt from the
 * store's records when asked for ({@link #rebuild}).
 *
 * <p>Not thread-safe: part of a {@link CustomerState}, guarded by the customer's section.
 */
final class SessionBook {
    /** Closed sessions held in memory per customer: the last ones closed; an older one is rebuilt from the store. */
    static final int RECENT_CLOSED = 256;

    private final String customerId;

    /**
     * The sessions not closed, by id: the ones the held sums walk (past its deadline a session holds nothing, and stays
     * here until the sweeper records its expiry).
     */
    final Map<String, SessionState> open = new LinkedHashMap<>();
    /**
     * The sessions the sweeper closed at their deadline that no close has settled yet, by id: a later close still
     * settles them, from what was consumed in them. They hold nothing.
     */
    final Map<String, SessionState> released = new LinkedHashMap<>();
    /**
     * The last {@value #RECENT_CLOSED} sessions closed (settled), by id, in closing order. Before this bound every
     * session ever opened stayed in memory, and every held sum walked them all.
     */
    final Map<String, SessionState> closed = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SessionState> eldest) {
            return size() > RECENT_CLOSED;
        }
    };
    /** How many sessions the customer ever opened: the {@code n} of the last id {@code <customerId>@s<n>}. */
    int opened;

    SessionBook(String customerId) {
        this.customerId = customerId;
    }

    /** The id the next session opened gets. */
    String nextId() {
        return customerId + "@s" + (opened + 1);
    }

    /** Makes this book equal to {@code other} (deep copy). */
    void copyFrom(SessionBook other) {
        copy(other.open, open);
        copy(other.released, released);
        copy(other.closed, closed);
        opened = other.opened;
    }

    private static void copy(Map<String, SessionState> from, Map<String, SessionState> to) {
        to.clear();
        from.forEach((id, s) -> to.put(id, new SessionState(s)));
    }

    /** Forgets every session. */
    void clear() {
        open.clear();
        released.clear();
        closed.clear();
        opened = 0;
    }

    /**
     * Applies a session record ({@code SessionOpened}, {@code SessionExtended}, {@code SessionClosed}, {@code
     * SessionSettled}) or draws a usage record made in a session on its hold; any other record changes nothing.
     */
    void apply(JournalEntry entry) {
        if (entry instanceof JournalEntry.UsageRecorded e) {
            SessionState s = e.sessionId() == null ? null : get(e.sessionId());
            if (s != null) {
                drawOn(s, e);
            }
        } else if (entry instanceof JournalEntry.SessionOpened e) {
            open.put(e.session().id(), new SessionState(e.session()));
            opened++;
        } else if (entry instanceof JournalEntry.SessionExtended e) {
            SessionState s = get(e.sessionId());
            if (s != null) {
                s.expiresAt = e.expiresAt();
            }
        } else if (entry instanceof JournalEntry.SessionClosed e) {
            close(e);
        } else if (entry instanceof JournalEntry.SessionSettled e) {
            SessionState s = get(e.sessionId());
            if (s != null) {
                s.draw(e.credits());
            }
        }
    }

    private void close(JournalEntry.SessionClosed e) {
        SessionState s = get(e.sessionId());
        if (s == null) {
            return;
        }
        s.closed = true;
        s.excess = e.excess();
        s.excessBoundBy = e.boundBy();
        open.remove(e.sessionId());
        released.remove(e.sessionId());
        if (e.expired() && e.idempotencyKey() == null) {
            released.put(e.sessionId(), s);
        } else {
            closed.put(e.sessionId(), s);
        }
    }

    /** Shrinks a session's hold by what a usage record made in it counts against that hold. */
    private static void drawOn(SessionState s, JournalEntry.UsageRecorded e) {
        BigDecimal amount;
        if (s.session.feature() != null) {
            amount = e.quantity();
        } else {
            CreditCharge credit = e.answer().credit();
            amount = credit == null ? BigDecimal.ZERO : credit.credits();
        }
        s.draw(amount);
    }

    /**
     * A session held in memory: not closed, released at its deadline and not settled, or among the last closed; else
     * {@code null} (unknown, or closed before the last {@value #RECENT_CLOSED}: see {@link #closedLongAgo}).
     */
    @Nullable
    SessionState get(String sessionId) {
        SessionState s = open.get(sessionId);
        if (s == null) {
            s = released.get(sessionId);
        }
        return s == null ? closed.get(sessionId) : s;
    }

    /** Tells whether this customer issued the id ({@code <customerId>@s<n>}, n from 1 to {@link #opened}). */
    boolean issued(String sessionId) {
        int n = customerId.length() + 2;
        if (!sessionId.startsWith(customerId)
                || !sessionId.startsWith("@s", customerId.length())
                || sessionId.length() == n) {
            return false;
        }
        if (sessionId.charAt(n) == '0' || sessionId.length() - n > 9) {
            return false;
        }
        int number = 0;
        for (int i = n; i < sessionId.length(); i++) {
            char c = sessionId.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            number = number * 10 + (c - '0');
        }
        return number <= opened;
    }

    /**
     * Tells whether the session is one of this customer's closed before the last {@value #RECENT_CLOSED}: issued, and
     * no longer in memory (every session not closed, or released and not settled, is).
     */
    boolean closedLongAgo(String sessionId) {
        return get(sessionId) == null && issued(sessionId);
    }

    /**
     * Rebuilds a session closed long ago from the customer's records (in append order): the same fold as {@link
     * #apply} over the records that name it.
     *
     * @return the session, or {@code null} if no record opened it
     */
    static @Nullable SessionState rebuild(String sessionId, List<JournalEntry> entries) {
        SessionState s = null;
        for (JournalEntry entry : entries) {
            if (entry instanceof JournalEntry.SessionOpened e
                    && e.session().id().equals(sessionId)) {
                s = new SessionState(e.session());
            } else if (s == null) {
                // a record before the session was opened does not concern it
            } else if (entry instanceof JournalEntry.SessionExtended e
                    && e.sessionId().equals(sessionId)) {
                s.expiresAt = e.expiresAt();
            } else if (entry instanceof JournalEntry.SessionClosed e
                    && e.sessionId().equals(sessionId)) {
                s.closed = true;
                s.excess = e.excess();
                s.excessBoundBy = e.boundBy();
            } else if (entry instanceof JournalEntry.SessionSettled e
                    && e.sessionId().equals(sessionId)) {
                s.draw(e.credits());
            } else if (entry instanceof JournalEntry.UsageRecorded e && sessionId.equals(e.sessionId())) {
                drawOn(s, e);
            }
        }
        return s;
    }

    /** Units of a feature held by sessions at {@code t}, except {@code except}'s own hold. */
    BigDecimal heldFeature(String feature, Instant t, @Nullable String except) {
        BigDecimal sum = BigDecimal.ZERO;
        for (SessionState s : open.values()) {
            if (feature.equals(s.session.feature())
                    && s.holdsAt(t)
                    && !s.session.id().equals(except)) {
                sum = sum.add(s.remaining);
            }
        }
        return sum;
    }

    /**
     * Credits of a currency held by sessions at {@code t}, except {@code except}'s own hold: what currency sessions
     * still hold, and the credits of the units that quoted feature sessions priced in it still hold.
     */
    BigDecimal heldCredits(String currency, Instant t, @Nullable String except) {
        BigDecimal sum = BigDecimal.ZERO;
        for (SessionState s : open.values()) {
            if (currency.equals(s.session.heldCurrency())
                    && s.holdsAt(t)
                    && !s.session.id().equals(except)) {
                sum = sum.add(s.session.heldCredits(s.remaining));
            }
        }
        return sum;
    }

    /**
     * What sessions hold at {@code t} against a scope's budget, except {@code except}'s own hold: units against a
     * feature's budget, credits (a currency session's, or a priced quote's) against a currency's.
     *
     * @param tree the customer's scope tree: a session at or below {@code scope} holds against it
     */
    BigDecimal heldBudget(String scope, Budget budget, Instant t, @Nullable String except, ScopeTree tree) {
        if (!budget.dimensions().isEmpty()) {
            return BigDecimal.ZERO;
        }
        BigDecimal sum = BigDecimal.ZERO;
        for (SessionState o : open.values()) {
            Session s = o.session;
            boolean units = budget.feature() != null && budget.feature().equals(s.feature());
            boolean credits = budget.currency() != null && budget.currency().equals(s.heldCurrency());
            if ((units || credits)
                    && o.holdsAt(t)
                    && !s.id().equals(except)
                    && s.scope() != null
                    && tree.within(s.scope(), scope)) {
                sum = sum.add(units ? o.remaining : s.heldCredits(o.remaining));
            }
        }
        return sum;
    }
}
