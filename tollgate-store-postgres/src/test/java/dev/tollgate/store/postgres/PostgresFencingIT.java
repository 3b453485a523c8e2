package dev.tollgate.store.postgres;

import static dev.tollgate.store.postgres.TestCluster.awaitDead;
import static dev.tollgate.store.postgres.TestCluster.keys;
import static dev.tollgate.store.postgres.TestCluster.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.commit.GroupCommitJournal;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.FencedException;
import dev.tollgate.core.store.Ownership;
import dev.tollgate.store.postgres.TestCluster.Node;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fencing check in {@link PostgresStore#append}: a node that lost a customer (its lease ran out and another node
 * took the customer) can never commit for it again, not even a commit that was in flight when the take-over came.
 */
final class PostgresFencingIT {
    private static final Duration LONG = Duration.ofMinutes(5);
    private static final Duration SHORT = Duration.ofSeconds(1);

    private final TestCluster cluster = new TestCluster();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void close() {
        threads.shutdownNow();
        cluster.close();
    }

    @Test
    void a_node_that_lost_a_customer_to_a_take_over_can_no_longer_commit_for_it() throws SQLException {
        Node a = cluster.started("a", LONG);
        Node b = cluster.started("b", LONG);
        assertThat(a.ownership().acquire("c")).hasValue(1);
        assertThat(a.ownership().acquire("d")).hasValue(1);
        a.append(record("c", "a1"), record("d", "a1"));

        cluster.lapse("a");
        awaitDead(b, "a");
        assertThat(b.ownership().acquire("c")).hasValue(2);
        b.append(record("c", "b1"));

        // a does not know: the database's row tells it, and the whole batch, d's record too, is refused
        assertThatThrownBy(() -> a.append(record("d", "a2"), record("c", "a2")))
                .isInstanceOfSatisfying(
                        FencedException.class, e -> assertThat(e.customers()).containsExactly("c"));
        assertThat(keys(b.store(), "c")).containsExactly("a1", "b1");
        assertThat(keys(b.store(), "d")).containsExactly("a1");
        assertThat(a.ownership().held()).containsExactly(Map.entry("d", 1L));

        // now a knows it lost c; d, which nobody took, still commits though a's lease ran out
        assertThatThrownBy(() -> a.append(record("c", "a3"))).isInstanceOf(FencedException.class);
        a.append(record("d", "a2"));
        assertThat(keys(b.store(), "c")).containsExactly("a1", "b1");
        assertThat(keys(b.store(), "d")).containsExactly("a1", "a2");
    }

    @Test
    void counters_and_records_without_a_customer_are_fenced_too() {
        Node a = cluster.started("a", LONG);
        assertThat(a.ownership().acquire("c")).hasValue(1);
        JournalEntry catalog = new JournalEntry.CatalogPublished(1, TestCluster.T, "ops", Map.of(), null);
        assertThatThrownBy(() -> a.append(catalog))
                .isInstanceOfSatisfying(
                        FencedException.class, e -> assertThat(e.customers()).containsExactly(Ownership.GLOBAL));
        CounterValue elsewhere = new CounterValue("e", "q", TestCluster.T, BigDecimal.ONE, BigDecimal.ZERO);
        assertThatThrownBy(() -> a.store().append(JournalRecord.all(List.of(record("c", "k1"))), List.of(elsewhere)))
                .isInstanceOfSatisfying(
                        FencedException.class, e -> assertThat(e.customers()).containsExactly("e"));

        assertThat(a.ownership().acquire(Ownership.GLOBAL)).hasValue(1);
        a.append(catalog, record("c", "k1"));
        List<JournalEntry> all = new ArrayList<>();
        a.store().replay(all::add);
        assertThat(all).containsExactly(catalog, record("c", "k1"));
    }

    @Test
    void a_commit_in_flight_when_a_take_over_comes_ends_first_and_the_take_over_waits_for_it() throws Exception {
        Node a = cluster.started("a", LONG);
        Node b = cluster.started("b", LONG);
        assertThat(a.ownership().acquire("c")).hasValue(1);
        a.append(record("c", "a1"));

        try (Connection blocker = cluster.connect()) {
            // a's next commit locks c's owner row, then waits at its insert, as a node paused mid-commit would
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("LOCK TABLE journal IN SHARE MODE");
            }
            CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> a.append(record("c", "a2")), threads);
            int commitPid = cluster.awaitBlockedBy(TestCluster.pid(blocker));

            cluster.lapse("a");
            awaitDead(b, "a");
            CompletableFuture<OptionalLong> takeOver =
                    CompletableFuture.supplyAsync(() -> b.ownership().acquire("c"), threads);
            cluster.awaitBlockedBy(commitPid); // the take-over waits for the commit's lock on the row
            assertThat(takeOver).isNotDone();
            assertThat(commit).isNotDone();

