package dev.tollgate.core.api;

import dev.tollgate.core.decision.Decision;
import org.jspecify.annotations.Nullable;

/**
 * The answer to opening a session: the session, or the refusal.
 *
 * @param session the session, or {@code null} if refused
 * @param refusal why not (reason and what bound it), or {@code null} if opened
 */
public record SessionOutcome(
        @Nullable SessionView session, @Nullable Decision refusal) {
    public static SessionOutcome opened(SessionView session) {
        return new SessionOutcome(session, null);
    }

    public static SessionOutcome refused(Decision refusal) {
        return new SessionOutcome(null, refusal);
    }
}
