/**
 * Several servers on one PostgreSQL: {@link dev.tollgate.server.cluster.ClusterNode} (membership, ownership of
 * customers with fencing epochs, moves and fail-over), {@link dev.tollgate.server.cluster.RequestTarget} (which
 * customer a request is for), {@link dev.tollgate.server.cluster.ClusterRouter} (serve here or forward to the owner)
 * and {@link dev.tollgate.server.cluster.Forwarder} (the pooled HTTP relay). See {@code docs/operating/cluster.md}.
 */
@NullMarked
package dev.tollgate.server.cluster;

import org.jspecify.annotations.NullMarked;
