package dev.tollgate.core.engine;

import dev.tollgate.core.journal.JournalCodec;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import dev.tollgate.core.store.UsageRow;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A list-backed store for engine tests: {@link #failAppends} makes commits fail as a broken disk would;
 * {@link #storeThenFail} stores a batch and then reports failure, as a connection lost during COMMIT does;
 * {@link #failReads} makes {@link #entry} fail as an unreachable store would.
 */
final class ListStore implements Store {
    private final List<JournalEntry> entries = new ArrayList<>();
    private final Map<CounterValue.Key, CounterValue> counters = new LinkedHashMap<>();
    final AtomicInteger appends = new AtomicInteger();
    volatile boolean failAppends;
    volatile boolean storeThenFail;
    volatile boolean failReads;
    /** Reads by idempotency key: one a call of {@link #entry} or of {@link #entriesByKey}. */
    final AtomicInteger keyReads = new AtomicInteger();
    /** While set, commits wait for it to count down, as a slow store's would. */
    volatile java.util.concurrent.@Nullable CountDownLatch holdAppends;

    @Override
    public void append(List<JournalRecord> batch, List<CounterValue> values) {
        java.util.concurrent.CountDownLatch hold = holdAppends;
        if (hold != null) {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted");
            }
        }
        appendNow(batch, values);
    }

    private synchronized void appendNow(List<JournalRecord> batch, List<CounterValue> values) {
        if (failAppends) {
            throw new StoreException("disk on fire");
        }
        appends.incrementAndGet();
        // what a real store reads back: the decoded payload, not the object that was encoded
        batch.forEach(r -> entries.add(JournalCodec.decode(r.type(), r.payload())));
        values.forEach(c -> counters.put(c.key(), c));
        if (storeThenFail) {
            throw new StoreException("connection lost during commit");
        }
    }

    /** Overwrites every stored counter's {@code used}, as a torn write would. */
    synchronized void tamperCounters(BigDecimal used) {
        counters.replaceAll(
                (k, c) -> new CounterValue(c.customerId(), c.feature(), c.windowStart(), used, c.overage()));
    }

    @Override
    public synchronized List<UsageRow> usage(String customerId, Instant from, Instant to) {
        List<UsageRow> out = new ArrayList<>();
        for (JournalEntry e : entries) {
            UsageRow r = UsageRow.from(e);
            if (r != null
                    && r.customerId().equals(customerId)
                    && !r.occurredAt().isBefore(from)
                    && r.occurredAt().isBefore(to)) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public synchronized void counters(Consumer<CounterValue> visitor) {
        List.copyOf(counters.values()).forEach(visitor);
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

    @Override
    public synchronized Map<String, JournalEntry> entriesByKey(String customerId, Collection<String> keys) {
        if (failReads) {
            throw new StoreException("injected: the store cannot be read");
        }
        keyReads.incrementAndGet();
        Set<String> wanted = new HashSet<>(keys);
        Map<String, JournalEntry> found = new HashMap<>();
        for (JournalEntry e : entries) {
            String key = e.idempotencyKey();
            if (customerId.equals(e.customerId()) && key != null && wanted.contains(key)) {
                found.putIfAbsent(key, e);
            }
        }
        return found;
    }

    @Override
    public synchronized @Nullable JournalEntry entry(String customerId, String idempotencyKey) {
        if (failReads) {
            throw new StoreException("injected: the store cannot be read");
        }
        keyReads.incrementAndGet();
        for (JournalEntry e : entries) {
            if (customerId.equals(e.customerId()) && idempotencyKey.equals(e.idempotencyKey())) {
                return e;
            }
        }
        return null;
    }

    @Override
    public synchronized List<JournalEntry> besideKey(String customerId, String idempotencyKey) {
        if (failReads) {
            throw new StoreException("injected: the store cannot be read");
        }
        List<JournalEntry> own =
                entries.stream().filter(e -> customerId.equals(e.customerId())).toList();
        for (int i = 0; i < own.size(); i++) {
            if (idempotencyKey.equals(own.get(i).idempotencyKey())) {
                List<JournalEntry> near = new ArrayList<>(2);
                if (i > 0) {
                    near.add(own.get(i - 1));
                }
                if (i + 1 < own.size()) {
                    near.add(own.get(i + 1));
                }
                return near;
            }
        }
        return List.of();
    }

    synchronized int size() {
        return entries.size();
    }

    @Override
    public dev.tollgate.core.store.CredentialStore credentials() {
        throw new UnsupportedOperationException("a journal test double keeps no credentials");
    }

    @Override
    public boolean ping() {
        return !failAppends && !storeThenFail;
    }

    @Override
    public void close() {}
}