            blocker.commit();
            commit.get(30, TimeUnit.SECONDS); // a owned c when it committed
            assertThat(takeOver.get(30, TimeUnit.SECONDS)).hasValue(2);
        }
        assertThat(keys(b.store(), "c")).containsExactly("a1", "a2");
        assertThatThrownBy(() -> a.append(record("c", "a3"))).isInstanceOf(FencedException.class);
        b.append(record("c", "b1"));
        assertThat(keys(b.store(), "c")).containsExactly("a1", "a2", "b1");
    }

    @Test
    void a_commit_that_comes_while_a_take_over_is_in_flight_waits_for_it_and_is_fenced() throws Exception {
        Node a = cluster.started("a", LONG);
        Node b = cluster.started("b", LONG);
        assertThat(a.ownership().acquire("c")).hasValue(1);
        a.append(record("c", "a1"));
        cluster.lapse("a");
        awaitDead(b, "a");

        try (Connection takeOver = cluster.connect()) {
            // b's take-over statement, in a transaction held open
            takeOver.setAutoCommit(false);
            takeOver.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (PreparedStatement s = takeOver.prepareStatement(PostgresOwnership.ACQUIRE)) {
                s.setString(1, "b");
                s.setString(2, "c");
                s.setString(3, "b");
                s.setNull(4, Types.BIGINT);
                s.setNull(5, Types.BIGINT);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(2)).isEqualTo(2);
                }
            }
            CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> a.append(record("c", "a2")), threads);
            cluster.awaitBlockedBy(TestCluster.pid(takeOver));
            assertThat(commit).isNotDone();

            takeOver.commit();
            assertThatThrownBy(() -> commit.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(
                            FencedException.class,
                            e -> assertThat(e.customers()).containsExactly("c"));
        }
        assertThat(keys(a.store(), "c")).containsExactly("a1");
        assertThat(a.ownership().held()).isEmpty();
        assertThat(cluster.owner("c")).isEqualTo("b@2");
    }

    @Test
    void a_commit_paused_in_its_transaction_is_ended_by_the_database_so_that_a_take_over_goes_through()
            throws Exception {
        Node a = cluster.started("a", LONG);
        Node b = cluster.started("b", LONG);
        assertThat(a.ownership().acquire("c")).hasValue(1);
        cluster.lapse("a");
        awaitDead(b, "a");

        try (Connection paused = cluster.connect()) {
            // a's commit as far as its fencing check, then nothing more: its process is paused
            paused.setAutoCommit(false);
            Map<String, Long> epochs = Map.of("c", 1L);
            new Fencing("a", new ConcurrentHashMap<>(epochs), PostgresOwnership.idleMillis(SHORT)).lock(paused, epochs);

            // the take-over waits for the paused commit's row lock at most until PostgreSQL ends that transaction,
            // well before its own lock timeout: it succeeds
            assertThat(CompletableFuture.supplyAsync(() -> b.ownership().acquire("c"), threads)
                            .get(30, TimeUnit.SECONDS))
                    .hasValue(2);
            assertThatThrownBy(() -> paused.createStatement().execute("SELECT 1"))
                    .isInstanceOf(SQLException.class);
        }
        assertThatThrownBy(() -> a.append(record("c", "a1"))).isInstanceOf(FencedException.class);
        assertThat(keys(b.store(), "c")).isEmpty();
    }

    @Test
    void through_the_group_commit_only_the_fenced_customers_commands_fail() throws Exception {
        Node a = cluster.started("a", LONG);
        Node b = cluster.started("b", LONG);
        assertThat(a.ownership().acquire("c")).hasValue(1);
        assertThat(a.ownership().acquire("d")).hasValue(1);
        cluster.lapse("a");
        awaitDead(b, "a");
        assertThat(b.ownership().acquire("c")).hasValue(2);

        try (GroupCommitJournal journal = new GroupCommitJournal(a.store(), new GroupCommitJournal.Listener() {
                    @Override
                    public void committed(int commands, List<JournalEntry> entries, long nanos) {}

                    @Override
                    public void failed(List<JournalEntry> entries, RuntimeException cause) {}
                });
                Connection blocker = cluster.connect()) {
            // hold the writer in a first commit so that the next two commands queue up and commit as one batch
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("LOCK TABLE journal IN SHARE MODE");
            }
            CompletableFuture<Void> first = journal.append(List.of(record("d", "k0")), List.of(), () -> true);
            cluster.awaitBlockedBy(TestCluster.pid(blocker));
            CompletableFuture<Void> forC = journal.append(List.of(record("c", "k1")), List.of(), () -> true);
            CompletableFuture<Void> forD = journal.append(List.of(record("d", "k2")), List.of(), () -> true);
            blocker.commit();

            first.get(30, TimeUnit.SECONDS);
            forD.get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> forC.get(30, TimeUnit.SECONDS)).cause().isInstanceOf(FencedException.class);
            assertThat(journal.available()).isTrue();
        }
        assertThat(keys(a.store(), "d")).containsExactly("k0", "k2");
        assertThat(keys(a.store(), "c")).isEmpty();
    }
}
