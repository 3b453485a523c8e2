package dev.tollgate.core.engine.internal;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.api.CatalogVersionInfo;
import dev.tollgate.core.api.Delivery;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogDefinition;
import dev.tollgate.core.catalog.CatalogOrigin;
import dev.tollgate.core.catalog.CatalogReader;
import dev.tollgate.core.commit.GroupCommitJournal;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;

/**
 * The command context every capability of the {@link Engine} works over: the customers' states, the current catalog
 * and its history, the webhooks and the outbox, and the commit plumbing (apply to memory, enqueue to the
 * {@link GroupCommitJournal}, idempotency look-ups).
 *
 * <p>Concurrency: a customer's state is read and written only inside its section (its monitor). The catalog is
 * published under {@link #catalogLock} and swapped under {@link #catalogGate}'s write side; writes that make a customer
 * use something of the catalog run under its read side ({@link #readingCatalog}). Check, consume and events never take
 * the gate.
 *
 * <p>Time: read only from the injected {@link InstantSource} ({@link #now}).
 */
public final class EngineContext {
    /**
     * Marks records applied before their journal future exists; {@link #enqueue} replaces it for every key of the
     * batch before the customer's section is released.
     */
    static final CompletableFuture<Void> PLACEHOLDER = new CompletableFuture<>();

    static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /** How far in the future a reported event's timestamp may lie (clock skew between hosts). */
    public static final Duration MAX_EVENT_SKEW = Duration.ofMinutes(5);

    /** The reserved customer id under which webhook settings and deliveries are journaled. */
    public static final String SYSTEM = "_system";

    /** The longest a session can live, heartbeats included, unless the request says less. */
    public static final Duration MAX_SESSION_LIFETIME = Duration.ofHours(24);
    /** The key under which an in-doubt catalog commit is remembered in {@link #inDoubt}. */
    static final String CATALOG = "\u0000catalog";

    public final Store store;

    /** Whether this engine holds every customer (a single server), not only those it owns (a node of a cluster). */
    final boolean everyCustomer;

    final InstantSource clock;
    public final GroupCommitJournal journal;
    final ConcurrentHashMap<String, CustomerState> customers = new ConcurrentHashMap<>();

    final Object catalogLock = new Object();
    /**
     * The catalog gate. Writes that make a customer use something of the catalog (subscribe, promote, grant, budgets,
     * sessions, auto-recharge) read the catalog and commit under its read side; publishing checks {@code
     * CATALOG_IN_USE} and swaps the catalog under its write side, so no such write can read the catalog before the
     * check and commit after it. Check, consume and events never take it.
     */
    final ReentrantReadWriteLock catalogGate = new ReentrantReadWriteLock();
    /** Test seam: runs in a subscribe once it has read the catalog, before the customer's section. */
    public volatile @Nullable Runnable afterCatalogRead;

    final List<CatalogVersionInfo> catalogHistory = new CopyOnWriteArrayList<>();
    /** Every published catalog by version, for rollback and diffs. */
    final Map<Integer, Catalog> catalogVersions = new ConcurrentHashMap<>();

    volatile Catalog catalog = Catalog.empty();
    /** The last catalog whose record is durable; the journal's follow-up thread only. */
    Catalog durableCatalog = Catalog.empty();
    /** Customers (and, as {@link #CATALOG}, the catalog) whose last commit is in doubt. */
    final Set<String> inDoubt = ConcurrentHashMap.newKeySet();
    /** Catalogs published but not yet durable, by version. */
    final Map<Integer, Catalog> publishedCatalogs = new ConcurrentHashMap<>();
    /** Webhooks by id, readable from any customer's section. */
    final Map<String, Webhook> webhookIndex = new ConcurrentHashMap<>();
    /** Deliveries not yet made, by {@code alertId + ' ' + webhookId}. */
    final Map<String, Delivery> outbox = new ConcurrentHashMap<>();

    /**
     * Loads the catalog and, if {@code everyCustomer}, every customer's records from the store, rebuilds the outbox and
     * starts the journal.
     *
     * @param everyCustomer {@code false} for a node of a cluster, which loads customers one by one as it takes them
     *     ({@link #adopt})
     */
    public EngineContext(
            Store store, InstantSource clock, GroupCommitJournal.@Nullable Listener observer, boolean everyCustomer) {
        this.store = store;
        this.clock = clock;
        this.everyCustomer = everyCustomer;
        if (everyCustomer) {
            load();
            loadOutbox();
        } else {
            followCatalog();
            followWebhooks();
        }
        this.journal = new GroupCommitJournal(store, new JournalEvents(this, observer));
    }

