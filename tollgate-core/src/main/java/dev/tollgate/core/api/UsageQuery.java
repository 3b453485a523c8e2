package dev.tollgate.core.api;

import dev.tollgate.core.engine.Engine;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What {@link Engine#usage(String, UsageQuery)} reads and how it groups it.
 *
 * @param from inclusive
 * @param to exclusive
 * @param groupBy {@code scope}, {@code feature}, {@code dimension.<name>}, {@code day} or {@code hour} (the customer's
 *     calendar), in any combination (none: one total)
 * @param feature only this feature, or {@code null}
 * @param scope only usage recorded at this scope or below it in the current tree, or {@code null} for all
 * @param depth with {@code scope} in {@code groupBy}, rolls each row's scope up to its ancestor this many levels below
 *     the customer root (1: top-level scopes; a shallower scope stays itself); 0 groups by the scope as recorded
 */
public record UsageQuery(
        Instant from,
        Instant to,
        List<String> groupBy,
        @Nullable String feature,
        @Nullable String scope,
        int depth) {
    public UsageQuery {
        groupBy = List.copyOf(groupBy);
    }
}
