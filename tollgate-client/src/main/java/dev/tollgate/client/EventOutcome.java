package dev.tollgate.client;

import org.jspecify.annotations.Nullable;

/**
 * What became of a reported event. Immutable.
 *
 * @param idempotencyKey the event's key
 * @param status {@link Status#ACCEPTED}, {@link Status#DUPLICATE} (recorded before, so recorded once),
 *     {@link Status#REJECTED} (the server refused it; {@code reason} says why) or {@link Status#SPOOLED} (the server
 *     could not be reached: the event is on local disk and will be delivered exactly once when it is back)
 * @param reason the stable code of a rejection, else {@code null}
 * @param overage whether an accepted event went past a limit
 */
public record EventOutcome(
        String idempotencyKey, Status status, @Nullable String reason, boolean overage) {
    /** The fate of one event. */
    public enum Status {
        ACCEPTED,
        DUPLICATE,
        REJECTED,
        SPOOLED
    }
}
