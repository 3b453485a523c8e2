package dev.tollgate.server.cluster;

import dev.tollgate.server.auth.NodeProof;

/**
 * What this node sends on a request of its own to another node: its id ({@value NodeProof#FORWARDED_BY}) and its
 * proof ({@value NodeProof#PROOF}).
 *
 * @param nodeId this node's id
 * @param proof this node's proof, {@link NodeProof#of}
 */
record NodeMark(String nodeId, String proof) {}
