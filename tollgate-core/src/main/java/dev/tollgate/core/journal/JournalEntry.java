package dev.tollgate.core.journal;

import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.engine.Decision;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One durable record of a state change. Derived state (usage counters, subscriptions, idempotency answers) is a fold
 * of these records in order; replaying them from empty rebuilds it exactly.
 *
 * <p>Records are immutable and never updated or deleted once stored.
 */
public sealed interface JournalEntry {

    /** The customer whose state this changes, or {@code null} for catalog records. */
    @Nullable
    String customerId();

    /** When the change was applied (the engine's clock). */
    Instant at();

    /** The caller's idempotency key, unique per customer, or {@code null}. */
    @Nullable
    String idempotencyKey();

    /**
     * A catalog version was published.
     *
     * @param version the catalog version
     * @param author who published it
     * @param document the document, in the JSON tree model
     */
    record CatalogPublished(
            int version,
            Instant at,
            String author,
            @Nullable Object document) implements JournalEntry {
        @Override
        public @Nullable String customerId() {
            return null;
        }

        @Override
        public @Nullable String idempotencyKey() {
            return null;
        }
    }

    /**
     * A customer was created or its profile changed.
     *
     * @param name display name, or {@code null}
     * @param metadata free-form metadata in the JSON tree model
     * @param timeZone an IANA zone id for the customer's windows, or {@code null} for UTC
     */
    record CustomerUpserted(
            String customerId,
            Instant at,
            @Nullable String idempotencyKey,
            @Nullable String name,
            Map<String, Object> metadata,
            @Nullable String timeZone)
            implements JournalEntry {}

    /**
     * A subscription was set or replaced.
     *
     * @param subscription the new subscription
     * @param resets usage windows that the change resets: feature key to window start
     */
    record SubscriptionSet(
            String customerId,
            Instant at,
            @Nullable String idempotencyKey,
            Subscription subscription,
            Map<String, Instant> resets)
            implements JournalEntry {}

    /**
     * A subscription was cancelled.
     *
     * @param endsAt when it stops counting
     */
    record SubscriptionCancelled(
            String customerId, Instant at, @Nullable String idempotencyKey, Instant endsAt) implements JournalEntry {}

    /** A promotion was granted. */
    record PromotionGranted(
            String customerId, Instant at, @Nullable String idempotencyKey, Promotion promotion)
            implements JournalEntry {}

    /**
     * Usage was recorded against a metered feature.
     *
     * @param idempotencyKey the caller's key (required for usage)
     * @param feature the feature key
     * @param quantity units consumed, {@code > 0}
     * @param windowStart the start of the window it counts in
     * @param overage the part beyond the limit (soft limits, or reports over hard limits)
     * @param source consume or event
     * @param occurredAt when the usage happened (the event's timestamp; {@code at} for consumes)
     * @param scope the scope named by the caller, or {@code null}
     * @param dimensions attribution dimensions (model, workflow, ...)
     * @param answer the decision returned to the caller, replayed for a repeated key
     */
    record UsageRecorded(
            String customerId,
            Instant at,
            String idempotencyKey,
            String feature,
            BigDecimal quantity,
            Instant windowStart,
            BigDecimal overage,
            UsageSource source,
            Instant occurredAt,
            @Nullable String scope,
            Map<String, String> dimensions,
            Decision answer)
            implements JournalEntry {}

    /**
     * A consumption was refused; kept so that a repeated key answers the same.
     *
     * @param feature the feature key asked for
     * @param quantity the quantity asked for
     * @param answer the refusal returned
     */
    record ConsumptionDenied(
            String customerId, Instant at, String idempotencyKey, String feature, BigDecimal quantity, Decision answer)
            implements JournalEntry {}

    /** All entry types, for codecs and stores that dispatch on them. */
    List<Class<? extends JournalEntry>> TYPES = List.of(
            CatalogPublished.class,
            CustomerUpserted.class,
            SubscriptionSet.class,
            SubscriptionCancelled.class,
            PromotionGranted.class,
            UsageRecorded.class,
            ConsumptionDenied.class);
}
