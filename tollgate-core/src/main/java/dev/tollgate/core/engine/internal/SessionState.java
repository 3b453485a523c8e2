package dev.tollgate.core.engine.internal;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.session.Session;
import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A session as its customer's state holds it: the session as opened, what it still holds, what was consumed in it,
 * its deadline (heartbeats move it) and what its close said. Mutable; guarded by the customer's section like the rest
 * of {@link CustomerState}.
 */
final class SessionState {
    final Session session;
    BigDecimal remaining;
    BigDecimal consumed = BigDecimal.ZERO;
    Instant expiresAt;
    boolean closed;
    /** What its close said: how far its total went beyond the hold, or {@code null}. */
    @Nullable
    BigDecimal excess;
    /** What its close said: the first hard limit the settlement went past, or {@code null}. */
    @Nullable
    BoundBy excessBoundBy;

    SessionState(Session session) {
        this.session = session;
        this.remaining = session.amount();
        this.expiresAt = session.expiresAt();
    }

    /** A deep copy of {@code other}. */
    SessionState(SessionState other) {
        this.session = other.session;
        this.remaining = other.remaining;
        this.consumed = other.consumed;
        this.expiresAt = other.expiresAt;
        this.closed = other.closed;
        this.excess = other.excess;
        this.excessBoundBy = other.excessBoundBy;
    }

    /** Tells whether it holds anything at {@code t}: not closed, not past its deadline. */
    boolean holdsAt(Instant t) {
        return !closed && t.isBefore(expiresAt) && remaining.signum() > 0;
    }

    /** Counts {@code amount} as consumed in the session and shrinks its hold by it. */
    void draw(BigDecimal amount) {
        consumed = Decimals.normalize(consumed.add(amount));
        remaining = Decimals.normalize(remaining.subtract(amount).max(BigDecimal.ZERO));
    }
}
