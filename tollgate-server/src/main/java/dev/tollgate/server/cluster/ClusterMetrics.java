package dev.tollgate.server.cluster;

import dev.tollgate.server.metrics.Metrics;
import io.micrometer.core.instrument.Counter;

/**
 * The cluster's metrics: requests forwarded to another node, requests refused {@code NOT_OWNER} (a move, a lapsed
 * lease), and customers moved in, moved out and lost to fencing ({@code docs/reference/metrics.md}).
 *
 * <p>Thread-safe.
 */
public final class ClusterMetrics {
    private final Counter forwarded;
    private final Counter refused;

    public ClusterMetrics(Metrics metrics) {
        this.forwarded = metrics.counter("tollgate.cluster.forwards", "requests forwarded to the node that owns them");
        this.refused = metrics.counter(
                "tollgate.cluster.not.owner", "requests refused NOT_OWNER during a move or a lapsed lease");
    }

    /** Gauges of {@code node}'s moves. */
    public void watch(Metrics metrics, ClusterNode node) {
        metrics.gauge("tollgate.cluster.moved.in", "customers this node took since start", () -> node.moves()[0]);
        metrics.gauge("tollgate.cluster.moved.out", "customers this node gave up since start", () -> node.moves()[1]);
        metrics.gauge(
                "tollgate.cluster.fenced",
                "customers this node lost to a fenced commit since start",
                () -> node.moves()[2]);
        metrics.gauge("tollgate.cluster.owned", "customers this node owns now", () -> node.ownedCount());
    }

    void forwarded() {
        forwarded.increment();
    }

    void refused() {
        refused.increment();
    }
}