    /** The time now, from the injected clock. */
    public Instant now() {
        return clock.instant();
    }

    void load() {
        store.replay(entry -> {
            if (entry instanceof JournalEntry.CatalogPublished c) {
                replayCatalog(c);
            } else {
                CustomerState state =
                        customers.computeIfAbsent(Objects.requireNonNull(entry.customerId()), CustomerState::new);
                state.apply(entry, DONE);
                Objects.requireNonNull(state.durable).apply(entry, DONE);
            }
        });
        durableCatalog = catalog;
    }

    /**
     * Loads a customer's records from the store into a fresh state, replacing whatever memory held of it: a node of a
     * cluster that has just taken the customer over. Its alerts without a delivery go to the outbox.
     *
     * @throws StoreException if the store cannot be read; memory is then unchanged
     */
    public void adopt(String customerId) {
        List<JournalEntry> stored = store.entries(customerId);
        CustomerState state = new CustomerState(customerId);
        for (JournalEntry e : stored) {
            state.apply(e, DONE);
            Objects.requireNonNull(state.durable).apply(e, DONE);
        }
        CustomerState before = customers.put(customerId, state);
        if (before != null) {
            synchronized (before) {
                before.dropped = true;
            }
        }
        if (customerId.equals(SYSTEM)) {
            followCatalog(); // the catalog's owner publishes the next version: it must know the last one
            webhookIndex.clear();
            webhookIndex.putAll(state.webhooks);
        } else {
            synchronized (state) {
                pendingDeliveries(state, customers.get(SYSTEM));
            }
        }
    }

    /**
     * Forgets a customer this node gives up: commands that have not yet applied to it are refused ({@code NOT_OWNER}),
     * those already enqueued go on to commit (or to be fenced by the store).
     *
     * @return completes (normally, whatever the outcome of the commits) once every command enqueued for the customer
     *     has been committed or failed
     */
    public CompletableFuture<Void> drop(String customerId) {
        CustomerState state = customers.remove(customerId);
        if (state == null) {
            return DONE;
        }
        CompletableFuture<Void> last;
        synchronized (state) {
            state.dropped = true;
            last = state.lastCommit;
        }
        outbox.values().removeIf(d -> d.alert().customerId().equals(customerId));
        return last.handle((v, e) -> null);
    }

    /**
     * Publishes in memory the catalog versions another node of a cluster has stored since the last one this node knows.
     *
     * @return whether a newer version was found
     * @throws StoreException if the store cannot be read
     */
    public boolean followCatalog() {
        List<JournalEntry> stored = store.catalogEntries();
        catalogGate.writeLock().lock();
        try {
            synchronized (catalogLock) {
                if (!publishedCatalogs.isEmpty()) {
                    return false; // this node publishes (it owns the catalog); its own journal keeps it current
                }
                int known = durableCatalog.version();
                boolean changed = false;
                for (JournalEntry e : stored) {
                    if (e instanceof JournalEntry.CatalogPublished c && c.version() > known) {
                        replayCatalog(c);
                        changed = true;
                    }
                }
                durableCatalog = catalog;
                return changed;
            }
        } finally {
            catalogGate.writeLock().unlock();
        }
    }

    void replayCatalog(JournalEntry.CatalogPublished c) {
        CatalogDefinition definition = CatalogReader.read(c.document());
        catalog = catalog.publish(definition, c.document(), c.at(), c.author());
        recordHistory(catalog, c.origin());
    }

    void recordHistory(Catalog published, @Nullable CatalogOrigin origin) {
        catalogHistory.add(new CatalogVersionInfo(
                published.version(), published.publishedAt(), published.author(), published.summary(), origin));
        catalogVersions.put(published.version(), published);
    }

    /** Runs a write that may make a customer use something of the catalog under the catalog gate's read side. */
    <T> T readingCatalog(java.util.function.Supplier<T> write) {
        catalogGate.readLock().lock();
        try {
            return write.get();
        } finally {
            catalogGate.readLock().unlock();
        }
    }

    CompletableFuture<Void> commit(CustomerState state, List<JournalEntry> entries) {
        requireAvailable();
        requireOwned(state);
        for (JournalEntry e : entries) {
            state.apply(e, PLACEHOLDER);
        }
        return enqueue(state, entries);
    }

