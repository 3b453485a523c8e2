package dev.tollgate.core.catalog;

/**
 * An add-on's entitlement for one feature and how it combines with the plan's.
 *
 * @param entitlement the value per unit of add-on quantity (increment) or the offered value (override)
 * @param mode increment or override
 */
public record AddonEntitlement(Entitlement entitlement, AddonMode mode) {}
