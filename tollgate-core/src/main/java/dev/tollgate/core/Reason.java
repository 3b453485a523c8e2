package dev.tollgate.core;

/**
 * Why a check or a consumption was not allowed. A closed set of stable codes that clients may switch on; new codes
 * are only ever added.
 */
public enum Reason {
    CUSTOMER_NOT_FOUND,
    FEATURE_NOT_FOUND,
    FEATURE_NOT_METERED,
    NOT_ENTITLED,
    LIMIT_EXCEEDED,
    INSUFFICIENT_CREDITS,
    BUDGET_EXCEEDED,
    SESSION_EXHAUSTED,
    SESSION_NOT_FOUND,
    SESSION_CLOSED,
    SESSION_MISMATCH,
    UNPRICED,
    SCOPE_NOT_FOUND,
    TIMESTAMP_IN_FUTURE,
    STORE_UNAVAILABLE,
    /**
     * The customer has no subscription in force (never subscribed, cancelled and ended, or not started yet) and no
     * promotion grants the feature.
     */
    NO_SUBSCRIPTION,
    /**
     * A reported event's idempotency key was used before for a different request (another event, or another kind of
     * write); the event is not recorded.
     */
    IDEMPOTENCY_KEY_REUSED,
    /** A reported event's idempotency key starts with a prefix reserved for the engine's own keys. */
    INVALID_IDEMPOTENCY_KEY,
}
