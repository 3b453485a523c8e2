package dev.tollgate.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.UsageRow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The writer only commits: what follows a commit runs on the follow-up thread, in commit order. */
final class GroupCommitJournalTest {
    private static final Instant T = Instant.parse("2026-01-06T10:00:00Z");

    /** Keeps the keys appended and the threads that appended them. */
    private static final class RecordingStore implements Store {
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
        public boolean ping() {
            return true;
        }

        @Override
        public void close() {}
    }

    private static JournalEntry customer(String key) {
        return new JournalEntry.CustomerUpserted("c", T, key, "Acme", Map.of(), "UTC");
    }

    @Test
    void a_busy_caller_does_not_hold_up_the_next_commit_and_hears_of_its_commit_after_the_listener() throws Exception {
        RecordingStore store = new RecordingStore();
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
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
            await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("caller a"));

            CompletableFuture<Void> second = journal.append(List.of(customer("b")), List.of(), () -> true);
            await().atMost(Duration.ofSeconds(10))
                    .alias("the second command commits while the first one's caller is still busy")
                    .until(() -> store.keys.contains("b"));
            assertThat(second)
                    .as("completed after the first caller, in commit order")
                    .isNotDone();

            release.countDown();
            second.get(10, TimeUnit.SECONDS);
            first.get(10, TimeUnit.SECONDS);
            assertThat(completedOn).containsExactly("tollgate-follow");
            assertThat(store.threads).containsOnly("tollgate-journal");
            assertThat(events).containsExactly("committed a", "caller a", "committed b");
        }
    }

    @Test
    void a_record_that_cannot_be_encoded_fails_its_batch_as_a_failed_commit_would() throws Exception {
        RecordingStore store = new RecordingStore();
        List<String> failed = new CopyOnWriteArrayList<>();
        CountDownLatch recovered = new CountDownLatch(1);
        GroupCommitJournal.Listener listener = new GroupCommitJournal.Listener() {
            @Override
            public void committed(int commands, List<JournalEntry> entries, long nanos) {}

            @Override
            public void failed(List<JournalEntry> entries, RuntimeException cause) {
                entries.forEach(e -> failed.add(e.idempotencyKey()));
            }

            @Override
            public void recovered() {
                recovered.countDown();
            }
        };
        try (GroupCommitJournal journal = new GroupCommitJournal(store, listener)) {
            // a Double is outside the JSON tree model: its effects are in memory, it must not stay there silently
            JournalEntry bad = new JournalEntry.CustomerUpserted("c", T, "bad", "Acme", Map.of("score", 1.5), "UTC");
            CompletableFuture<Void> done = journal.append(List.of(bad), List.of(), () -> true);

            assertThat(done).failsWithin(Duration.ofSeconds(10));
            assertThat(failed).containsExactly("bad");
            assertThat(store.keys).isEmpty();
            assertThat(recovered.await(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(journal::available);
            journal.append(List.of(customer("good")), List.of(), () -> true).get(10, TimeUnit.SECONDS);
            assertThat(store.keys).containsExactly("good");
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
}
