package dev.tollgate.core.api;

import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.session.Session;
import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A session as it stands.
 *
 * @param session the session as opened
 * @param status {@code open}, {@code closed} or {@code expired}
 * @param expiresAt the current deadline
 * @param consumed what was consumed inside it
 * @param held what it still holds (0 unless open)
 * @param excess how far its total went beyond its hold when it was closed, or {@code null} if it did not (or is not
 *     closed): the part recorded under each limit's hard/soft rule
 * @param boundBy the first hard limit that part went past (the feature's limit, the currency's balance, a budget on
 *     its scope path), or {@code null}
 */
public record SessionView(
        Session session,
        String status,
        Instant expiresAt,
        BigDecimal consumed,
        BigDecimal held,
        @Nullable BigDecimal excess,
        @Nullable BoundBy boundBy) {

    /** A session whose close did not go beyond its hold, or that is not closed. */
    public SessionView(Session session, String status, Instant expiresAt, BigDecimal consumed, BigDecimal held) {
        this(session, status, expiresAt, consumed, held, null, null);
    }

    /** Tells whether its close went beyond the hold ({@link #excess} is set). */
    public boolean overage() {
        return excess != null;
    }
}
