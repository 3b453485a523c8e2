package dev.tollgate.testkit.memory;

import dev.tollgate.core.billing.ExportItem;
import dev.tollgate.core.billing.OutboxEntry;
import dev.tollgate.core.billing.OutboxEntry.Status;
import dev.tollgate.core.store.ExportOutbox;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ExportOutbox} of a {@link MemoryStore}: the items and settings in maps, every call under one lock, so
 * that two claims never hand out the same item, as the SQL stores' row locks ensure.
 *
 * <p>Thread-safe.
 */
final class MemoryOutbox implements ExportOutbox {
    /** An item with its state and its claim. */
    private record Held(
            OutboxEntry entry,
            @Nullable String claimer,
            @Nullable Instant claimedUntil) {}

    private final TreeMap<String, Held> items = new TreeMap<>();
    private final Map<String, String> settings = new HashMap<>();

    @Override
    public synchronized int enqueue(List<ExportItem> add, Instant now) {
        int added = 0;
        for (ExportItem item : add) {
            if (!items.containsKey(item.id())) {
                items.put(
                        item.id(),
                        new Held(new OutboxEntry(item, Status.PENDING, 0, now, null, null, now, null), null, null));
                added++;
            }
        }
        return added;
    }

    @Override
    public synchronized List<OutboxEntry> claim(String claimer, Instant now, Duration lease, int max) {
        List<Held> due = new ArrayList<>();
        for (Held h : items.values()) {
            boolean free = h.claimedUntil() == null || !h.claimedUntil().isAfter(now);
            if (h.entry().status() == Status.PENDING
                    && !h.entry().nextAttemptAt().isAfter(now)
                    && free) {
                due.add(h);
            }
        }
        due.sort(Comparator.comparing((Held h) -> h.entry().nextAttemptAt())
                .thenComparing(h -> h.entry().item().id()));
        List<OutboxEntry> out = new ArrayList<>();
        for (Held h : due.subList(0, Math.min(max, due.size()))) {
            items.put(h.entry().item().id(), new Held(h.entry(), claimer, now.plus(lease)));
            out.add(h.entry());
        }
        return out;
    }

    @Override
    public synchronized boolean settle(
            String id,
            String claimer,
            Status status,
            Instant at,
            Instant nextAttemptAt,
            @Nullable String result,
            @Nullable String error) {
        Held h = items.get(id);
        if (h == null || !claimer.equals(h.claimer())) {
            return false;
        }
        OutboxEntry e = h.entry();
        boolean retry = status == Status.PENDING;
        items.put(
                id,
                new Held(
                        new OutboxEntry(
                                e.item(),
                                status,
                                retry ? e.attempts() + 1 : e.attempts(),
                                retry ? nextAttemptAt : e.nextAttemptAt(),
                                error,
                                result,
                                e.createdAt(),
                                retry ? null : at),
                        null,
                        null));
        return true;
    }

    @Override
    public synchronized List<OutboxEntry> entries(@Nullable Status status, @Nullable String afterId, int limit) {
        List<OutboxEntry> out = new ArrayList<>();
        for (Held h : (afterId == null ? items : items.tailMap(afterId, false)).values()) {
            if (out.size() == limit) {
                break;
            }
            if (status == null || h.entry().status() == status) {
                out.add(h.entry());
            }
        }
        return out;
    }

    @Override
    public synchronized @Nullable String setting(String key) {
        return settings.get(key);
    }

    @Override
    public synchronized String putSetting(String key, String value, boolean onlyIfAbsent) {
        if (onlyIfAbsent) {
            return settings.computeIfAbsent(key, k -> value);
        }
        settings.put(key, value);
        return value;
    }
}
