package dev.tollgate.core.engine;

import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A list-backed store for engine tests; {@link #failAppends} makes commits fail as a broken disk would. */
final class ListStore implements Store {
    private final List<JournalEntry> entries = new ArrayList<>();
    final AtomicInteger appends = new AtomicInteger();
    volatile boolean failAppends;

    @Override
    public synchronized void append(List<JournalEntry> batch) {
        if (failAppends) {
            throw new StoreException("disk on fire");
        }
        appends.incrementAndGet();
        entries.addAll(batch);
    }

    @Override
    public synchronized void replay(Consumer<JournalEntry> visitor) {
        List.copyOf(entries).forEach(visitor);
    }

    @Override
    public synchronized List<JournalEntry> entries(String customerId) {
        List<JournalEntry> out = new ArrayList<>();
        for (JournalEntry e : entries) {
            if (customerId.equals(e.customerId())) {
                out.add(e);
            }
        }
        return out;
    }

    synchronized int size() {
        return entries.size();
    }

    @Override
    public boolean ping() {
        return !failAppends;
    }

    @Override
    public void close() {}
}
