package dev.tollgate.core.store;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Membership of the servers (nodes) that share one store, and their ownership of customers: the store's side of a
 * cluster. Each customer is owned by at most one node at a time, through an owner row that carries a <em>fencing
 * epoch</em>; the epoch rises every time the customer changes hands.
 *
 * <p>Fencing: a store that hands out ownership checks, inside the transaction of every {@link Store#append}, that this
 * node still owns every customer of the batch at the epoch it acquired (the row is locked for the rest of the
 * transaction, so a take-over waits for the commit or the commit sees the take-over). A batch with a customer this node
 * no longer owns is refused with {@link FencedException}, naming the customers; nothing of it is stored. Records
 * without a customer (the catalog's) are fenced under {@link #GLOBAL}. So a node that was paused or cut off past its
 * lease, and lost a customer meanwhile, can never commit for it.
 *
 * <p>Membership: {@link #heartbeat} registers this node and renews its lease; times are the store's clock, never a
 * node's, so nodes with skewed clocks agree on who is alive. A node whose lease has run out is dead: the customers it
 * owns may be taken by another node ({@link #acquire}).
 *
 * <p>Thread-safe.
 */
public interface Ownership extends AutoCloseable {

    /** The pseudo-customer that owns what belongs to no customer: the catalog and the webhooks. */
    String GLOBAL = "_system";

    /**
     * A node of the cluster as the store sees it.
     *
     * @param nodeId the node's id ({@code TOLLGATE_NODE_ID})
     * @param url where other nodes and clients reach it ({@code TOLLGATE_ADVERTISE_URL})
     * @param alive whether its lease runs now, by the store's clock
     * @param heartbeatAgeMillis milliseconds since its last heartbeat, by the store's clock
     * @param owned how many customers it owns
     */
    record Member(String nodeId, String url, boolean alive, long heartbeatAgeMillis, long owned) {}

    /** This node's id. */
    String nodeId();

    /**
     * Registers this node, or renews its lease for the lease time from now (by the store's clock).
     *
     * @return every registered node, alive or dead, ordered by node id
     * @throws StoreException if the store cannot be reached; the lease then runs out unless a later heartbeat succeeds
     */
    List<Member> heartbeat();

    /**
     * Takes a customer for this node if it is free: never owned, released, owned by a dead node, or by this node
     * already (then its epoch is kept). Taking it from another node raises its epoch.
     *
     * @param customerId a customer id, or {@link #GLOBAL}
     * @return the epoch this node now holds, or empty if a live node other than this one holds the customer
     * @throws StoreException if the store cannot be reached
     */
    OptionalLong acquire(String customerId);

    /**
     * Gives up a customer this node holds, so that its next owner may take it at once (a planned move). Does nothing if
     * this node no longer holds it at {@code epoch}.
     *
     * @throws StoreException if the store cannot be reached
     */
    void release(String customerId, long epoch);

    /** The customers this node holds, with the epoch of each; a snapshot. */
    Map<String, Long> held();

    /**
     * Every customer id the store has records of (besides {@link #GLOBAL}), for placement.
     *
     * @throws StoreException if the store cannot be read
     */
    Set<String> customers();

    /** Stops heartbeats from this object; the lease then runs out by itself. Does not release customers. Idempotent. */
    @Override
    void close();
}
