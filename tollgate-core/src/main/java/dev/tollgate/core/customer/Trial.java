package dev.tollgate.core.customer;

import java.time.Instant;

/**
 * A trial: the trial plan's entitlements count until {@code endsAt} (exclusive).
 *
 * @param plan the plan tried
 * @param endsAt the first instant after the trial
 */
public record Trial(PlanRef plan, Instant endsAt) {}
