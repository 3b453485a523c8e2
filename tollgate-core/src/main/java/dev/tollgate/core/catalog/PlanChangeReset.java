package dev.tollgate.core.catalog;

/** Whether a plan change starts a feature's usage counter again from zero. */
public enum PlanChangeReset {
    /** Every plan change resets the counter. */
    ALWAYS,
    /** Plan changes keep the counter (the default). */
    NEVER,
    /** The counter resets only when the change moves the feature to a different reset window. */
    ON_PERIOD_CHANGE
}
