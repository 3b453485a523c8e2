package dev.tollgate.core.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.RecordRefusedException;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.UsageRow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The writer only commits: what follows a commit runs on the follow-up thread, in commit order. */
final class GroupCommitJournalTest {
    private static final Instant T = Instant.parse("2026-01-06T10:00:00Z");

    /** Keeps the keys appended and the threads that appended them. */
    private static class RecordingStore implements Store {
        final List<String> keys = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public void append(List<JournalRecord> batch, List<CounterValue> counters) {
            threads.add(Thread.currentThread().getName());
            batch.forEach(r -> keys.add(r.entry().idempotencyKey()));
        }

        @Override
        public List<UsageRow> usage(String customerId, Instant from, Instant to) {
            return List.of();
        }

        @Override
        public void counters(Consumer<CounterValue> visitor) {}

        @Override
        public void replay(Consumer<JournalEntry> visitor) {}

        @Override
        public List<JournalEntry> entries(String customerId) {
            return List.of();
        }

        @Override
        public @Nullable JournalEntry entry(String customerId, String idempotencyKey) {
            return null;
        }

        @Override
        public List<JournalEntry> besideKey(String customerId, String idempotencyKey) {
            return List.of();
        }

        @Override
        public dev.tollgate.core.store.CredentialStore credentials() {
            throw new UnsupportedOperationException("a journal test double keeps no credentials");
        }

        @Override
        public boolean ping() {
            return true;
        }

        @Override
        public void close() {}
    }

    private static JournalEntry customer(String key) {
        return new JournalEntry.CustomerUpserted("c", T, key, "Acme", Map.of(), "UTC", null);
    }

