/**
 * Governance: a customer's scope tree (departments, teams, projects, users, agents) and the budgets on its scopes,
 * walked from a request's scope up to the root. Pure and deterministic.
 */
@NullMarked
package dev.tollgate.core.budget;

import org.jspecify.annotations.NullMarked;