    /** Enqueues records already applied to {@code state}; call inside the customer's section. */
    CompletableFuture<Void> enqueue(CustomerState state, List<JournalEntry> applied) {
        requireOwned(state);
        List<JournalEntry> entries = applied;
        List<Alert> raised = state.id.equals(SYSTEM)
                ? List.of()
                : AlertRules.due(state, catalog, applied, clock.instant(), webhookIndex.values());
        if (!raised.isEmpty()) {
            entries = new ArrayList<>(applied);
            for (Alert a : raised) {
                JournalEntry r = new JournalEntry.AlertRaised(state.id, a.at(), null, a);
                state.apply(r, PLACEHOLDER);
                entries.add(r);
            }
        }
        int epoch = state.epoch;
        CompletableFuture<Void> appended =
                journal.append(entries, counters(state, entries), () -> state.epoch == epoch);
        // the caller hears of the commit only once its alerts are in the outbox
        CompletableFuture<Void> durable =
                raised.isEmpty() ? appended : appended.thenRun(() -> raised.forEach(this::toOutbox));
        for (JournalEntry e : entries) {
            if (e.idempotencyKey() != null) {
                state.keys.settle(e.idempotencyKey(), PLACEHOLDER, durable);
            }
        }
        state.lastCommit = durable;
        return durable;
    }

    /**
     * Refuses a change to a customer this node has given up ({@link #drop}); call inside the customer's section.
     *
     * @throws TollgateException {@code NOT_OWNER}
     */
    static void requireOwned(CustomerState state) {
        if (state.dropped) {
            throw notOwner(state.id);
        }
    }

    /** The value, after {@code entries} were applied, of every counter they changed: the derived state to store. */
    static List<CounterValue> counters(CustomerState state, List<JournalEntry> entries) {
        Map<CounterValue.Key, CounterValue> changed = new LinkedHashMap<>();
        for (JournalEntry e : entries) {
            if (e instanceof JournalEntry.UsageRecorded u) {
                CounterValue c = state.counter(u.feature(), u.windowStart());
                changed.put(c.key(), c);
            } else if (e instanceof JournalEntry.SubscriptionSet s) {
                s.resets().forEach((feature, start) -> {
                    CounterValue c = state.counter(feature, start);
                    changed.put(c.key(), c);
                });
            }
        }
        return changed.isEmpty() ? List.of() : List.copyOf(changed.values());
    }

    /**
     * Fails a write fast while the store is down.
     *
     * @throws TollgateException {@code STORE_UNAVAILABLE}
     */
    void requireAvailable() {
        if (!journal.available()) {
            throw new TollgateException(
                    TollgateException.Kind.UNAVAILABLE,
                    "STORE_UNAVAILABLE",
                    "the store is unavailable; writes resume by themselves when it answers again",
                    null);
        }
    }

    /**
     * The first record of an idempotency key of {@code state}'s customer, or {@code null} if the key is new. A key
     * older than the recent ones is read from the store: I/O inside the customer's section, but only for a replay of
     * an old key (or a fingerprint collision), never on the path of a new key.
     *
     * @throws StoreException if the store cannot be read
     */
    IdempotencyKeys.@Nullable KeyRecord prior(CustomerState state, String key) {
        IdempotencyKeys.KeyRecord recent = state.keys.recent(key);
        if (recent != null || !state.keys.mayHave(key)) {
            return recent;
        }
        JournalEntry stored = store.entry(state.id, key);
        return stored == null ? null : new IdempotencyKeys.KeyRecord(stored, DONE);
    }

    /**
     * The first records of those of {@code keys} that {@code state}'s customer used, as {@link #prior} answers each,
     * but with one read of the store for all the keys older than the recent ones instead of one read each: for a batch
     * that may repeat thousands of keys at once (a resent batch of events). Taken before the batch changes anything, so
     * that a record the batch's own writes push out of the recent ones needs no read of its own.
     *
     * @throws StoreException if the store cannot be read
     */
    Map<String, IdempotencyKeys.KeyRecord> priors(CustomerState state, Collection<String> keys) {
        Map<String, IdempotencyKeys.KeyRecord> found = new HashMap<>();
        Set<String> older = new LinkedHashSet<>();
        for (String key : keys) {
            IdempotencyKeys.KeyRecord recent = state.keys.recent(key);
            if (recent != null) {
                found.put(key, recent);
            } else if (state.keys.mayHave(key)) {
                older.add(key);
            }
        }
        if (!older.isEmpty()) {
            store.entriesByKey(state.id, older)
                    .forEach((key, e) -> found.put(key, new IdempotencyKeys.KeyRecord(e, DONE)));
        }
        return found;
    }

    /**
     * The charge of a consumption: from memory if it is among the last charges held, else from the store if the key
     * may have been used at all (never read for a key the customer never sent).
     */
    JournalEntry.@Nullable CreditsMoved charged(CustomerState state, String consumptionKey) {
        JournalEntry.CreditsMoved recent = state.charges.get(consumptionKey);
        if (recent != null || !state.keys.mayHave(consumptionKey)) {
            return recent;
        }
        return store.charge(state.id, consumptionKey);
    }

