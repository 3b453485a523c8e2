package dev.tollgate.testkit.memory;

import dev.tollgate.core.journal.JournalCodec;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.CredentialStore;
import dev.tollgate.core.store.RecordRefusedException;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import dev.tollgate.core.store.UsageRow;
import dev.tollgate.testkit.contract.StoreSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Store} that keeps its records in memory, for tests and as the reference the contract suites hold the SQL
 * stores to: it passes every suite.
 *
 * <p>Restarts: {@link #reopen()} gives a new store on the same data, as reopening a file or a schema does; closing a
 * store closes only that store.
 *
 * <p>Concurrency: every call takes the data's lock, so a reader sees whole batches only. Visitors run after the lock
 * is released, on the calling thread.
 *
 * <p>What a SQL store does, this one does: it keeps the payload it was given and reads back what {@link JournalCodec}
 * decodes from it; a batch is checked whole before anything of it is kept (a record without a time, a payload that
 * does not decode: {@link StoreException}; a customer's idempotency key stored already or repeated in the batch:
 * {@link RecordRefusedException}), so a failed batch stores nothing. Nothing survives the process.
 */
public final class MemoryStore implements Store {
    private final Data data;
    private volatile boolean closed;

    private final MemoryCredentials credentials;

    private MemoryStore(Data data) {
        this.data = data;
        this.credentials = new MemoryCredentials(data.credentials, () -> !closed);
    }

    /** A store on new, empty data. */
    public static MemoryStore create() {
        return new MemoryStore(new Data());
    }

    /**
     * A new store on this store's data, as after a restart; this store may be open or closed.
     *
     * @return an open store that sees everything this one stored
     */
    public MemoryStore reopen() {
        return new MemoryStore(data);
    }

    /** The spec the contract suites run this store with: fresh data per test, nothing to delete. */
    public static StoreSpec spec() {
        return new StoreSpec("memory", () -> {
            MemoryStore origin = create();
            return StoreSpec.Data.of(origin::reopen, () -> {});
        });
    }

    /** One stored record: what a row of a SQL store's journal holds. */
    private record Row(
            long seq, String type, String payload, @Nullable UsageRow usage) {
        JournalEntry entry() {
            return JournalCodec.decode(type, payload);
        }
    }

    /** The records and counters every store reopened on them shares; guarded by itself. */
    private static final class Data {
        final List<Row> journal = new ArrayList<>();
        final Map<String, List<Row>> byCustomer = new HashMap<>();
        final Map<String, Map<String, Integer>> keyPositions = new HashMap<>();
        final Map<CounterValue.Key, CounterValue> counters = new LinkedHashMap<>();
        final MemoryCredentials.Rows credentials = new MemoryCredentials.Rows();
        final MemoryOutbox outbox = new MemoryOutbox();
    }

    @Override
    public dev.tollgate.core.store.ExportOutbox outbox() {
        ensureOpen();
        return data.outbox;
    }

    @Override
    public void append(List<JournalRecord> batch, List<CounterValue> counters) {
        if (batch.isEmpty()) {
            return;
        }
        synchronized (data) {
            ensureOpen();
            List<Row> rows = rows(batch);
            for (int i = 0; i < batch.size(); i++) {
                JournalEntry e = batch.get(i).entry();
                Row row = rows.get(i);
                data.journal.add(row);
                if (e.customerId() != null) {
                    List<Row> own = data.byCustomer.computeIfAbsent(e.customerId(), c -> new ArrayList<>());
                    own.add(row);
                    if (e.idempotencyKey() != null) {
                        data.keyPositions
                                .computeIfAbsent(e.customerId(), c -> new HashMap<>())
                                .put(e.idempotencyKey(), own.size() - 1);
                    }
                }
            }
            counters.forEach(c -> data.counters.put(c.key(), c));
        }
    }

    /** The batch's rows, each checked; throws before anything is stored. */
    private List<Row> rows(List<JournalRecord> batch) {
        Map<String, Set<String>> batchKeys = new HashMap<>();
        List<Row> rows = new ArrayList<>(batch.size());
        long seq = data.journal.size();
        for (JournalRecord r : batch) {
            JournalEntry e = r.entry();
            String key = e.idempotencyKey();
            if (e.customerId() != null && key != null) {
                boolean stored =
                        data.keyPositions.getOrDefault(e.customerId(), Map.of()).containsKey(key);
                if (stored
                        || !batchKeys
                                .computeIfAbsent(e.customerId(), c -> new HashSet<>())
                                .add(key)) {
                    throw new RecordRefusedException(
                            "the store refused a record of a batch of " + batch.size(),
                            new IllegalArgumentException(
                                    "customer " + e.customerId() + " has a record with idempotency key " + key));
                }
            }
            JournalEntry decoded;
            try {
                Objects.requireNonNull(e.at(), "a record without a time");
                decoded = JournalCodec.decode(r.type(), r.payload());
            } catch (RuntimeException fault) {
                throw new StoreException("cannot commit a batch of " + batch.size() + " records", fault);
            }
            rows.add(new Row(++seq, r.type(), r.payload(), UsageRow.from(decoded)));
        }
        return rows;
    }

    @Override
    public List<UsageRow> usage(String customerId, Instant from, Instant to) {
        long fromNanos = UsageRow.nanos(from);
        long toNanos = UsageRow.nanos(to);
        List<UsageRow> rows = new ArrayList<>();
        for (Row row : own(customerId)) {
            UsageRow u = row.usage();
            if (u != null && u.occurredNanos() >= fromNanos && u.occurredNanos() < toNanos) {
                rows.add(u);
            }
        }
        rows.sort(Comparator.comparingLong(UsageRow::occurredNanos));
        return rows;
    }

    @Override
    public void counters(Consumer<CounterValue> visitor) {
        List<CounterValue> values;
        synchronized (data) {
            ensureOpen();
            values = List.copyOf(data.counters.values());
        }
        values.forEach(visitor);
    }

    @Override
    public void replay(Consumer<JournalEntry> visitor) {
        List<Row> rows;
        synchronized (data) {
            ensureOpen();
            rows = List.copyOf(data.journal);
        }
        rows.forEach(r -> visitor.accept(r.entry()));
    }

    @Override
    public List<JournalEntry> entries(String customerId) {
        return own(customerId).stream().map(Row::entry).toList();
    }

    @Override
    public @Nullable JournalEntry entry(String customerId, String idempotencyKey) {
        synchronized (data) {
            ensureOpen();
            Integer at = data.keyPositions.getOrDefault(customerId, Map.of()).get(idempotencyKey);
            return at == null
                    ? null
                    : Objects.requireNonNull(data.byCustomer.get(customerId))
                            .get(at)
                            .entry();
        }
    }

    @Override
    public List<JournalEntry> besideKey(String customerId, String idempotencyKey) {
        synchronized (data) {
            ensureOpen();
            Integer at = data.keyPositions.getOrDefault(customerId, Map.of()).get(idempotencyKey);
            if (at == null) {
                return List.of();
            }
            List<Row> own = Objects.requireNonNull(data.byCustomer.get(customerId));
            List<JournalEntry> near = new ArrayList<>(2);
            if (at > 0) {
                near.add(own.get(at - 1).entry());
            }
            if (at + 1 < own.size()) {
                near.add(own.get(at + 1).entry());
            }
            return near;
        }
    }

    /** The customer's rows in append order, a copy. */
    private List<Row> own(String customerId) {
        synchronized (data) {
            ensureOpen();
            return List.copyOf(data.byCustomer.getOrDefault(customerId, List.of()));
        }
    }

    @Override
    public CredentialStore credentials() {
        return credentials;
    }

    @Override
    public boolean ping() {
        return !closed;
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreException("the store is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
