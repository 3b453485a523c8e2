package dev.tollgate.store.postgres;

import static org.awaitility.Awaitility.await;

import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import dev.tollgate.core.store.Ownership;
import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.PostgresTestSchema;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Nodes of a cluster on one fresh PostgreSQL schema, each a store of its own with its ownership, as separate servers
 * would have; closing it closes every node and drops the schema.
 */
final class TestCluster implements AutoCloseable {
    static final Instant T = Instant.parse("2026-01-06T10:00:00Z");

    /** One server: its store and its ownership. */
    record Node(Store store, Ownership ownership) {
        /** Appends records with no counters, as the group commit would. */
        void append(JournalEntry... entries) {
            store.append(JournalRecord.all(List.of(entries)), List.of());
        }
    }

    private final PostgresTestSchema schema = PostgresTestSchema.create();
    private final List<Node> nodes = new ArrayList<>();

    /** A node that has not sent a heartbeat yet. */
    Node node(String id, Duration lease) {
        Store store = PostgresStores.open(schema.url());
        Node node = new Node(store, PostgresStores.ownership(store, id, "http://" + id + ".test:8080", lease));
        nodes.add(node);
        return node;
    }

    /** A node that has sent its first heartbeat. */
    Node started(String id, Duration lease) {
        Node node = node(id, lease);
        node.ownership().heartbeat();
        return node;
    }

    /** The schema's JDBC URL. */
    String url() {
        return schema.url();
    }

    /** A connection of its own to the schema (autocommit), to look at the tables or hold locks. */
    Connection connect() throws SQLException {
        return DriverManager.getConnection(schema.url());
    }

    /**
     * Ends a node's lease now by the database's clock, as if its last heartbeat were long past: what a lease running out
     * does, without a test waiting for it (which a busy machine can make any short lease do too early).
     */
    void lapse(String nodeId) throws SQLException {
        try (Connection c = connect();
                PreparedStatement s = c.prepareStatement("UPDATE cluster_nodes SET heartbeat_at = now() - interval"
                        + " '2 seconds', expires_at = now() - interval '1 second' WHERE node_id = ?")) {
            s.setString(1, nodeId);
            if (s.executeUpdate() != 1) {
                throw new IllegalStateException("no node " + nodeId);
            }
        }
    }

    /** Waits until {@code observer}'s heartbeat finds {@code nodeId} dead (its lease ran out by the database's clock). */
    static void awaitDead(Node observer, String nodeId) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> observer.ownership().heartbeat().stream()
                        .anyMatch(m -> m.nodeId().equals(nodeId) && !m.alive()));
    }

    /** The idempotency keys of a customer's stored records, in append order. */
    static List<String> keys(Store store, String customerId) {
        return store.entries(customerId).stream()
                .map(e -> Objects.requireNonNull(e.idempotencyKey()))
                .toList();
    }

    /** A record of a customer that carries an idempotency key. */
    static JournalEntry record(String customerId, String key) {
        return new JournalEntry.CustomerUpserted(customerId, T, key, "Acme", Map.of(), null, null);
    }

    /** The owner row of a customer: node id (or "NULL") and epoch, or {@code null} if it has none. */
    @Nullable
    String owner(String customerId) throws SQLException {
        try (Connection c = connect();
                PreparedStatement s =
                        c.prepareStatement("SELECT node_id, epoch FROM cluster_owners WHERE customer_id = ?")) {
            s.setString(1, customerId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) + "@" + rs.getLong(2) : null;
            }
        }
    }

    /** The backend process id of a connection. */
    static int pid(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_backend_pid()");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Waits until a backend waits for a lock that backend {@code pid} holds, and answers the waiter's pid. */
    int awaitBlockedBy(int pid) {
        return await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> blockedBy(pid), waiter -> waiter != 0);
    }

    private int blockedBy(int pid) throws SQLException {
        try (Connection c = connect();
                PreparedStatement s = c.prepareStatement(
                        "SELECT pid FROM pg_stat_activity WHERE ? = ANY (pg_blocking_pids(pid)) LIMIT 1")) {
            s.setInt(1, pid);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            n.ownership().close();
            n.store().close();
        }
        schema.close();
    }
}