    /**
     * The replay of a repeated key: empty if the key is new (or {@code null}), else the first answer once durable.
     *
     * @param use what this request uses the key for
     * @throws TollgateException {@code IDEMPOTENCY_KEY_REUSED} if the key was used for another request
     */
    <T> Optional<CompletableFuture<Outcome<T>>> replayed(
            CustomerState state,
            @Nullable String key,
            KeyUse.Use use,
            java.util.function.Function<JournalEntry, T> answer) {
        if (key == null) {
            return Optional.empty();
        }
        IdempotencyKeys.KeyRecord prior = prior(state, key);
        if (prior == null) {
            return Optional.empty();
        }
        KeyUse.requireSame(prior.entry(), use.kind(), use.print(), use.legacy());
        return Optional.of(prior.durable().thenApply(v -> new Outcome<>(answer.apply(prior.entry()), true)));
    }

    /**
     * The state of a customer a request names, or {@code null} if there is none. On a node of a cluster, memory holds
     * exactly the customers the node holds, and one absent was given up between the router's look and now (a move, a
     * lapsed lease): the request is refused as {@code NOT_OWNER} (retry: its owner answers), never answered {@code
     * CUSTOMER_NOT_FOUND} for a customer that may well exist, which only its owner can tell.
     *
     * @throws TollgateException {@code NOT_OWNER} on a node that does not hold the customer
     */
    @Nullable
    CustomerState served(String customerId) {
        CustomerState state = customers.get(customerId);
        if (state == null && !everyCustomer) {
            throw notOwner(customerId);
        }
        return state;
    }

    /**
     * The state of a customer a request may create: a server alone makes it if it is new; a node of a cluster has it
     * already (taking a customer loads it, new or not), else refuses as {@link #served} does.
     *
     * @throws TollgateException {@code NOT_OWNER} on a node that does not hold the customer
     */
    CustomerState servedOrNew(String customerId) {
        return everyCustomer
                ? customers.computeIfAbsent(customerId, CustomerState::new)
                : Objects.requireNonNull(served(customerId));
    }

    private static TollgateException notOwner(String customerId) {
        return new TollgateException(
                TollgateException.Kind.UNAVAILABLE,
                "NOT_OWNER",
                "customer '" + customerId + "' has moved to another server; retry",
                null);
    }

    CustomerState existing(String customerId) {
        CustomerState state = served(customerId);
        if (state == null || !state.exists) {
            throw TollgateException.notFound("CUSTOMER_NOT_FOUND", "no customer '" + customerId + "'", "customerId");
        }
        return state;
    }

    void toOutbox(Alert a) {
        for (String id : a.webhooks()) {
            Webhook w = webhookIndex.get(id);
            if (w != null) {
                outbox.putIfAbsent(a.id() + ' ' + id, new Delivery(a, w));
            }
        }
    }

    /** Rebuilds the outbox after start-up: every alert's webhooks without a delivery record. */
    void loadOutbox() {
        CustomerState system = customers.get(SYSTEM);
        if (system == null) {
            return;
        }
        webhookIndex.putAll(system.webhooks);
        for (CustomerState state : customers.values()) {
            pendingDeliveries(state, system);
        }
    }

    /**
     * Puts in the outbox the deliveries of {@code state}'s alerts that neither it nor {@code system} (where deliveries
     * were recorded before they were recorded under their customer) has a record of.
     */
    void pendingDeliveries(CustomerState state, @Nullable CustomerState system) {
        for (Alert a : state.alerts) {
            for (String id : a.webhooks()) {
                String key = a.id() + ' ' + id;
                Webhook w = webhookIndex.get(id);
                Instant removed = system == null ? null : system.webhooksRemoved.get(id);
                if (w != null
                        && !state.delivered.contains(key)
                        && (system == null || !system.delivered.contains(key))
                        && (removed == null || a.at().isAfter(removed))) {
                    outbox.put(key, new Delivery(a, w));
                }
            }
        }
    }

    /**
     * Reads the webhooks from the store, for a node of a cluster that does not own {@link #SYSTEM} (the node that owns
     * it keeps them current as it writes them).
     *
     * @throws StoreException if the store cannot be read
     */
    public void followWebhooks() {
        CustomerState system = new CustomerState(SYSTEM);
        store.entries(SYSTEM).forEach(e -> system.apply(e, DONE));
        webhookIndex.keySet().retainAll(system.webhooks.keySet());
        webhookIndex.putAll(system.webhooks);
    }
}