    @Test
    void a_busy_caller_does_not_hold_up_the_next_commit_and_hears_of_its_commit_after_the_listener() throws Exception {
        CountDownLatch attached = new CountDownLatch(1);
        RecordingStore store = new RecordingStore() {
            @Override
            public void append(List<JournalRecord> batch, List<CounterValue> counters) {
                try {
                    // the first commit waits for the test to attach its caller: committed before, the caller's
                    // callback ran on the test thread itself (seen under load: it waited there, not on the follow-up
                    // thread, and the second command completed at once)
                    attached.await(2, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.append(batch, counters);
            }
        };
        List<String> events = new CopyOnWriteArrayList<>();
        GroupCommitJournal.Listener listener = new GroupCommitJournal.Listener() {
            @Override
            public void committed(int commands, List<JournalEntry> entries, long nanos) {
                entries.forEach(e -> events.add("committed " + e.idempotencyKey()));
            }

            @Override
            public void failed(List<JournalEntry> entries, RuntimeException cause) {
                events.add("failed");
            }
        };
        try (GroupCommitJournal journal = new GroupCommitJournal(store, listener)) {
            CountDownLatch release = new CountDownLatch(1);
            List<String> completedOn = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> first = journal.append(List.of(customer("a")), List.of(), () -> true)
                    .thenRun(() -> {
                        completedOn.add(Thread.currentThread().getName());
                        events.add("caller a");
                        try {
                            // held until the test releases it: a bound here would let a slow machine end the wait early
                            // and complete the second command, which the test says must not happen before
                            release.await(5, TimeUnit.MINUTES);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
            attached.countDown();
            await().atMost(Duration.ofMinutes(2)).until(() -> events.contains("caller a"));

            CompletableFuture<Void> second = journal.append(List.of(customer("b")), List.of(), () -> true);
            await().atMost(Duration.ofMinutes(2))
                    .alias("the second command commits while the first one's caller is still busy")
                    .until(() -> store.keys.contains("b"));
            assertThat(second)
                    .as("completed after the first caller, in commit order")
                    .isNotDone();

            release.countDown();
            second.get(2, TimeUnit.MINUTES);
            first.get(2, TimeUnit.MINUTES);
            assertThat(completedOn).containsExactly("tollgate-follow");
            assertThat(store.threads).containsOnly("tollgate-journal");
            assertThat(events).containsExactly("committed a", "caller a", "committed b");
        }
    }

    @Test
    void a_record_that_cannot_be_encoded_fails_its_command_alone_and_the_journal_stays_available() throws Exception {
        RecordingStore store = new RecordingStore();
        List<String> failed = new CopyOnWriteArrayList<>();
        List<String> refused = new CopyOnWriteArrayList<>();
        CountDownLatch recovered = new CountDownLatch(1);
        GroupCommitJournal.Listener listener = new GroupCommitJournal.Listener() {
            @Override
            public void committed(int commands, List<JournalEntry> entries, long nanos) {}

            @Override
            public void failed(List<JournalEntry> entries, RuntimeException cause) {
                entries.forEach(e -> failed.add(e.idempotencyKey()));
            }

            @Override
            public void refused(List<JournalEntry> entries, RuntimeException cause) {
                entries.forEach(e -> refused.add(e.idempotencyKey()));
            }

            @Override
            public void recovered() {
                recovered.countDown();
            }
        };
        try (GroupCommitJournal journal = new GroupCommitJournal(store, listener)) {
            // a Double is outside the JSON tree model: its effects are in memory, it must not stay there silently
            JournalEntry bad =
                    new JournalEntry.CustomerUpserted("c", T, "bad", "Acme", Map.of("score", 1.5), "UTC", null);
            CompletableFuture<Void> done = journal.append(List.of(bad), List.of(), () -> true);

            assertThat(done)
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(RecordRefusedException.class);
            assertThat(refused).containsExactly("bad");
            assertThat(failed).as("no failed commit").isEmpty();
            assertThat(store.keys).isEmpty();
            assertThat(journal.available()).as("a bad record is no outage").isTrue();
            journal.append(List.of(customer("good")), List.of(), () -> true).get(10, TimeUnit.SECONDS);
            assertThat(store.keys).containsExactly("good");
            assertThat(recovered.getCount()).as("nothing to recover from").isEqualTo(1);
        }
    }

    /** Refuses every batch that holds the key {@code dup}, as a unique index would; blocks the first append. */
    private static final class RefusingStore extends RecordingStore {
        final CountDownLatch firstAppend = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Integer> batches = new CopyOnWriteArrayList<>();

        @Override
        public void append(List<JournalRecord> batch, List<CounterValue> counters) {
            batches.add(batch.size());
            if (firstAppend.getCount() > 0) {
                firstAppend.countDown();
                try {
                    release.await(5, TimeUnit.MINUTES); // until the test releases it, however slow the machine
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (batch.stream().anyMatch(r -> "dup".equals(r.entry().idempotencyKey()))) {
                throw new RecordRefusedException("duplicate key", new IllegalStateException("unique index"));
            }
            super.append(batch, counters);
        }
    }

    @Test
    void a_record_the_store_refuses_fails_alone_and_the_rest_of_its_batch_commits_in_order() throws Exception {
        RefusingStore store = new RefusingStore();
        List<String> failed = new CopyOnWriteArrayList<>();
        List<String> refused = new CopyOnWriteArrayList<>();
        GroupCommitJournal.Listener listener = new GroupCommitJournal.Listener() {
            @Override
            public void committed(int commands, List<JournalEntry> entries, long nanos) {}

            @Override
            public void failed(List<JournalEntry> entries, RuntimeException cause) {
                entries.forEach(e -> failed.add(e.idempotencyKey()));
            }

            @Override
            public void refused(List<JournalEntry> entries, RuntimeException cause) {
                entries.forEach(e -> refused.add(e.idempotencyKey()));
            }
        };
        try (GroupCommitJournal journal = new GroupCommitJournal(store, listener)) {
            CompletableFuture<Void> first = journal.append(List.of(customer("first")), List.of(), () -> true);
            assertThat(store.firstAppend.await(2, TimeUnit.MINUTES)).isTrue();
            // queued behind the blocked commit: the next batch holds all five
            List<CompletableFuture<Void>> next = new ArrayList<>();
            for (String key : List.of("a", "b", "dup", "c", "d")) {
                next.add(journal.append(List.of(customer(key)), List.of(), () -> true));
            }
            store.release.countDown();
            first.get(10, TimeUnit.SECONDS);
            for (int i = 0; i < next.size(); i++) {
                if (i == 2) {
                    assertThat(next.get(i))
                            .failsWithin(Duration.ofSeconds(10))
                            .withThrowableOfType(ExecutionException.class)
                            .withCauseInstanceOf(RecordRefusedException.class);
                } else {
                    next.get(i).get(10, TimeUnit.SECONDS);
                }
            }
            assertThat(store.batches).as("one batch of five, then halves").startsWith(1, 5);
            assertThat(store.keys).containsExactly("first", "a", "b", "c", "d");
            assertThat(refused).containsExactly("dup");
            assertThat(failed).isEmpty();
            assertThat(journal.available()).isTrue();
        }
    }

    @Test
    void a_listener_that_throws_does_not_fail_durable_commands() throws Exception {
        RecordingStore store = new RecordingStore();
        GroupCommitJournal.Listener listener = new GroupCommitJournal.Listener() {
            @Override
            public void committed(int commands, List<JournalEntry> entries, long nanos) {
                throw new IllegalStateException("observer bug");
            }

            @Override
            public void failed(List<JournalEntry> entries, RuntimeException cause) {}
        };
        try (GroupCommitJournal journal = new GroupCommitJournal(store, listener)) {
            journal.append(List.of(customer("a")), List.of(), () -> true).get(10, TimeUnit.SECONDS);
            journal.append(List.of(customer("b")), List.of(), () -> true).get(10, TimeUnit.SECONDS);
            assertThat(store.keys).containsExactly("a", "b");
        }
    }

    /**
     * Regression (ClusterIT, on SIGCONT of a node that had lost its customers): a command applied on top of one the
     * store fenced, and so found stale, failed {@code STORE_UNAVAILABLE} (a plain store failure, without {@code
     * Retry-After}), though nothing was wrong with the store: its customer belongs to another node now. It fails as
     * fenced too ({@code NOT_OWNER}: nothing was applied, retry and be forwarded).
     */
    @Test
    void a_command_stale_behind_a_fenced_one_fails_as_fenced() throws Exception {
        RecordingStore store = new RecordingStore() {
            @Override
            public void append(List<JournalRecord> batch, List<CounterValue> counters) {
                if (batch.stream().anyMatch(r -> "a".equals(r.entry().idempotencyKey()))) {
                    throw new dev.tollgate.core.store.FencedException(java.util.Set.of("c"));
                }
                super.append(batch, counters);
            }
        };
        GroupCommitJournal.Listener quiet = new GroupCommitJournal.Listener() {
            @Override
            public void committed(int commands, List<JournalEntry> entries, long nanos) {}

            @Override
            public void failed(List<JournalEntry> entries, RuntimeException cause) {}
        };
        try (GroupCommitJournal journal = new GroupCommitJournal(store, quiet)) {
            CompletableFuture<Void> fenced = journal.append(List.of(customer("a")), List.of(), () -> true);
            await().atMost(Duration.ofSeconds(30)).until(fenced::isDone);
            CompletableFuture<Void> stale = journal.append(List.of(customer("b")), List.of(), () -> false);
            await().atMost(Duration.ofSeconds(30)).until(stale::isDone);
            ExecutionException e =
                    org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class, stale::get);
            assertThat(e.getCause()).isInstanceOf(dev.tollgate.core.store.FencedException.class);
            assertThat(((dev.tollgate.core.store.FencedException) e.getCause()).customers())
                    .containsExactly("c");
            CompletableFuture<Void> otherStale = journal.append(
                    List.of(new JournalEntry.CustomerUpserted("d", T, "x", "D", Map.of(), "UTC", null)),
                    List.of(),
                    () -> false);
            await().atMost(Duration.ofSeconds(30)).until(otherStale::isDone);
            ExecutionException other =
                    org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class, otherStale::get);
            assertThat(other.getCause())
                    .as("a customer not fenced: stale as before")
                    .isNotInstanceOf(dev.tollgate.core.store.FencedException.class);
        }
    }
}
