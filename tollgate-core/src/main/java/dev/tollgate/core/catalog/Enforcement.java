package dev.tollgate.core.catalog;

/** What happens at a limit: {@code HARD} denies, {@code SOFT} admits and flags the overage. */
public enum Enforcement {
    HARD,
    SOFT
}
