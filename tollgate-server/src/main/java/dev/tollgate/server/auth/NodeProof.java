package dev.tollgate.server.auth;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Proof that a request comes from a node of this cluster, not from a client: what a node believes of a request marked
 * {@value #FORWARDED_BY} (it comes from another node: answer with this node's own customers only, never forward it
 * again, do not wait for a credential change to reach the others) must not be a client's to claim.
 *
 * <p>The proof of node {@code n} is the hex HMAC-SHA256 of {@code "tollgate node " + n} under a key derived from the
 * root key (HMAC-SHA256 of {@code "tollgate node proof v1"} under the root key's SHA-256, so that the digest the
 * keyring looks keys up by is not itself the proving key). Every node of a cluster is configured with the same root
 * key ({@code TOLLGATE_API_KEY}); a client does not have it (a secret key made with {@code POST /v1/keys} does not make
 * it). It is sent in {@value #PROOF} beside the node's id. A mark whose proof is missing or wrong is {@link
 * Mark#FORGED}: refused, not ignored, so that nodes configured with different root keys fail loudly instead of serving
 * each other as clients (their feeds would then open each other's without end). The proof does not change per
 * request: like the bearer credentials beside it, it relies on the network between the nodes being the operator's.
 *
 * <p>Thread-safe: the kept proofs are a concurrent map of values that never change.
 */
public final class NodeProof {
    /** The header that marks a request relayed by another node: that node's id. */
    public static final String FORWARDED_BY = "X-Tollgate-Forwarded-By";

    /** The header that proves {@value #FORWARDED_BY}. */
    public static final String PROOF = "X-Tollgate-Node-Proof";

    /** What a request's mark says. */
    public enum Mark {
        /** No {@value #FORWARDED_BY}: a client's request. */
        NONE,
        /** Relayed by the node it names, proven. */
        NODE,
        /** A {@value #FORWARDED_BY} without its node's proof: refused. */
        FORGED
    }

    /** The most node ids whose expected proof is kept, so that a forwarded request does not compute it again. */
    private static final int KEPT = 64;

    private final byte[] key;
    private final Map<String, byte[]> expected = new ConcurrentHashMap<>();

    private NodeProof(byte[] key) {
        this.key = key;
    }

    /** The proofs under {@code root}, the root key every node of the cluster is configured with. */
    public static NodeProof under(ApiKeys root) {
        return new NodeProof(Secrets.hmac(root.digest(), "tollgate node proof v1".getBytes(StandardCharsets.UTF_8)));
    }

    /** The proof that node {@code nodeId} sends in {@value #PROOF}. */
    public String of(String nodeId) {
        return HexFormat.of().formatHex(mac(nodeId));
    }

    /**
     * What a request's mark says.
     *
     * @param nodeId the request's {@value #FORWARDED_BY}, or {@code null}
     * @param proof the request's {@value #PROOF}, or {@code null}
     * @return {@link Mark#NONE} without a node id; {@link Mark#NODE} if the proof is that node's (compared in constant
     *     time); else {@link Mark#FORGED}
     */
    public Mark check(@Nullable String nodeId, @Nullable String proof) {
        if (nodeId == null) {
            return Mark.NONE;
        }
        if (proof == null) {
            return Mark.FORGED;
        }
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(proof.trim());
        } catch (IllegalArgumentException e) {
            return Mark.FORGED;
        }
        return Secrets.same(presented, mac(nodeId)) ? Mark.NODE : Mark.FORGED;
    }

    private byte[] mac(String nodeId) {
        byte[] kept = expected.get(nodeId);
        if (kept != null) {
            return kept;
        }
        byte[] made = Secrets.hmac(key, ("tollgate node " + nodeId).getBytes(StandardCharsets.UTF_8));
        if (expected.size() < KEPT) {
            expected.put(nodeId, made); // a client's made-up ids fill it at most to KEPT, then are computed each time
        }
        return made;
    }
}
