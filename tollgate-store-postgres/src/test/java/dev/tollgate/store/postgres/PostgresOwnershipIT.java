package dev.tollgate.store.postgres;

import static dev.tollgate.store.postgres.TestCluster.awaitDead;
import static dev.tollgate.store.postgres.TestCluster.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import dev.tollgate.core.store.FencedException;
import dev.tollgate.core.store.Ownership;
import dev.tollgate.core.store.Ownership.Member;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import dev.tollgate.store.postgres.TestCluster.Node;
import dev.tollgate.testkit.memory.MemoryStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Membership and ownership in PostgreSQL ({@link PostgresOwnership}): heartbeats, acquisition and its race, release,
 * and the customers of the journal. Each node is a store of its own on one schema, as separate servers would be.
 */
final class PostgresOwnershipIT {
    private static final Duration LONG = Duration.ofMinutes(5);

    private final TestCluster cluster = new TestCluster();

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void heartbeats_list_every_node_with_its_health_and_how_many_customers_it_owns() throws SQLException {
        Node a = cluster.started("a", LONG);
        Node b = cluster.started("b", LONG);
        assertThat(a.ownership().acquire("c1")).hasValue(1);
        assertThat(a.ownership().acquire("c2")).hasValue(1);
        assertThat(b.ownership().acquire("c3")).hasValue(1);

        List<Member> members = a.ownership().heartbeat();
        assertThat(members).extracting(Member::nodeId).containsExactly("a", "b");
        assertThat(members).extracting(Member::url).containsExactly("http://a.test:8080", "http://b.test:8080");
        assertThat(members).extracting(Member::owned).containsExactly(2L, 1L);
        assertThat(members.get(0).alive()).isTrue();
        assertThat(members.get(0).heartbeatAgeMillis()).isZero();
        assertThat(members.get(1).heartbeatAgeMillis()).isNotNegative();

        cluster.lapse("b");
        awaitDead(a, "b");
        Member b2 = a.ownership().heartbeat().get(1);
        assertThat(b2.alive()).isFalse();
        assertThat(b2.heartbeatAgeMillis()).isGreaterThanOrEqualTo(1000);
        assertThat(b2.owned()).isEqualTo(1);
        assertThat(b.ownership().heartbeat().get(1).alive()).isTrue();
    }

    @Test
    void a_live_owner_is_never_taken_over_and_its_epoch_stays() throws SQLException {
        Node a = cluster.started("a", LONG);
        Node b = cluster.started("b", LONG);
        assertThat(a.ownership().acquire("c")).hasValue(1);

        assertThat(b.ownership().acquire("c")).isEmpty();
        assertThat(b.ownership().held()).doesNotContainKey("c");
        assertThat(cluster.owner("c")).isEqualTo("a@1");
        assertThat(a.ownership().acquire("c")).hasValue(1);
        assertThat(a.ownership().held()).containsExactly(Map.entry("c", 1L));

        a.append(record("c", "k1"));
        assertThatThrownBy(() -> b.append(record("c", "k2")))
                .isInstanceOfSatisfying(
                        FencedException.class, e -> assertThat(e.customers()).containsExactly("c"));
        assertThat(TestCluster.keys(a.store(), "c")).containsExactly("k1");
    }

    @Test
    void a_dead_owner_is_taken_over_with_the_next_epoch() throws SQLException {
        Node a = cluster.started("a", LONG);
        Node b = cluster.started("b", LONG);
        assertThat(a.ownership().acquire("c")).hasValue(1);
        assertThat(b.ownership().acquire("c")).isEmpty();

        cluster.lapse("a");
        awaitDead(b, "a");
        assertThat(b.ownership().acquire("c")).hasValue(2);
        assertThat(cluster.owner("c")).isEqualTo("b@2");
        assertThat(a.ownership().held()).containsExactly(Map.entry("c", 1L)); // a does not know yet: fencing tells it
    }

