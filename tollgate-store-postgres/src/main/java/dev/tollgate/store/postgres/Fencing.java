package dev.tollgate.store.postgres;

import dev.tollgate.core.journal.JournalRecord;
import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.FencedException;
import dev.tollgate.core.store.Ownership;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentMap;

/**
 * The fencing check of a commit: this node still owns every customer of the batch at the epoch it acquired.
 *
 * <p>Design: the check is one statement in the commit's own transaction, before the inserts: {@link #LOCK_OWNERS}
 * locks the owner rows of the batch's customers {@code FOR SHARE} and reads them back. {@code FOR SHARE} is the
 * weakest lock that conflicts with the {@code UPDATE} of a take-over ({@code FOR KEY SHARE} would not): a take-over
 * that comes while the commit is in flight waits for it to end, and a commit that comes while a take-over is in
 * flight waits for the take-over, then (READ COMMITTED re-reads a row that changed while it waited) sees the new
 * owner and epoch. Shared locks do not conflict with each other, so commits never wait for one another here. A
 * customer the node does not hold in memory fails the check before any statement runs.
 *
 * <p>A paused process: the row locks of a commit last until it ends, so a process paused in the middle of one (a long
 * GC pause, {@code SIGSTOP}) would hold up every take-over of the batch's customers. The same round trip therefore sets
 * {@code idle_in_transaction_session_timeout} for the commit's transaction alone: PostgreSQL ends a commit that stays
 * idle longer, which rolls it back and releases its locks (a healthy commit sends its statements back to back; the
 * store's reads, which stream with a cursor at the pace of their reader, keep no such limit).
 *
 * <p>A fenced customer leaves {@code held} (only at the epoch that was checked, so that a concurrent re-acquisition at a
 * new epoch stays).
 *
 * <p>Thread-safe.
 */
final class Fencing {
    /** Locks and reads the owner rows of some customers, in one order so that two lockers never cross. */
    static final String LOCK_OWNERS = "SELECT customer_id, node_id, epoch FROM cluster_owners"
            + " WHERE customer_id = ANY (?::text[]) ORDER BY customer_id FOR SHARE";

    private final String nodeId;
    private final ConcurrentMap<String, Long> held;
    private final String lockOwners;

    /**
     * @param nodeId this node
     * @param held the customers this node holds and their epochs, shared with the {@link PostgresOwnership} that
     *     updates it; fenced customers are removed from it
     * @param idleMillis how long the commit's transaction may stay idle (its process paused between two statements)
     *     before PostgreSQL ends it and so releases its locks; 1 or more
     */
    Fencing(String nodeId, ConcurrentMap<String, Long> held, long idleMillis) {
        this.nodeId = nodeId;
        this.held = held;
        this.lockOwners = "SET LOCAL idle_in_transaction_session_timeout = " + idleMillis + "; " + LOCK_OWNERS;
    }

    /**
     * The customers of a batch (its records', {@link Ownership#GLOBAL} for a record without one, and its counters') with
     * the epoch this node holds each at.
     *
     * @throws FencedException naming the customers this node does not hold at all; nothing was sent to the database
     */
    Map<String, Long> epochs(List<JournalRecord> batch, List<CounterValue> counters) {
        Set<String> customers = new TreeSet<>();
        for (JournalRecord r : batch) {
            String customer = r.entry().customerId();
            customers.add(customer == null ? Ownership.GLOBAL : customer);
        }
        for (CounterValue v : counters) {
            customers.add(v.customerId());
        }
        Map<String, Long> epochs = new TreeMap<>();
        Set<String> missing = new TreeSet<>();
        for (String customer : customers) {
            Long epoch = held.get(customer);
            if (epoch == null) {
                missing.add(customer);
            } else {
                epochs.put(customer, epoch);
            }
        }
        if (!missing.isEmpty()) {
            throw new FencedException(missing);
        }
        return epochs;
    }

    /**
     * Locks the owner rows of {@code epochs}' customers for the rest of the transaction and checks them: one round
     * trip.
     *
     * @param c a connection in the commit's transaction (READ COMMITTED)
     * @param epochs each customer of the batch and the epoch this node holds it at, from {@link #epochs}
     * @throws FencedException naming the customers whose row names another node, no node, another epoch, or is missing;
     *     the caller rolls back
     * @throws SQLException if the statement fails
     */
    void lock(Connection c, Map<String, Long> epochs) throws SQLException {
        Map<String, Long> unconfirmed = new TreeMap<>(epochs);
        try (PreparedStatement s = c.prepareStatement(lockOwners)) {
            s.setArray(1, c.createArrayOf("text", epochs.keySet().toArray(String[]::new)));
            s.execute(); // the SET's result, then the SELECT's rows: both statements go in one round trip
            if (!s.getMoreResults()) {
                throw new SQLException("the fencing check returned no rows: " + lockOwners);
            }
            try (ResultSet rs = s.getResultSet()) {
                while (rs.next()) {
                    String customer = rs.getString(1);
                    Long mine = unconfirmed.get(customer);
                    if (nodeId.equals(rs.getString(2)) && mine != null && mine == rs.getLong(3)) {
                        unconfirmed.remove(customer);
                    }
                }
            }
        }
        if (!unconfirmed.isEmpty()) {
            unconfirmed.forEach((customer, epoch) -> held.remove(customer, epoch));
            throw new FencedException(unconfirmed.keySet());
        }
    }
}
