package dev.tollgate.core.journal;

import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.budget.Scope;
import dev.tollgate.core.catalog.CatalogOrigin;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.session.Session;
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
 *
 * <p>Construction: each record has its canonical constructor only, every component given. A record written without a
 * caller's key (or read from a journal written before fingerprints were kept) has {@code request} {@code null}; a
 * usage record outside any session has {@code sessionId} {@code null}.
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
     * The fingerprint of the request that used {@link #idempotencyKey}: what the key was used for, so that a repeat
     * of another request with the key is told apart from a retry. {@code null} for records without a caller's key,
     * and for records written before fingerprints were kept.
     */
    default @Nullable String request() {
        return null;
    }

    /**
     * A catalog version was published.
     *
     * @param version the catalog version
     * @param author who published it
     * @param document the document, in the JSON tree model
     * @param origin the start-up file it was applied from, or {@code null} if it was published through the API
     */
    record CatalogPublished(
            int version,
            Instant at,
            String author,
            @Nullable Object document,
            @Nullable CatalogOrigin origin) implements JournalEntry {

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
            @Nullable String timeZone,
            @Nullable String request)
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
            Map<String, Instant> resets,
            @Nullable String request)
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
            String customerId,
            Instant at,
            @Nullable String idempotencyKey,
            Promotion promotion,
            @Nullable String request)
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
     * @param sessionId the session it was consumed in (its hold shrinks by it), or {@code null}
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
            Decision answer,
            @Nullable String sessionId,
            @Nullable String request)
            implements JournalEntry {}

    /**
     * A consumption was refused; kept so that a repeated key answers the same, and with what was asked, so that a
     * what-if can decide it again. Records written before the request's scope, dimensions and session were kept read
     * back without them.
     *
     * @param feature the feature key asked for
     * @param quantity the quantity asked for
     * @param scope the scope it was asked at (the request's, else its session's), or {@code null}
     * @param dimensions its dimensions
     * @param sessionId the session it was asked in, or {@code null}
     * @param answer the refusal returned
     */
    record ConsumptionDenied(
            String customerId,
            Instant at,
            String idempotencyKey,
            String feature,
            BigDecimal quantity,
            @Nullable String scope,
            Map<String, String> dimensions,
            @Nullable String sessionId,
            Decision answer,
            @Nullable String request)
            implements JournalEntry {}

    /**
     * A grant of credits was created.
     *
     * @param idempotencyKey the caller's key for API grants, else {@code null} (allotment and recharge grants have
     *     deterministic ids instead)
     * @param grant the grant
     */
    record GrantCreated(
            String customerId,
            Instant at,
            @Nullable String idempotencyKey,
            Grant grant,
            @Nullable String request) implements JournalEntry {}

    /**
     * Ledger entries that move credits: one per movement.
     *
     * @param idempotencyKey the key of a void or refund ({@code void:<grant>}, {@code refund:<key>}), else {@code null}
     * @param type the entries' type
     * @param currency the currency
     * @param time the entries' ledger time: an expiry's {@code expiresAt}, else {@code at}
     * @param movements one per entry, in order
     * @param reference the consumption's idempotency key (consume and refund entries), or {@code null}
     * @param feature the consumed feature, or {@code null}
     * @param quantity the consumed quantity, or {@code null}
     * @param scope the consumption's scope, or {@code null}
     * @param dimensions the consumption's dimensions
     */
    record CreditsMoved(
            String customerId,
            Instant at,
            @Nullable String idempotencyKey,
            EntryType type,
            String currency,
            Instant time,
            List<Movement> movements,
            @Nullable String reference,
            @Nullable String feature,
            @Nullable BigDecimal quantity,
            @Nullable String scope,
            Map<String, String> dimensions)
            implements JournalEntry {}

    /**
     * Auto-recharge of a currency was configured or switched off.
     *
     * @param currency the currency
     * @param config the settings, or {@code null} for off
     */
    record AutoRechargeSet(
            String customerId,
            Instant at,
            @Nullable String idempotencyKey,
            String currency,
            @Nullable AutoRecharge config)
            implements JournalEntry {}

    /**
     * A scope was created, renamed or moved.
     *
     * @param scope the scope as it is now
     */
    record ScopeSet(String customerId, Instant at, @Nullable String idempotencyKey, Scope scope)
            implements JournalEntry {}

    /**
     * A budget was set on a scope, or removed.
     *
     * @param scopeId the scope
     * @param budgetKey the budget's key
     * @param budget the budget, or {@code null} to remove it
     */
    record BudgetSet(
            String customerId,
            Instant at,
            @Nullable String idempotencyKey,
            String scopeId,
            String budgetKey,
            @Nullable Budget budget)
            implements JournalEntry {}

    /**
     * A session was opened: its hold counts from now.
     *
     * @param session the session
     */
    record SessionOpened(
            String customerId,
            Instant at,
            @Nullable String idempotencyKey,
            Session session,
            @Nullable String request) implements JournalEntry {}

    /**
     * A session's deadline moved (heartbeat).
     *
     * @param sessionId the session
     * @param expiresAt the new deadline
     */
    record SessionExtended(
            String customerId, Instant at, @Nullable String idempotencyKey, String sessionId, Instant expiresAt)
            implements JournalEntry {}

    /**
     * A session ended: what it still held is released.
     *
     * @param sessionId the session
     * @param expired {@code true} if it ran out of time, {@code false} if it was closed
     * @param excess how far the session's total went beyond its hold when it was closed ({@code > 0}), or {@code null}
     *     if it stayed within (and for records written before the close said so)
     * @param boundBy the first hard limit the close's settlement went past (the feature's limit, the currency's
     *     balance, a budget), or {@code null}
     */
    record SessionClosed(
            String customerId,
            Instant at,
            @Nullable String idempotencyKey,
            String sessionId,
            boolean expired,
            @Nullable BigDecimal excess,
            @Nullable BoundBy boundBy)
            implements JournalEntry {}

    /**
     * Closing a currency session settled more than was consumed inside it: the rest of its {@code used}. The settled
     * credits count against every budget of the currency on the session's scope path, in the session's {@code
     * consumed} and in attribution, like any consumption; its ledger entries are the {@link CreditsMoved} that
     * follows it. (A feature session's settlement is a {@link UsageRecorded} in the session instead.)
     *
     * @param sessionId the session
     * @param scope the session's scope, or {@code null}
     * @param currency the session's currency
     * @param credits the credits settled, {@code > 0}
     */
    record SessionSettled(
            String customerId,
            Instant at,
            @Nullable String idempotencyKey,
            String sessionId,
            @Nullable String scope,
            String currency,
            BigDecimal credits)
            implements JournalEntry {}

    /**
     * An alert was raised.
     *
     * @param alert the alert
     */
    record AlertRaised(
            String customerId, Instant at, @Nullable String idempotencyKey, Alert alert) implements JournalEntry {}

    /**
     * A webhook was configured (kept under the reserved customer id {@code _system}).
     *
     * @param webhook the webhook
     */
    record WebhookSet(
            String customerId, Instant at, @Nullable String idempotencyKey, Webhook webhook) implements JournalEntry {}

    /**
     * An alert was delivered to a webhook (kept under {@code _system}); it is not sent there again.
     *
     * @param alertId the alert
     * @param webhookId the webhook
     */
    record AlertDelivered(
            String customerId, Instant at, @Nullable String idempotencyKey, String alertId, String webhookId)
            implements JournalEntry {}

    /**
     * A webhook was removed (kept under {@code _system}): nothing more is delivered to it, not even alerts raised
     * before, also after a restart.
     *
     * @param webhookId the webhook
     */
    record WebhookRemoved(
            String customerId, Instant at, @Nullable String idempotencyKey, String webhookId) implements JournalEntry {}

    /** All entry types, for codecs and stores that dispatch on them. */
    List<Class<? extends JournalEntry>> TYPES = List.of(
            CatalogPublished.class,
            CustomerUpserted.class,
            SubscriptionSet.class,
            SubscriptionCancelled.class,
            PromotionGranted.class,
            UsageRecorded.class,
            ConsumptionDenied.class,
            GrantCreated.class,
            CreditsMoved.class,
            AutoRechargeSet.class,
            ScopeSet.class,
            BudgetSet.class,
            SessionOpened.class,
            SessionExtended.class,
            SessionClosed.class,
            SessionSettled.class,
            AlertRaised.class,
            WebhookSet.class,
            AlertDelivered.class,
            WebhookRemoved.class);
}
