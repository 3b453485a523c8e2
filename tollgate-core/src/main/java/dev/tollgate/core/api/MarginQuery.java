package dev.tollgate.core.api;

import java.time.Instant;
import java.util.List;

/**
 * What the margin report reads and how it groups it ({@code GET /v1/reports/margin}).
 *
 * @param from inclusive: usage that happened from then
 * @param to exclusive
 * @param groupBy {@code customer}, {@code feature}, {@code dimension.<name>}, in any combination and order (none: one
 *     row per money currency)
 */
public record MarginQuery(Instant from, Instant to, List<String> groupBy) {
    public MarginQuery {
        groupBy = List.copyOf(groupBy);
    }
}
