package dev.tollgate.store.postgres;

import dev.tollgate.core.store.Ownership;
import dev.tollgate.core.store.Store;
import java.time.Duration;

/** The entry points of the PostgreSQL store: the store, and its cluster membership when several servers share it. */
public final class PostgresStores {
    private PostgresStores() {}

    /**
     * Connects to PostgreSQL and migrates the schema (the connection's current schema, {@code public} unless the URL
     * says {@code currentSchema=...}).
     *
     * @param jdbcUrl e.g. {@code jdbc:postgresql://127.0.0.1:5432/tollgate?user=tollgate&password=secret}
     * @return an open store; close it when done
     * @throws dev.tollgate.core.store.StoreException if the database cannot be reached or migrated
     */
    public static Store open(String jdbcUrl) {
        return PostgresStore.open(jdbcUrl);
    }

    /**
     * Makes {@code store} one node of a cluster: the returned {@link Ownership} registers the node and acquires
     * customers in the store's schema, and from now on every {@link Store#append} of {@code store} is fenced (it
     * commits only for customers this node holds at their current epoch, else throws {@link
     * dev.tollgate.core.store.FencedException}). A store without an ownership is not fenced (one server alone).
     *
     * <p>The ownership has a small pool of connections of its own; close it before the store. It does not heartbeat by
     * itself: call {@link Ownership#heartbeat} well within every {@code lease}, and first before {@link
     * Ownership#acquire}.
     *
     * @param store a store from {@link #open}
     * @param nodeId this node's id, unique in the cluster ({@code TOLLGATE_NODE_ID})
     * @param advertiseUrl where other nodes and clients reach this node ({@code TOLLGATE_ADVERTISE_URL})
     * @param lease how long a heartbeat keeps this node alive, by the database's clock; 1 ms or more
     * @throws IllegalArgumentException if {@code store} is not from {@link #open}, an id or url is blank, or the lease
     *     is under a millisecond
     * @throws IllegalStateException if {@code store} has an ownership already
     * @throws dev.tollgate.core.store.StoreException if the database cannot be reached
     */
    public static Ownership ownership(Store store, String nodeId, String advertiseUrl, Duration lease) {
        if (!(store instanceof PostgresStore postgres)) {
            throw new IllegalArgumentException("not a PostgreSQL store from PostgresStores.open: "
                    + store.getClass().getName());
        }
        return PostgresOwnership.open(postgres, nodeId, advertiseUrl, lease);
    }
}
