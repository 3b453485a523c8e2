package dev.tollgate.server.feed;

import java.util.Collection;

/**
 * Which customers this server holds now, and at which fencing epoch: what its change feed may speak for.
 *
 * <p>A server alone holds every customer (the feed then needs no residency). A node of a cluster holds only the
 * customers it owns: its feed snapshots only those, and never writes an event for a customer it has given up, whose new
 * owner sends it instead ({@code docs/operating/cluster.md}, "The change feed across the cluster").
 *
 * <p>Implementations are thread-safe and answer from memory, without blocking.
 */
public interface Residency {
    /** What {@link #epoch} answers for a customer this server does not hold. */
    long NOT_HELD = -1;

    /**
     * The fencing epoch at which this server holds the customer now.
     *
     * @return the epoch (at least 1), or {@link #NOT_HELD}
     */
    long epoch(String customerId);

    /** The customers this server holds now (a copy or a view that may be iterated while it changes). */
    Collection<String> held();
}
