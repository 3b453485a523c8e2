package dev.tollgate.core.budget;

import org.jspecify.annotations.Nullable;

/**
 * A node of a customer's scope tree.
 *
 * @param id unique within the customer
 * @param kind free-form kind ({@code department}, {@code team}, {@code agent}, ...)
 * @param parent the parent scope, or {@code null} for a child of the customer root
 * @param name a display name, or {@code null}
 */
public record Scope(
        String id,
        String kind,
        @Nullable String parent,
        @Nullable String name) {}
