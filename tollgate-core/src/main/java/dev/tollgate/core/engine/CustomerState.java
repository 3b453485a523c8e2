package dev.tollgate.core.engine;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.entitlement.EntitlementResolver;
import dev.tollgate.core.entitlement.Resolution;
import dev.tollgate.core.journal.JournalEntry;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One customer's live state: the fold of its journal entries.
 *
 * <p>Replay: {@link #apply} is the only way state changes, both for live commands (after the engine decided) and at
 * start-up (reading the store), so a replay rebuilds exactly what the live path built.
 *
 * <p>Concurrency: not thread-safe by itself; the engine guards each instance with its own monitor (the customer's
 * exclusive section) and never holds it across I/O. {@link #epoch} is written by the journal writer thread only, after
 * a failed commit, and read by it before each commit.
 */
final class CustomerState {
    /** One usage counter: a feature in one window. */
    static final class Counter {
        BigDecimal used = BigDecimal.ZERO;
        BigDecimal overage = BigDecimal.ZERO;
    }

    /** An idempotency key's first record and when it became durable. */
    record KeyRecord(JournalEntry entry, CompletableFuture<Void> durable) {}

    final String id;
    volatile int epoch;
    /** Set when a rebuild from the store failed; the state must be rebuilt before it answers again. */
    boolean stale;

    boolean exists;

    @Nullable
    String name;

    Map<String, Object> metadata = Map.of();

    @Nullable
    String timeZone;

    ZoneId zone = ZoneOffset.UTC;
    Instant createdAt = Instant.EPOCH;

    @Nullable
    Subscription subscription;

    final List<Promotion> promotions = new ArrayList<>();
    final Map<String, NavigableMap<Instant, Counter>> usage = new HashMap<>();
    final Map<String, KeyRecord> keys = new HashMap<>();
    private @Nullable Resolution resolution;
    private int resolutionCatalog = -1;

    CustomerState(String id) {
        this.id = id;
    }

    /** Forgets everything, before a rebuild from the store. */
    void clear() {
        exists = false;
        name = null;
        metadata = Map.of();
        timeZone = null;
        zone = ZoneOffset.UTC;
        createdAt = Instant.EPOCH;
        subscription = null;
        promotions.clear();
        usage.clear();
        keys.clear();
        resolution = null;
    }

    /**
     * Applies one record.
     *
     * @param entry a record of this customer
     * @param durable completes when the record is durable (already complete during replay)
     */
    void apply(JournalEntry entry, CompletableFuture<Void> durable) {
        if (entry.idempotencyKey() != null) {
            keys.putIfAbsent(entry.idempotencyKey(), new KeyRecord(entry, durable));
        }
        if (entry instanceof JournalEntry.CustomerUpserted e) {
            if (!exists) {
                exists = true;
                createdAt = e.at();
            }
            name = e.name();
            metadata = e.metadata();
            timeZone = e.timeZone();
            zone = e.timeZone() == null ? ZoneOffset.UTC : ZoneId.of(e.timeZone());
            resolution = null;
        } else if (entry instanceof JournalEntry.SubscriptionSet e) {
            subscription = e.subscription();
            e.resets().forEach((feature, windowStart) -> {
                NavigableMap<Instant, Counter> counters = usage.get(feature);
                if (counters != null) {
                    counters.remove(windowStart);
                }
            });
            resolution = null;
        } else if (entry instanceof JournalEntry.SubscriptionCancelled e) {
            if (subscription != null) {
                subscription = subscription.cancelledAt(e.endsAt());
            }
            resolution = null;
        } else if (entry instanceof JournalEntry.PromotionGranted e) {
            promotions.add(e.promotion());
            resolution = null;
        } else if (entry instanceof JournalEntry.UsageRecorded e) {
            Counter c = usage.computeIfAbsent(e.feature(), f -> new TreeMap<>())
                    .computeIfAbsent(e.windowStart(), w -> new Counter());
            c.used = Decimals.normalize(c.used.add(e.quantity()));
            c.overage = Decimals.normalize(c.overage.add(e.overage()));
        }
    }

    /** The instant anchored windows count from: the subscription start, or the customer's creation. */
    Instant anchor() {
        return subscription != null ? subscription.startAt() : createdAt;
    }

    /** Usage recorded for a feature in the window starting at {@code windowStart}. */
    BigDecimal used(String feature, Instant windowStart) {
        NavigableMap<Instant, Counter> counters = usage.get(feature);
        Counter c = counters == null ? null : counters.get(windowStart);
        return c == null ? BigDecimal.ZERO : c.used;
    }

    /** The effective entitlements at {@code t}, cached until a source or the catalog changes. */
    Resolution resolve(Catalog catalog, Instant t) {
        Resolution r = resolution;
        if (r == null || resolutionCatalog != catalog.version() || !r.validAt(t)) {
            r = EntitlementResolver.resolve(catalog, subscription, List.copyOf(promotions), t);
            resolution = r;
            resolutionCatalog = catalog.version();
        }
        return r;
    }

    CustomerView view(Instant now) {
        return new CustomerView(
                id,
                name,
                metadata,
                timeZone,
                createdAt,
                subscription,
                subscription == null ? "none" : subscription.statusAt(now),
                List.copyOf(promotions));
    }
}