    @Test
    void a_node_whose_lease_ran_out_cannot_acquire_until_it_heartbeats_again() throws SQLException {
        Node a = cluster.node("a", LONG);
        assertThatThrownBy(() -> a.ownership().acquire("c"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("no running lease");
        assertThat(cluster.owner("c")).isNull();

        a.ownership().heartbeat();
        assertThat(a.ownership().acquire("c")).hasValue(1);
        Node observer = cluster.started("observer", LONG);
        cluster.lapse("a");
        awaitDead(observer, "a");
        assertThatThrownBy(() -> a.ownership().acquire("d")).hasMessageContaining("no running lease");
        a.ownership().heartbeat();
        assertThat(a.ownership().acquire("d")).hasValue(1);
        assertThat(a.ownership().acquire("c")).hasValue(1);
    }

    @Test
    void a_released_customer_is_taken_at_once_by_another_live_node() throws SQLException {
        Node a = cluster.started("a", LONG);
        Node b = cluster.started("b", LONG);
        assertThat(a.ownership().acquire("c")).hasValue(1);
        a.append(record("c", "k1"));

        a.ownership().release("c", 1);
        assertThat(a.ownership().held()).isEmpty();
        assertThat(cluster.owner("c")).isEqualTo("null@1");
        assertThat(b.ownership().acquire("c")).hasValue(2);
        b.append(record("c", "k2"));
        assertThatThrownBy(() -> a.append(record("c", "k3"))).isInstanceOf(FencedException.class);

        b.ownership().release("c", 1); // a stale epoch: nothing happens
        assertThat(cluster.owner("c")).isEqualTo("b@2");
        assertThat(b.ownership().held()).containsExactly(Map.entry("c", 2L));
        assertThat(a.ownership().acquire("c")).isEmpty();

        b.ownership().release("c", 2);
        assertThat(a.ownership().acquire("c")).hasValue(3); // the node that released it first may take it back too
        assertThat(TestCluster.keys(a.store(), "c")).containsExactly("k1", "k2");
    }

    @Test
    void a_restarted_node_with_the_same_id_takes_a_new_epoch_so_its_older_process_is_fenced() throws SQLException {
        Node old = cluster.started("a", LONG);
        assertThat(old.ownership().acquire("c")).hasValue(1);
        old.append(record("c", "k1"));

        Node restarted = cluster.started("a", LONG);
        assertThat(restarted.ownership().acquire("c")).hasValue(2);
        assertThat(restarted.ownership().acquire("c")).hasValue(2);
        restarted.append(record("c", "k2"));
        assertThatThrownBy(() -> old.append(record("c", "k3"))).isInstanceOf(FencedException.class);
        assertThat(old.ownership().held()).isEmpty();
        assertThat(TestCluster.keys(restarted.store(), "c")).containsExactly("k1", "k2");
    }

    @Test
    void concurrent_acquisitions_by_two_nodes_give_each_customer_exactly_one_owner() throws Exception {
        Node a = cluster.started("a", LONG);
        Node b = cluster.started("b", LONG);
        List<String> customers = IntStream.range(0, 100).mapToObj(i -> "c" + i).toList();
        int threadsPerNode = 8;
        ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerNode);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Map<String, List<OptionalLong>>>> results = new ArrayList<>();
        List<Ownership> owners = new ArrayList<>();
        try {
            for (int t = 0; t < 2 * threadsPerNode; t++) {
                Ownership node = (t % 2 == 0 ? a : b).ownership();
                owners.add(node);
                long seed = t;
                results.add(pool.submit(() -> {
                    List<String> order = new ArrayList<>(customers);
                    Collections.shuffle(order, new Random(seed));
                    Map<String, List<OptionalLong>> got = new HashMap<>();
                    start.await();
                    for (String c : order) {
                        got.computeIfAbsent(c, k -> new ArrayList<>()).add(node.acquire(c));
                    }
                    return got;
                }));
            }
            start.countDown();
            Map<String, Map<String, List<OptionalLong>>> byNode = new HashMap<>();
            for (int t = 0; t < results.size(); t++) {
                String nodeId = owners.get(t).nodeId();
                results.get(t)
                        .get()
                        .forEach((c, answers) -> byNode.computeIfAbsent(nodeId, k -> new HashMap<>())
                                .computeIfAbsent(c, k -> new ArrayList<>())
                                .addAll(answers));
            }
            for (String c : customers) {
                String winner = a.ownership().held().containsKey(c) ? "a" : "b";
                String loser = winner.equals("a") ? "b" : "a";
                Ownership loserOwnership = (winner.equals("a") ? b : a).ownership();
                assertThat(loserOwnership.held()).as(c).doesNotContainKey(c);
                assertThat(cluster.owner(c)).as(c).isEqualTo(winner + "@1");
                assertThat(byNode.get(winner).get(c))
                        .as(c)
                        .hasSize(threadsPerNode)
                        .allMatch(e -> e.equals(OptionalLong.of(1)));
                assertThat(byNode.get(loser).get(c))
                        .as(c)
                        .hasSize(threadsPerNode)
                        .allMatch(OptionalLong::isEmpty);
            }
            List<Member> members = a.ownership().heartbeat();
            assertThat(members.get(0).owned()).isEqualTo(a.ownership().held().size());
            assertThat(members.get(1).owned()).isEqualTo(b.ownership().held().size());
            assertThat(a.ownership().held().size() + b.ownership().held().size())
                    .isEqualTo(100);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void customers_are_the_distinct_customer_ids_of_the_journal_without_the_system() throws SQLException {
        Node a = cluster.started("a", LONG);
        for (String c : List.of("c1", "c2", "c3", Ownership.GLOBAL)) {
            a.ownership().acquire(c);
        }
        assertThat(a.ownership().customers()).isEmpty();
        for (int i = 0; i < 5; i++) {
            a.append(record("c1", "k" + i), record("c3", "k" + i), record("c2", "k" + i));
        }
        a.append(
                record(Ownership.GLOBAL, "w"),
                new JournalEntry.CatalogPublished(1, TestCluster.T, "ops", Map.of(), null));
        assertThat(a.ownership().customers()).containsExactlyInAnyOrder("c1", "c2", "c3");
        assertThat(cluster.started("b", LONG).ownership().customers()).isEqualTo(Set.of("c1", "c2", "c3"));
        try (Connection c = cluster.connect();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM journal WHERE customer_id IS NULL");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1); // the catalog's record is there, and not a customer
        }
    }

    @Test
    void a_closed_ownership_stops_heartbeats_but_the_store_stays_fenced_by_what_it_held() {
        Node a = cluster.started("a", LONG);
        assertThat(a.ownership().acquire("c")).hasValue(1);
        a.ownership().close();
        a.ownership().close();
        assertThatThrownBy(() -> a.ownership().heartbeat()).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> a.ownership().acquire("d")).isInstanceOf(StoreException.class);
        a.append(record("c", "k1"));
        assertThatThrownBy(() -> a.append(record("d", "k1"))).isInstanceOf(FencedException.class);
    }

    @Test
    void only_a_postgres_store_without_an_ownership_can_get_one() {
        Node a = cluster.node("a", LONG);
        assertThatThrownBy(() -> PostgresStores.ownership(a.store(), "a2", "http://a2", LONG))
                .isInstanceOf(IllegalStateException.class);
        try (Store memory = MemoryStore.create()) {
            assertThatThrownBy(() -> PostgresStores.ownership(memory, "m", "http://m", LONG))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        Store store = PostgresStores.open(cluster.url());
        try {
            assertThatThrownBy(() -> PostgresStores.ownership(store, " ", "http://x", LONG))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> PostgresStores.ownership(store, "x", "http://x", Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class);
            store.append(JournalRecord.all(List.of(record("c", "k"))), List.of());
            assertThat(TestCluster.keys(store, "c")).containsExactly("k"); // refused ownerships left it unfenced
        } finally {
            store.close();
        }
    }
}
