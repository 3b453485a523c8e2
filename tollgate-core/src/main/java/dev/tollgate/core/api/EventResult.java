package dev.tollgate.core.api;

import dev.tollgate.core.Reason;
import org.jspecify.annotations.Nullable;

/**
 * What became of one reported event.
 *
 * @param status {@link Status#ACCEPTED}, {@link Status#DUPLICATE} or {@link Status#REJECTED}
 * @param reason why it was rejected, or {@code null}
 * @param overage whether the event passed the feature's limit
 */
public record EventResult(Status status, @Nullable Reason reason, boolean overage) {
    /** The fate of one event. */
    public enum Status {
        ACCEPTED,
        DUPLICATE,
        REJECTED
    }

    public static EventResult rejected(Reason reason) {
        return new EventResult(Status.REJECTED, reason, false);
    }
}
