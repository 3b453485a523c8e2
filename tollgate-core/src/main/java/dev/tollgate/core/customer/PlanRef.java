package dev.tollgate.core.customer;

/**
 * A pinned plan version.
 *
 * @param key the plan key
 * @param version the plan version the subscription bought
 */
public record PlanRef(String key, int version) {}
