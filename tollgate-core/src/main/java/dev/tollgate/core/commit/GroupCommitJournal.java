package dev.tollgate.core.commit;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.FencedException;
import dev.tollgate.core.store.RecordRefusedException;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The group commit: many commands, one transaction, one fsync.
 *
 * <p>Design: commands apply their effects to memory under their customer's exclusive section and hand their records
 * to {@link #append}, which encodes them on the calling thread, enqueues them and returns a future. One writer thread
 * takes everything queued (up to {@link #MAX_BATCH} commands) and commits it with one {@link Store#append} call. While
 * a batch commits, the next one accumulates, so the batch size adapts to the load by itself: one command alone commits
 * at once, a thousand concurrent ones share a few fsyncs. No timer delays a lone write.
 *
 * <p>Follow-up: the writer only commits. What follows a commit runs on a second thread, batch after batch in commit
 * order: the {@link Listener} (the owner updates what is durable, or restores state after a failure), then the
 * completion of the batch's futures, and with it whatever callers chained on them (building an answer, serialising a
 * thousand event results). That work then runs beside the next commit instead of delaying it: the events benchmark
 * found the writer spending a third of its own time on it. What a caller chains on a future must therefore not block,
 * least of all on a later command of this journal: the follow-up thread would wait for itself, and the writer, once
 * {@link #FOLLOW_UP_BACKLOG} batches wait, for the follow-up thread.
 *
 * <p>Ordering: the queue is FIFO and a customer's commands enqueue under its exclusive section, so a customer's
 * records reach the store in apply order.
 *
 * <p>Derived state: each command carries the counter values it produced; a batch stores the last value of every
 * counter it touched in the same transaction as its records.
 *
 * <p>Failure modes: if a commit fails, {@link Listener#failed} runs first, so the owner can restore the affected
 * state, and only then do the batch's commands fail: a caller told of the failure no longer sees its
 * effects. A command carries a validity check; commands applied on top of state that was since restored are failed
 * instead of committed. After a failure the journal is <em>unavailable</em> (a circuit breaker): new and queued
 * commands fail at once with {@link StoreUnavailableException} instead of each waiting on a dead store, and the
 * writer pings the store every {@link #PROBE_INTERVAL_MILLIS} ms; once it answers, {@link Listener#recovered} runs
 * (the owner re-reads what a failed commit left in doubt) and the journal accepts commands again.
 *
 * <p>Refused records: a record the store refuses by a constraint ({@link RecordRefusedException}: an idempotency key
 * the customer stored already) or one that cannot be encoded is a fault of its command, not of the store. The batch
 * is then committed in halves, recursively, so that only the offending command fails ({@link Listener#refused}); the
 * journal stays available and every other customer's commands commit. Commands applied on top of the offender's
 * effects are failed as stale once the owner has restored its customer.
 *
 * <p>Thread-safe: {@link #append} may be called from any thread.
 */
public final class GroupCommitJournal implements AutoCloseable {
    /** The most commands committed in one transaction. */
    public static final int MAX_BATCH = 4096;

    /** How often an unavailable journal pings the store. */
    public static final long PROBE_INTERVAL_MILLIS = 200;

    /** How long a probe waits for the owner to resynchronise ({@link Listener#recovered}) before it retries. */
    static final long PROBE_TIMEOUT_SECONDS = 30;

    /** The journal refuses commands until the store answers again after a failed commit. */
    public static final class StoreUnavailableException extends StoreException {
        private static final long serialVersionUID = 1L;

        StoreUnavailableException() {
            super("the store is unavailable since a commit failed; retry later");
        }
    }

    /**
     * Observes commits. Called on the journal's follow-up thread, one call at a time, in commit order, each before the
     * batch's commands are completed; {@link #recovered} too, and the journal waits for it.
     */
    public interface Listener {
        /**
         * A batch was committed; its commands are completed right after.
         *
         * @param commands commands in the batch
         * @param entries the records now durable, in commit order
         * @param nanos time spent in {@link Store#append}
         */
        void committed(int commands, List<JournalEntry> entries, long nanos);

        /**
         * A batch failed to commit; its commands are failed right after. The records may or may not be stored (a
         * lost connection leaves a commit in doubt).
         *
         * @param entries the records of the batch
         * @param cause why
         */
        void failed(List<JournalEntry> entries, RuntimeException cause);

        /**
         * The store answers again after a failure; runs before the journal accepts commands again.
         *
         * @throws StoreException if the owner could not resynchronise; the journal stays unavailable and retries
         */
        default void recovered() {}

        /**
         * The store refused the records of one command by a constraint ({@link RecordRefusedException}); nothing of
         * them is stored, and the command is failed right after. Not an outage: the journal stays available.
         *
         * @param entries the command's records
         * @param cause why
         */
        default void refused(List<JournalEntry> entries, RuntimeException cause) {
            failed(entries, cause);
        }
    }

    /**
     * One command.
     *
     * @param entries its records
     * @param records the same encoded, or {@code null} if one could not be encoded ({@code unencodable} says why)
     */
    private record Pending(
            List<JournalEntry> entries,
            @Nullable List<JournalRecord> records,
            @Nullable RuntimeException unencodable,
            List<CounterValue> counters,
            BooleanSupplier valid,
            CompletableFuture<Void> done) {}

    private static final Pending POISON =
            new Pending(List.of(), List.of(), null, List.of(), () -> false, new CompletableFuture<>());

    /** Batches whose follow-up may wait at most before the writer waits for the follow-up thread. */
    static final int FOLLOW_UP_BACKLOG = 256;

    private final Store store;
    private final Listener listener;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final ExecutorService followUp = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tollgate-follow");
        t.setDaemon(true);
        followUpThread = t;
        return t;
    });
    private volatile @Nullable Thread followUpThread;
    private final Semaphore backlog = new Semaphore(FOLLOW_UP_BACKLOG);
    private volatile boolean closed;
    private volatile boolean available = true;

    /** Beyond this many fenced customers remembered, they are forgotten (a stale command then fails as before). */
    static final int MAX_FENCED_KEPT = 10_000;

    /**
     * Customers whose commands the store fenced since they last committed here: a command found stale behind one of
     * them fails as fenced too. Confined to the writer thread.
     */
    private final Set<String> fencedCustomers = new HashSet<>();

    /**
     * Starts the writer thread.
     *
     * @param store where batches are committed
     * @param listener observes commits and failures
     */
    public GroupCommitJournal(Store store, Listener listener) {
        this.store = store;
        this.listener = listener;
        this.writer = new Thread(this::run, "tollgate-journal");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /**
     * Encodes one command's records on the calling thread and enqueues them. A record that cannot be encoded fails
     * its command alone on the writer, as a refused record does ({@link Listener#refused}: the owner restores the
     * customer, since the command's effects are in memory already).
     *
     * @param entries the command's records, committed together
     * @param counters the counter values after the command, stored with its records
     * @param valid checked on the writer thread just before the commit; {@code false} fails the command instead
     * @return completes when the records are durable, or exceptionally with {@link StoreException}: {@link
     *     RecordRefusedException} if a record of this command was refused, {@link
     *     dev.tollgate.core.store.CommitInDoubtException} if the store cannot tell whether the batch was stored, any
     *     other if nothing of the command was stored
     */
    public CompletableFuture<Void> append(
            List<JournalEntry> entries, List<CounterValue> counters, BooleanSupplier valid) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new StoreException("journal is closed"));
            return done;
        }
        List<JournalRecord> records = null;
        RuntimeException unencodable = null;
        try {
            records = JournalRecord.all(entries);
        } catch (RuntimeException e) {
            unencodable = e;
        }
        queue.add(new Pending(entries, records, unencodable, counters, valid, done));
        if (closed && !writer.isAlive()) {
            failLate();
        }
        return done;
    }

    /**
     * Tells whether the journal accepts commands: {@code false} from a failed commit until the store answers again.
     * Writers check it before changing state, so that they fail fast while the store is down.
     */
    public boolean available() {
        return available;
    }

    @SuppressWarnings("ReferenceEquality") // POISON is a sentinel, known by identity
    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        long lastProbe = System.nanoTime();
        while (true) {
            // while unavailable, queued commands are failed first (commit() fails them at once) and the store is
            // probed between batches: a probe can block for a connection timeout, and no caller should wait on it
            if (!available
                    && System.nanoTime() - lastProbe >= TimeUnit.MILLISECONDS.toNanos(PROBE_INTERVAL_MILLIS)
                    && queue.isEmpty()) {
                probe();
                lastProbe = System.nanoTime();
            }
            Pending first;
            try {
                first = queue.poll(available ? 100 : PROBE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (first == POISON) {
                return;
            }
            if (first == null) {
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, MAX_BATCH - 1);
            boolean stop = batch.remove(POISON);
            commit(batch);
            batch.clear();
            if (stop) {
                drainAfterClose();
                return;
            }
        }
    }

    private void drainAfterClose() {
        List<Pending> rest = new ArrayList<>();
        queue.drainTo(rest);
        rest.remove(POISON);
        if (!rest.isEmpty()) {
            commit(rest);
        }
    }

    private void probe() {
        if (!store.ping()) {
            return;
        }
        try {
            // after every earlier batch's follow-up, on the same thread, and before any new command commits
            followUp.submit(listener::recovered).get(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            available = true;
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            // still in doubt (or the follow-up thread is stuck behind a caller); the next probe retries
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void commit(List<Pending> batch) {
        if (!available) {
            // applied to memory before the breaker opened: the owner must take their effects back too
            List<JournalEntry> refused = new ArrayList<>();
            batch.forEach(p -> refused.addAll(p.entries()));
            StoreUnavailableException failure = new StoreUnavailableException();
            follow(List.copyOf(batch), failure, () -> {
                if (!refused.isEmpty()) {
                    listener.failed(refused, failure);
                }
            });
            return;
        }
        commitValid(batch);
    }

    /**
     * Commits the commands of {@code batch} still valid, each checked now (an earlier refusal may have restored their
     * customer), refusing alone every command whose records cannot be encoded. If the store refuses a record by a
     * constraint, the batch is split in halves committed one after the other, down to the offending command, which
     * alone fails; any other failure is a failed commit for the whole batch.
     */
    private void commitValid(List<Pending> batch) {
        List<Pending> live = new ArrayList<>(batch.size());
        List<Pending> stale = new ArrayList<>();
        for (Pending p : batch) {
            if (!available) {
                live.add(p); // failed with the rest below by the breaker's path
            } else if (!p.valid().getAsBoolean()) {
                stale.add(p);
            } else if (p.records() == null) {
                refuse(p, new RecordRefusedException("a record cannot be encoded", requireNonNull(p.unencodable())));
            } else {
                live.add(p);
            }
        }
        for (Pending p : stale) {
            follow(List.of(p), staleFailure(p), () -> {});
        }
        if (live.isEmpty()) {
            return;
        }
        if (!available) {
            commit(live);
            return;
        }
        List<JournalRecord> records = new ArrayList<>(live.size());
        List<JournalEntry> entries = new ArrayList<>(live.size());
        Map<CounterValue.Key, CounterValue> counters = new LinkedHashMap<>();
        for (Pending p : live) {
            entries.addAll(p.entries());
            records.addAll(requireNonNull(p.records()));
            p.counters().forEach(c -> counters.put(c.key(), c));
        }
        if (entries.isEmpty()) {
            follow(live, null, () -> {});
            return;
        }
        long start = System.nanoTime();
        try {
            store.append(records, List.copyOf(counters.values()));
        } catch (RecordRefusedException e) {
            if (live.size() == 1) {
                refuse(live.get(0), e);
            } else {
                int half = live.size() / 2;
                commitValid(List.copyOf(live.subList(0, half)));
                commitValid(List.copyOf(live.subList(half, live.size())));
            }
            return;
        } catch (RuntimeException e) {
            StoreException failure = e instanceof StoreException se ? se : new StoreException("commit failed", e);
            available = false;
            // rebuild first: a caller told of the failure must no longer see the lost records' effects
            follow(live, failure, () -> listener.failed(entries, failure));
            return;
        }
        long nanos = System.nanoTime() - start;
        if (!fencedCustomers.isEmpty()) {
            entries.forEach(e -> fencedCustomers.remove(e.customerId())); // owned here again
        }
        follow(live, null, () -> listener.committed(live.size(), entries, nanos));
    }

    /**
     * Why a stale command (applied to a state that was rebuilt since) fails: as fenced if its customer was fenced (it
     * belongs to another node now: {@code NOT_OWNER}, nothing applied), else as a failure of the store.
     */
    private StoreException staleFailure(Pending p) {
        Set<String> lost = new TreeSet<>();
        for (JournalEntry e : p.entries()) {
            if (e.customerId() != null && fencedCustomers.contains(e.customerId())) {
                lost.add(e.customerId());
            }
        }
        return lost.isEmpty()
                ? new StoreException("state was rebuilt after a failed commit; command not applied")
                : new FencedException(lost);
    }

    /**
     * Fails one command whose records the store refuses, alone: the owner restores its customers ({@link
     * Listener#refused}) before the writer goes on, so that the commands applied on top of it are found stale.
     */
    private void refuse(Pending p, RecordRefusedException cause) {
        if (cause instanceof FencedException fenced) {
            if (fencedCustomers.size() >= MAX_FENCED_KEPT) {
                fencedCustomers.clear();
            }
            fencedCustomers.addAll(fenced.customers());
        }
        CompletableFuture<Void> restored = follow(List.of(p), cause, () -> listener.refused(p.entries(), cause));
        try {
            restored.get(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the owner may not have restored its state: fail what follows until it resynchronises
            available = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            available = false;
        }
    }

    /**
     * Runs a batch's follow-up on the follow-up thread: first {@code listenerCall}, then the completion of every
     * command's future, normally or with {@code outcome}. The commands end as the commit did whatever the listener
     * does: what it throws goes, after the completions, to the follow-up thread's uncaught-exception handler. Waits
     * while {@link #FOLLOW_UP_BACKLOG} batches are waiting already; after {@link #close}, runs on the caller.
     *
     * @return completes once the listener call returned (exceptionally if it threw)
     */
    private CompletableFuture<Void> follow(
            List<Pending> commands, @Nullable RuntimeException outcome, Runnable listenerCall) {
        CompletableFuture<Void> listened = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                listenerCall.run();
                listened.complete(null);
            } catch (RuntimeException | Error e) {
                listened.completeExceptionally(e);
                throw e;
            } finally {
                for (Pending p : commands) {
                    if (outcome == null) {
                        p.done().complete(null);
                    } else {
                        p.done().completeExceptionally(outcome);
                    }
                }
            }
        };
        try {
            backlog.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            followUp.execute(() -> {
                try {
                    task.run();
                } finally {
                    backlog.release();
                }
            });
        } catch (RejectedExecutionException e) {
            backlog.release();
            task.run();
        }
        return listened;
    }

    /** Fails the commands that raced {@link #close} into the queue behind the writer's last batch. */
    private void failLate() {
        List<Pending> late = new ArrayList<>();
        queue.drainTo(late);
        late.remove(POISON);
        late.forEach(p -> p.done().completeExceptionally(new StoreException("journal is closed")));
    }

    /** Commits what is queued, then stops the writer. Further appends fail. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(POISON);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
            if (writer.isAlive()) {
                // stuck in a commit: it follows that batch up itself, on its own thread, once the commit returns
                return;
            }
            failLate();
            followUp.shutdown();
            if (Thread.currentThread() != followUpThread) {
                followUp.awaitTermination(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
