package dev.tollgate.core.billing;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An {@link ExportItem} as the outbox holds it, with what became of it.
 *
 * @param item the item
 * @param status where it stands
 * @param attempts how many times it was sent without a final answer (failures to retry)
 * @param nextAttemptAt when it may be sent (again), while {@link Status#PENDING}
 * @param error the last failure's reason, or {@code null}
 * @param result what the provider answered to the send that settled it (its object id), or {@code null}
 * @param createdAt when it was enqueued
 * @param doneAt when it was settled (sent, failed or skipped), or {@code null}
 */
public record OutboxEntry(
        ExportItem item,
        Status status,
        int attempts,
        Instant nextAttemptAt,
        @Nullable String error,
        @Nullable String result,
        Instant createdAt,
        @Nullable Instant doneAt) {

    /** Where an item stands. */
    public enum Status {
        /** Not sent yet, or to be sent again after a failure that may pass. */
        PENDING,
        /** The provider took it. */
        SENT,
        /** The provider refused it (a 4xx): never sent again; {@code error} says why. */
        FAILED,
        /** Not to be sent (the customer has no provider id, or there is nothing to send); {@code error} says why. */
        SKIPPED;

        /** The lower-case name the API and the store use. */
        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The status of a lower-case name. */
        public static Status ofWire(String name) {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
