package dev.tollgate.server.feed;

import java.util.Set;

/**
 * The customers a subscriber named ({@code ?customers=a,b}).
 *
 * @param customers the customer ids, not empty
 */
public record Interest(Set<String> customers) {
    public Interest {
        customers = Set.copyOf(customers);
        if (customers.isEmpty()) {
            throw new IllegalArgumentException("an interest names at least one customer");
        }
    }
}
