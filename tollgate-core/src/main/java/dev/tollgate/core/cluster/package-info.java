/** Placement of customers on the nodes of a cluster; pure (the store keeps membership and ownership). */
@NullMarked
package dev.tollgate.core.cluster;

import org.jspecify.annotations.NullMarked;
