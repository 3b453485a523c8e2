package dev.tollgate.core.cluster;

import java.util.Collection;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Placement of customers on the nodes of a cluster by rendezvous (highest random weight) hashing: a customer goes to
 * the node whose hash of {@code (node, customer)} is highest. Every node computes the same answer from the same set of
 * live nodes, with no coordination; when a node joins it takes about {@code 1/n} of the customers, each from the node
 * that had it, and when one leaves only its customers move, spread over the others.
 *
 * <p>The hash is FNV-1a (64 bits) over the characters of both ids, finished with SplitMix64's mixer: stable across JVMs
 * and versions, since nodes running different builds during a rolling upgrade must agree.
 *
 * <p>Pure and thread-safe.
 */
public final class Rendezvous {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Rendezvous() {}

    /**
     * The node a customer is placed on.
     *
     * @param customerId the customer
     * @param nodes the ids of the live nodes, in any order
     * @return the node with the highest weight for the customer (ties, never seen with 64 bits, go to the smaller id);
     *     empty if {@code nodes} is empty
     */
    public static Optional<String> owner(String customerId, Collection<String> nodes) {
        @Nullable String best = null;
        long bestWeight = 0;
        for (String node : nodes) {
            long w = weight(node, customerId);
            if (best == null
                    || Long.compareUnsigned(w, bestWeight) > 0
                    || (w == bestWeight && node.compareTo(best) < 0)) {
                best = node;
                bestWeight = w;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The weight of {@code (node, customer)}: a 64-bit hash, compared unsigned. */
    static long weight(String node, String customerId) {
        long h = FNV_OFFSET;
        h = fnv(h, node);
        h = (h ^ 0xff) * FNV_PRIME; // an odd byte between the ids, which are two bytes a character
        h = fnv(h, customerId);
        return mix(h);
    }

    private static long fnv(long seed, String s) {
        long h = seed;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            h = (h ^ (c & 0xff)) * FNV_PRIME;
            h = (h ^ (c >>> 8)) * FNV_PRIME;
        }
        return h;
    }

    /** SplitMix64's finaliser: spreads FNV's weak low bits over the whole word. */
    private static long mix(long z) {
        long x = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
        return x ^ (x >>> 31);
    }
}
