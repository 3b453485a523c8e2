package dev.tollgate.server.auth;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * Proof that a request comes from a node of this cluster, not from a client: what a node believes of a request marked
 * {@value #FORWARDED_BY} (it comes from another node: answer with this node's own customers only, never forward it
 * again, do not wait for a credential change to reach the others) must not be a client's to claim.
 *
 * <p>The proof of node {@code n} is the hex HMAC-SHA256 of {@code "tollgate node " + n} under the SHA-256 digest of
 * the root key, which every node of a cluster is configured with ({@code TOLLGATE_API_KEY}) and a client does not have
 * (a secret key made with {@code POST /v1/keys} does not make it). It is sent in {@value #PROOF} beside the node's id.
 * A request whose proof is missing or wrong is served as any client's: the mark is ignored, not refused, so a
 * client that sets it gains nothing and loses nothing. The proof does not change per request: like the bearer
 * credentials beside it, it relies on the network between the nodes being the operator's.
 *
 * <p>Thread-safe: immutable.
 */
public final class NodeProof {
    /** The header that marks a request relayed by another node: that node's id. */
    public static final String FORWARDED_BY = "X-Tollgate-Forwarded-By";

    /** The header that proves {@value #FORWARDED_BY}. */
    public static final String PROOF = "X-Tollgate-Node-Proof";

    private final byte[] key;

    private NodeProof(byte[] key) {
        this.key = key;
    }

    /** The proofs under {@code root}, the root key every node of the cluster is configured with. */
    public static NodeProof under(ApiKeys root) {
        return new NodeProof(root.digest());
    }

    /** The proof that node {@code nodeId} sends in {@value #PROOF}. */
    public String of(String nodeId) {
        return HexFormat.of().formatHex(mac(nodeId));
    }

    /**
     * Whether a request was relayed by a node of this cluster.
     *
     * @param nodeId the request's {@value #FORWARDED_BY}, or {@code null}
     * @param proof the request's {@value #PROOF}, or {@code null}
     * @return {@code true} only if both are present and the proof is that node's; compared in constant time
     */
    public boolean relayedByNode(@Nullable String nodeId, @Nullable String proof) {
        if (nodeId == null || proof == null) {
            return false;
        }
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(proof.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return Secrets.same(presented, mac(nodeId));
    }

    private byte[] mac(String nodeId) {
        return Secrets.hmac(key, ("tollgate node " + nodeId).getBytes(StandardCharsets.UTF_8));
    }
}
