package dev.tollgate.core.journal;

import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The group commit: many commands, one transaction, one fsync.
 *
 * <p>Design: commands apply their effects to memory under their customer's exclusive section and hand their records
 * to {@link #append}, which only enqueues and returns a future. One writer thread takes everything queued (up to
 * {@link #MAX_BATCH} commands), commits it with one {@link Store#append} call, and completes the futures. While a
 * batch commits, the next one accumulates, so the batch size adapts to the load by itself: one command alone commits
 * at once, a thousand concurrent ones share a few fsyncs. No timer delays a lone write.
 *
 * <p>Ordering: the queue is FIFO and a customer's commands enqueue under its exclusive section, so a customer's
 * records reach the store in apply order.
 *
 * <p>Failure modes: if a commit fails, {@link Listener#failed} runs on the writer thread, so the owner can rebuild
 * the affected state from the store, and only then do the batch's commands fail: a caller told of the failure no
 * longer sees its effects. A command carries a validity check; commands applied on top of state that was since
 * rebuilt are failed instead of committed.
 *
 * <p>Thread-safe: {@link #append} may be called from any thread.
 */
public final class GroupCommitJournal implements AutoCloseable {
    /** The most commands committed in one transaction. */
    public static final int MAX_BATCH = 4096;

    /** Observes commits; called on the writer thread. */
    public interface Listener {
        /**
         * A batch was committed.
         *
         * @param commands commands in the batch
         * @param entries records in the batch
         * @param nanos time spent in {@link Store#append}
         */
        void committed(int commands, int entries, long nanos);

        /**
         * A batch failed to commit; its commands have been failed.
         *
         * @param entries the records that were not stored
         * @param cause why
         */
        void failed(List<JournalEntry> entries, RuntimeException cause);
    }

    private record Pending(List<JournalEntry> entries, BooleanSupplier valid, CompletableFuture<Void> done) {}

    private static final Pending POISON = new Pending(List.of(), () -> false, new CompletableFuture<>());

    private final Store store;
    private final Listener listener;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;

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
     * Enqueues one command's records.
     *
     * @param entries the command's records, committed together
     * @param valid checked on the writer thread just before the commit; {@code false} fails the command instead
     * @return completes when the records are durable, or exceptionally with {@link StoreException}
     */
    public CompletableFuture<Void> append(List<JournalEntry> entries, BooleanSupplier valid) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new StoreException("journal is closed"));
            return done;
        }
        queue.add(new Pending(entries, valid, done));
        return done;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            Pending first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
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

    private void commit(List<Pending> batch) {
        List<Pending> live = new ArrayList<>(batch.size());
        List<JournalEntry> entries = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            if (p.valid().getAsBoolean()) {
                live.add(p);
                entries.addAll(p.entries());
            } else {
                p.done()
                        .completeExceptionally(
                                new StoreException("state was rebuilt after a failed commit; command not applied"));
            }
        }
        if (entries.isEmpty()) {
            live.forEach(p -> p.done().complete(null));
            return;
        }
        long start = System.nanoTime();
        try {
            store.append(entries);
        } catch (RuntimeException e) {
            StoreException failure = e instanceof StoreException se ? se : new StoreException("commit failed", e);
            // rebuild first: a caller told of the failure must no longer see the lost records' effects
            try {
                listener.failed(entries, failure);
            } finally {
                live.forEach(p -> p.done().completeExceptionally(failure));
            }
            return;
        }
        listener.committed(live.size(), entries.size(), System.nanoTime() - start);
        live.forEach(p -> p.done().complete(null));
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
