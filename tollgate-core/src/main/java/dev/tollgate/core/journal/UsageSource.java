package dev.tollgate.core.journal;

/** How usage reached Tollgate. */
public enum UsageSource {
    /** Admitted by {@code consume}, before the work was done. */
    CONSUME,
    /** Reported by {@code events}, after the work was done. */
    EVENT
}
