package dev.tollgate.core.catalog;

/** What kind of thing a feature is. */
public enum FeatureType {
    /** On or off. */
    BOOLEAN,
    /** A number such as seats or a context window; not consumed. */
    CONFIG,
    /** Consumed in units, with a limit per reset period. */
    METERED
}
