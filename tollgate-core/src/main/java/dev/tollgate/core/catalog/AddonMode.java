package dev.tollgate.core.catalog;

/** How an add-on's entitlement combines with the plan's. */
public enum AddonMode {
    /** Adds {@code value × quantity} to the plan's limit or number. */
    INCREMENT,
    /** Offers its own value, which wins if more generous. */
    OVERRIDE
}
