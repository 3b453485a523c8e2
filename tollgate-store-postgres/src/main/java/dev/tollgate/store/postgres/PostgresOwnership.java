package dev.tollgate.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.core.store.Ownership;
import dev.tollgate.core.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * {@link Ownership} in PostgreSQL: membership in {@code cluster_nodes}, ownership in {@code cluster_owners} (migration
 * 005; docs/internals/stores.md, "Cluster tables and fencing"). Each operation is one statement; every time in it is
 * the database's {@code now()}.
 *
 * <p>Design: the rules of a take-over are in the {@code WHERE} of one {@code INSERT ... ON CONFLICT DO UPDATE}
 * ({@link #ACQUIRE}), so that the row decides and two nodes racing for a customer cannot both win. Its connections are
 * a small pool of their own, so that a heartbeat never waits behind the journal's reads and commits, and run at
 * REPEATABLE READ: a statement that meets a row another node changed after the statement's snapshot fails with a
 * serialization error instead of judging that node's liveness by the older snapshot, and is retried on a fresh one.
 * Acquisitions and releases of one customer on this node run one at a time (striped locks), so that what {@link
 * #held} says of a customer is what this node last wrote to its row.
 *
 * <p>Epochs: a customer that was never owned starts at 1; every change of hands adds 1 (a release keeps the epoch, the
 * next acquisition raises it). Acquiring a customer this object holds already keeps its epoch; acquiring one whose
 * row names this node id but that this object does not hold (another process with the same node id, a restart)
 * raises it, so that an older process with the same id is fenced too.
 *
 * <p>Thread-safe. Every method but {@link #held} and {@link #nodeId} blocks on the database (at most the store's
 * socket timeout per statement).
 */
final class PostgresOwnership implements Ownership {
    /**
     * Renews this node's lease and lists every node. The node's new row comes from {@code RETURNING} (the rest of the
     * statement sees the snapshot from before the upsert). Parameters: node id, url, lease in ms, whether this is the
     * first heartbeat of this object (then {@code started_at} is reset), node id.
     */
    static final String HEARTBEAT = "WITH beat AS (INSERT INTO cluster_nodes AS n (node_id, url, started_at,"
            + " heartbeat_at, expires_at) VALUES (?, ?, now(), now(), now() + ?::bigint * interval '1 millisecond')"
            + " ON CONFLICT (node_id) DO UPDATE SET url = excluded.url, heartbeat_at = excluded.heartbeat_at,"
            + " expires_at = excluded.expires_at,"
            + " started_at = CASE WHEN ? THEN excluded.started_at ELSE n.started_at END"
            + " RETURNING node_id, url, heartbeat_at, expires_at)"
            + " SELECT m.node_id, m.url, m.expires_at > now(),"
            + " (extract(epoch FROM now() - m.heartbeat_at) * 1000)::bigint,"
            + " (SELECT count(*) FROM cluster_owners o WHERE o.node_id = m.node_id)"
            + " FROM (SELECT node_id, url, heartbeat_at, expires_at FROM cluster_nodes WHERE node_id <> ?"
            + " UNION ALL SELECT node_id, url, heartbeat_at, expires_at FROM beat) m ORDER BY m.node_id";

    /**
     * Takes a customer if this node's lease runs and the customer is free: never owned (insert at epoch 1), released
     * ({@code node_id} NULL), owned by a node whose lease ran out or that has no row, or by this node. Answers whether
     * this node's lease runs, and the epoch it now holds (NULL if another live node holds the customer). Parameters:
     * node id, customer id, node id, the epoch this object holds (NULL if none) twice.
     */
    static final String ACQUIRE = "WITH me AS (SELECT 1 FROM cluster_nodes WHERE node_id = ? AND expires_at > now()),"
            + " taken AS (INSERT INTO cluster_owners AS o (customer_id, node_id, epoch, changed_at)"
            + " SELECT ?, ?, 1, now() FROM me ON CONFLICT (customer_id) DO UPDATE SET node_id = excluded.node_id,"
            + " epoch = CASE WHEN o.node_id = excluded.node_id AND o.epoch = ? THEN o.epoch ELSE o.epoch + 1 END,"
            + " changed_at = CASE WHEN o.node_id = excluded.node_id AND o.epoch = ? THEN o.changed_at"
            + " ELSE excluded.changed_at END"
            + " WHERE o.node_id IS NULL OR o.node_id = excluded.node_id OR NOT EXISTS (SELECT 1 FROM cluster_nodes l"
            + " WHERE l.node_id = o.node_id AND l.expires_at > now()) RETURNING o.epoch)"
            + " SELECT EXISTS (SELECT 1 FROM me), (SELECT epoch FROM taken)";

    /** Gives a customer up if this node still holds it at the epoch. Parameters: customer id, node id, epoch. */
    static final String RELEASE = "UPDATE cluster_owners SET node_id = NULL, changed_at = now()"
            + " WHERE customer_id = ? AND node_id = ? AND epoch = ?";

    /**
     * The distinct customer ids of the journal by a loose index scan: each step is one probe of the index on {@code
     * (customer_id, seq)} for the next id above the last, so the cost grows with the customers, not the records.
     * Parameter: the id to leave out ({@link Ownership#GLOBAL}).
     */
    static final String CUSTOMERS = "WITH RECURSIVE ids (id) AS ((SELECT customer_id FROM journal"
            + " WHERE customer_id IS NOT NULL ORDER BY customer_id LIMIT 1) UNION ALL SELECT (SELECT j.customer_id"
            + " FROM journal j WHERE j.customer_id > ids.id ORDER BY j.customer_id LIMIT 1) FROM ids"
            + " WHERE ids.id IS NOT NULL) SELECT id FROM ids WHERE id IS NOT NULL AND id <> ?";

    /** How many times a statement that met a concurrent change (SQLSTATE 40001, 40P01) is tried. */
    private static final int ATTEMPTS = 50;

    private static final int STRIPES = 64;

    /**
     * The longest a statement waits for a row lock, under the socket timeout so that PostgreSQL gives up the statement
     * before the client does (a client that gave up on a take-over still waiting on the server would find it done
     * later), and over the longest idle commit ({@link #idleMillis}), so that a take-over outlasts a paused commit.
     */
    static final long LOCK_TIMEOUT_MILLIS = 8_000;

    /** The longest a commit may stay idle in its transaction: half the lease, within [1 s, 5 s]. */
    static long idleMillis(Duration lease) {
        return Math.max(1_000, Math.min(5_000, lease.toMillis() / 2));
    }

    private final String nodeId;
    private final String url;
    private final long leaseMillis;
    private final HikariDataSource pool;
    private final ConcurrentMap<String, Long> held;
    private final Object[] stripes = new Object[STRIPES];
    private volatile boolean registered;
    private volatile boolean closed;

    private PostgresOwnership(
            String nodeId, String url, long leaseMillis, HikariDataSource pool, ConcurrentMap<String, Long> held) {
        this.nodeId = nodeId;
        this.url = url;
        this.leaseMillis = leaseMillis;
        this.pool = pool;
        this.held = held;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    /**
     * Opens the membership of {@code store}'s schema for one node and turns fencing on for the store's commits. Does
     * not register the node: {@link #heartbeat} does.
     *
     * @throws IllegalArgumentException if the node id or url is blank, or the lease is under a millisecond
     * @throws IllegalStateException if the store has an ownership already
     * @throws StoreException if the database cannot be reached
     */
    static PostgresOwnership open(PostgresStore store, String nodeId, String url, Duration lease) {
        if (nodeId.isBlank() || url.isBlank()) {
            throw new IllegalArgumentException("a node needs an id and a url, was '" + nodeId + "', '" + url + "'");
        }
        if (lease.toMillis() < 1) {
            throw new IllegalArgumentException("the lease must be 1 ms or more, was " + lease);
        }
        HikariConfig config = PostgresStore.poolConfig(store.jdbcUrl(), "tollgate-cluster", 2);
        config.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
        config.setConnectionInitSql(config.getConnectionInitSql() + "; SET lock_timeout = " + LOCK_TIMEOUT_MILLIS);
        HikariDataSource pool = PostgresStore.pool(config);
        ConcurrentMap<String, Long> held = new ConcurrentHashMap<>();
        try {
            store.fence(new Fencing(nodeId, held, idleMillis(lease)));
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new PostgresOwnership(nodeId, url, lease.toMillis(), pool, held);
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public List<Member> heartbeat() {
        boolean first = !registered;
        List<Member> members = run("renew the lease of node " + nodeId, c -> {
            List<Member> all = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(HEARTBEAT)) {
                s.setString(1, nodeId);
                s.setString(2, url);
                s.setLong(3, leaseMillis);
                s.setBoolean(4, first);
                s.setString(5, nodeId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        all.add(new Member(
                                rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getLong(4), rs.getLong(5)));
                    }
                }
            }
            return all;
        });
        registered = true;
        return members;
    }

    /**
     * {@inheritDoc}
     *
     * @throws StoreException also if this node's lease does not run (it never sent a heartbeat, or its last one is
     *     older than the lease): a node that may be taken for dead must not take customers
     */
    @Override
    public OptionalLong acquire(String customerId) {
        synchronized (stripe(customerId)) {
            Long mine = held.get(customerId);
            OptionalLong epoch = run("acquire customer " + customerId, c -> {
                try (PreparedStatement s = c.prepareStatement(ACQUIRE)) {
                    s.setString(1, nodeId);
                    s.setString(2, customerId);
                    s.setString(3, nodeId);
                    setEpoch(s, 4, mine);
                    setEpoch(s, 5, mine);
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            throw new StoreException("node " + nodeId + " has no running lease: it cannot acquire "
                                    + customerId + " before a heartbeat succeeds");
                        }
                        long taken = rs.getLong(2);
                        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(taken);
                    }
                }
            });
            if (epoch.isPresent()) {
                held.put(customerId, epoch.getAsLong());
            } else {
                held.remove(customerId);
            }
            return epoch;
        }
    }

    private static void setEpoch(PreparedStatement s, int index, @Nullable Long epoch) throws SQLException {
        if (epoch == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, epoch);
        }
    }

    @Override
    public void release(String customerId, long epoch) {
        synchronized (stripe(customerId)) {
            run("release customer " + customerId, c -> {
                try (PreparedStatement s = c.prepareStatement(RELEASE)) {
                    s.setString(1, customerId);
                    s.setString(2, nodeId);
                    s.setLong(3, epoch);
                    return s.executeUpdate();
                }
            });
            held.remove(customerId, epoch);
        }
    }

    @Override
    public Map<String, Long> held() {
        return Map.copyOf(held);
    }

    @Override
    public Set<String> customers() {
        return run("read the customers of the journal", c -> {
            Set<String> ids = new HashSet<>();
            try (PreparedStatement s = c.prepareStatement(CUSTOMERS)) {
                s.setString(1, GLOBAL);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            return Set.copyOf(ids);
        });
    }

    /** Closes this object's connections; the store's commits stay fenced by what this node held. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.close();
    }

    private Object stripe(String customerId) {
        return stripes[Math.floorMod(customerId.hashCode(), STRIPES)];
    }

    /** Work on one connection of the pool, in its own transaction (autocommit). */
    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work}, again on a fresh snapshot while it meets a concurrent change.
     *
     * @param what what it does, for the error
     * @throws StoreException if this object is closed or the database fails
     */
    private <T> T run(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            if (closed) {
                throw new StoreException("the ownership of node " + nodeId + " is closed: cannot " + what);
            }
            try (Connection c = pool.getConnection()) {
                return work.run(c);
            } catch (SQLException e) {
                if (attempt >= ATTEMPTS || !concurrent(e)) {
                    throw new StoreException("cannot " + what, e);
                }
            }
        }
    }

    /** A serialization failure or a deadlock: the statement met a concurrent change and may be retried. */
    private static boolean concurrent(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state) || "40P01".equals(state);
    }
}
