package dev.tollgate.core.engine;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.Limits;
import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.budget.BudgetWalk;
import dev.tollgate.core.budget.Scope;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogDefinition;
import dev.tollgate.core.catalog.CatalogDiff;
import dev.tollgate.core.catalog.CatalogInUse;
import dev.tollgate.core.catalog.CatalogInUseException;
import dev.tollgate.core.catalog.CatalogOrigin;
import dev.tollgate.core.catalog.CatalogReader;
import dev.tollgate.core.catalog.Currency;
import dev.tollgate.core.catalog.Entitlement;
import dev.tollgate.core.catalog.Feature;
import dev.tollgate.core.catalog.FeatureType;
import dev.tollgate.core.catalog.PlanChangeReset;
import dev.tollgate.core.catalog.PlanVersion;
import dev.tollgate.core.catalog.RateCard;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.credit.BurnOrder;
import dev.tollgate.core.credit.CreditAccount;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.credit.Housekeeping;
import dev.tollgate.core.credit.LedgerChange;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.credit.Pricing;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.PlanRef;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.customer.Trial;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.entitlement.EntitlementResolver;
import dev.tollgate.core.entitlement.Resolution;
import dev.tollgate.core.journal.GroupCommitJournal;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.UsageSource;
import dev.tollgate.core.json.Json;
import dev.tollgate.core.period.Periods;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.period.Window;
import dev.tollgate.core.session.Session;
import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import dev.tollgate.core.store.UsageRow;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;

/**
 * Applies commands to per-customer state and makes their records durable.
 *
 * <p>Concurrency: every customer has an exclusive section (its state's monitor). A write runs entirely inside it:
 * validate, decide, build records, {@link CustomerState#apply apply} them to memory, enqueue them to the {@link
 * GroupCommitJournal}. No I/O happens inside, with one exception: a replay of an idempotency key older than the
 * recent ones reads that key's record from the store ({@code prior}). The caller's future completes once the journal
 * has committed the batch that holds its records. A check takes the same section briefly and reads memory only. Two
 * commands of one customer therefore never interleave, and a hard limit is never exceeded under any number of
 * concurrent callers, while writes of many customers (and many writes of one) still share each fsync.
 *
 * <p>Visibility: a write's effects are visible to other callers once applied, before they are durable (as in any
 * group-commit database); its own caller is answered only after it is durable. A repeated idempotency key is answered
 * only once the first write is durable too. If a commit fails, the affected customers are restored from their durable
 * shadows (no store read, so checks keep answering while the store is down) and every command applied on top of the
 * lost state is failed, so nothing half-applied stays visible. Writes then fail fast with {@code STORE_UNAVAILABLE}
 * until the store answers again; before they resume, the customers whose commit was in doubt are re-read from the
 * store, which is the authority on whether a lost connection's commit happened.
 *
 * <p>Time: the engine reads time only from the injected {@link InstantSource}.
 *
 * <p>Thread-safe.
 */
public final class Engine implements AutoCloseable {
    /** How far in the future a reported event's timestamp may lie (clock skew between hosts). */
    public static final Duration MAX_EVENT_SKEW = Duration.ofMinutes(5);

    private final Store store;
    private final InstantSource clock;
    private final GroupCommitJournal journal;
    private final ConcurrentHashMap<String, CustomerState> customers = new ConcurrentHashMap<>();
    private final Object catalogLock = new Object();
    /**
     * The catalog gate. Writes that make a customer use something of the catalog (subscribe, promote, grant, budgets,
     * sessions, auto-recharge) read the catalog and commit under its read side; publishing checks {@code
     * CATALOG_IN_USE} and swaps the catalog under its write side, so no such write can read the catalog before the
     * check and commit after it. Check, consume and events never take it.
     */
    private final ReentrantReadWriteLock catalogGate = new ReentrantReadWriteLock();
    /** Test seam: runs in {@link #subscribe} once it has read the catalog, before the customer's section. */
    volatile @Nullable Runnable afterCatalogRead;

    private final List<CatalogVersionInfo> catalogHistory = new CopyOnWriteArrayList<>();
    /** Every published catalog by version, for rollback and diffs. */
    private final Map<Integer, Catalog> catalogVersions = new ConcurrentHashMap<>();

    private final GroupCommitJournal.@Nullable Listener observer;
    private volatile Catalog catalog = Catalog.empty();
    /** The last catalog whose record is durable; the journal's follow-up thread only. */
    private Catalog durableCatalog = Catalog.empty();
    /** Customers (and, as {@link #CATALOG}, the catalog) whose last commit is in doubt. */
    private final Set<String> inDoubt = ConcurrentHashMap.newKeySet();
    /** Catalogs published but not yet durable, by version. */
    private final Map<Integer, Catalog> publishedCatalogs = new ConcurrentHashMap<>();
    /** Webhooks by id, readable from any customer's section. */
    private final Map<String, Webhook> webhookIndex = new ConcurrentHashMap<>();
    /** Deliveries not yet made, by {@code alertId + ' ' + webhookId}. */
    private final Map<String, Delivery> outbox = new ConcurrentHashMap<>();

    private static final String CATALOG = "\u0000catalog";
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private Engine(Store store, InstantSource clock, GroupCommitJournal.@Nullable Listener observer) {
        this.store = store;
        this.clock = clock;
        this.observer = observer;
        load();
        loadOutbox();
        this.journal = new GroupCommitJournal(store, new JournalEvents());
    }

    /**
     * Loads every record from the store and starts the journal.
     *
     * @param store the store; the engine does not close it
     * @param clock the only source of time
     * @param observer sees every commit and failure (metrics), or {@code null}
     * @return a running engine
     * @throws StoreException if the store cannot be read
     */
    public static Engine start(Store store, InstantSource clock, GroupCommitJournal.@Nullable Listener observer) {
        return new Engine(store, clock, observer);
    }

    private void load() {
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

    private void replayCatalog(JournalEntry.CatalogPublished c) {
        CatalogDefinition definition = CatalogReader.read(c.document());
        catalog = catalog.publish(definition, c.document(), c.at(), c.author());
        recordHistory(catalog, c.origin());
    }

    private void recordHistory(Catalog published, @Nullable CatalogOrigin origin) {
        catalogHistory.add(new CatalogVersionInfo(
                published.version(), published.publishedAt(), published.author(), published.summary(), origin));
        catalogVersions.put(published.version(), published);
    }

    // ---- catalog ----

    /** The current catalog. */
    public Catalog catalog() {
        return catalog;
    }

    /** Every published catalog version, oldest first. */
    public List<CatalogVersionInfo> catalogVersions() {
        return List.copyOf(catalogHistory);
    }

    /**
     * What changed from the version before to this one.
     *
     * @param version a published catalog version; version 1 is compared with the empty catalog
     * @return the difference
     * @throws TollgateException {@code CATALOG_VERSION_NOT_FOUND} if there is no such version
     */
    public CatalogDiff catalogDiff(int version) {
        Catalog after = catalogVersions.get(version);
        if (after == null) {
            throw TollgateException.notFound("CATALOG_VERSION_NOT_FOUND", "no catalog version " + version, "version");
        }
        Catalog before = version == 1 ? Catalog.empty() : catalogVersions.get(version - 1);
        return CatalogDiff.between(Objects.requireNonNull(before), after);
    }

    /**
     * Validates and publishes a catalog document. Publishing a document equal to the current one changes nothing and
     * answers the current catalog.
     *
     * @param document the document in the JSON tree model
     * @param author who publishes it
     * @return completes with the published catalog once durable
     * @throws dev.tollgate.core.catalog.CatalogException listing every problem, if the document is invalid
     * @throws CatalogInUseException if it removes a plan, add-on, feature or currency customers still use
     */
    public CompletableFuture<Catalog> publishCatalog(@Nullable Object document, String author) {
        synchronized (catalogLock) {
            Catalog current = catalog;
            if (current.version() > 0 && Json.write(document).equals(Json.write(current.document()))) {
                return CompletableFuture.completedFuture(current);
            }
            CatalogDefinition definition = CatalogReader.read(document);
            return publish(current, definition, document, author, null);
        }
    }

    /**
     * Applies a catalog read from a start-up file, unless the file has not changed since it was last applied: then a
     * version published since (through the API) stays current. A file applied for the first time, or changed, is
     * published as a new version even when its content equals the current catalog, so that the journal records that
     * the content now comes from the file ({@link CatalogOrigin}).
     *
     * @param document the file's document in the JSON tree model
     * @param file the file's name; a file is known by its name
     * @return completes once durable with what became of the file and which version is current
     * @throws dev.tollgate.core.catalog.CatalogException listing every problem, if the document is invalid
     * @throws CatalogInUseException if it removes what customers still use
     */
    public CompletableFuture<CatalogFileOutcome> publishCatalogFile(@Nullable Object document, String file) {
        CatalogOrigin origin = CatalogOrigin.ofFile(file, document);
        synchronized (catalogLock) {
            Catalog current = catalog;
            CatalogVersionInfo last = null;
            for (CatalogVersionInfo v : catalogHistory) {
                if (v.origin() != null && v.origin().file().equals(file)) {
                    last = v;
                }
            }
            Integer lastFromFile = last == null ? null : last.version();
            if (last != null && origin.equals(last.origin())) {
                return CompletableFuture.completedFuture(new CatalogFileOutcome(current, false, lastFromFile, file));
            }
            CatalogDefinition definition = CatalogReader.read(document);
            return publish(current, definition, document, origin.author(), origin)
                    .thenApply(c -> new CatalogFileOutcome(c, true, lastFromFile, file));
        }
    }

    private CompletableFuture<Catalog> publish(
            Catalog current,
            CatalogDefinition definition,
            @Nullable Object document,
            String author,
            @Nullable CatalogOrigin origin) {
        requireAvailable();
        Instant now = clock.instant();
        Catalog next = current.publish(definition, document, now, author);
        catalogGate.writeLock().lock();
        try {
            requireNotInUse(definition);
            catalog = next;
        } finally {
            catalogGate.writeLock().unlock();
        }
        recordHistory(next, origin);
        publishedCatalogs.put(next.version(), next);
        JournalEntry entry = new JournalEntry.CatalogPublished(next.version(), now, author, document, origin);
        return journal.append(List.of(entry), List.of(), () -> true).thenApply(v -> next);
    }

    /** Runs a write that may make a customer use something of the catalog under the catalog gate's read side. */
    private <T> T readingCatalog(java.util.function.Supplier<T> write) {
        catalogGate.readLock().lock();
        try {
            return write.get();
        } finally {
            catalogGate.readLock().unlock();
        }
    }

    /**
     * Refuses a catalog that removes a plan, add-on, feature or currency a customer still uses ({@link CatalogUses}).
     * Reads every customer's state, each in its own section.
     *
     * @throws CatalogInUseException naming what is in use and by whom
     */
    private void requireNotInUse(CatalogDefinition next) {
        CatalogInUse check = new CatalogInUse(next);
        Catalog current = catalog;
        Instant now = clock.instant();
        for (CustomerState state : customers.values()) {
            synchronized (state) {
                if (state.exists) {
                    check.add(state.id, CatalogUses.of(state, current, now));
                }
            }
        }
        check.check();
    }

    /**
     * Makes an earlier catalog version current again, as a new version.
     *
     * @param version the version to restore
     * @param author who rolls back
     * @return completes with the new catalog once durable
     * @throws TollgateException {@code CATALOG_VERSION_NOT_FOUND} if there is no such version
     * @throws CatalogInUseException if that version lacks a plan, add-on, feature or currency customers now use
     */
    public CompletableFuture<Catalog> rollbackCatalog(int version, String author) {
        Catalog restored = catalogVersions.get(version);
        if (restored == null) {
            throw TollgateException.notFound("CATALOG_VERSION_NOT_FOUND", "no catalog version " + version, "version");
        }
        Object document = restored.document() == null ? Map.of() : restored.document();
        synchronized (catalogLock) {
            Catalog current = catalog;
            CatalogDefinition definition = CatalogReader.read(document);
            return publish(current, definition, document, author, null);
        }
    }

    // ---- customers ----

    /**
     * Creates a customer or updates its profile.
     *
     * @param customerId the id
     * @param update the profile
     * @param idempotencyKey the caller's key, or {@code null}; repeating it with the same profile answers the
     *     customer as it stands and changes nothing
     * @return completes with the customer once durable
     * @throws TollgateException {@code INVALID_TIME_ZONE} for an unknown zone, {@code IDEMPOTENCY_KEY_REUSED} if the
     *     key was used for another request, {@code INVALID_IDEMPOTENCY_KEY} for a reserved key
     */
    public CompletableFuture<CustomerView> upsertCustomer(
            String customerId, CustomerUpdate update, @Nullable String idempotencyKey) {
        if (update.timeZone() != null) {
            try {
                ZoneId.of(update.timeZone());
            } catch (java.time.DateTimeException e) {
                throw TollgateException.invalid(
                        "INVALID_TIME_ZONE", "unknown time zone '" + update.timeZone() + "'", "timeZone");
            }
        }
        KeyUse.requireCallerKey(idempotencyKey);
        String print = KeyUse.fingerprint(KeyUse.Kind.CUSTOMER, update.name(), update.metadata(), update.timeZone());
        CustomerState state = customers.computeIfAbsent(customerId, CustomerState::new);
        synchronized (state) {
            Optional<CompletableFuture<Outcome<CustomerView>>> replay = replayed(
                    state,
                    idempotencyKey,
                    KeyUse.Kind.CUSTOMER,
                    print,
                    e -> e instanceof JournalEntry.CustomerUpserted c
                            && KeyUse.fingerprint(KeyUse.Kind.CUSTOMER, c.name(), c.metadata(), c.timeZone())
                                    .equals(print),
                    e -> view(state));
            if (replay.isPresent()) {
                return replay.get().thenApply(Outcome::value);
            }
            Instant now = clock.instant();
            JournalEntry entry = new JournalEntry.CustomerUpserted(
                    customerId, now, idempotencyKey, update.name(), update.metadata(), update.timeZone(), print);
            return commit(state, List.of(entry)).thenApply(v -> view(state));
        }
    }

    /** The customer, if it exists. */
    public Optional<CustomerView> customer(String customerId) {
        CustomerState state = customers.get(customerId);
        if (state == null) {
            return Optional.empty();
        }
        synchronized (state) {
            return state.exists ? Optional.of(state.view(clock.instant())) : Optional.empty();
        }
    }

    /**
     * Customers in the order of their ids, a page at a time.
     *
     * @param plan only customers subscribed to this plan (any version), or {@code null} for all
     * @param after only ids after this one, or {@code null} to start at the first
     * @param limit at most this many
     */
    public List<CustomerView> customers(@Nullable String plan, @Nullable String after, int limit) {
        List<String> ids = new ArrayList<>();
        for (String id : customers.keySet()) {
            if (!id.equals(SYSTEM) && (after == null || id.compareTo(after) > 0)) {
                ids.add(id);
            }
        }
        ids.sort(null);
        List<CustomerView> page = new ArrayList<>();
        for (String id : ids) {
            if (page.size() == limit) {
                break;
            }
            CustomerState state = customers.get(id);
            synchronized (state) {
                if (state.exists
                        && (plan == null
                                || (state.subscription != null
                                        && plan.equals(state.subscription.plan().key())))) {
                    page.add(state.view(clock.instant()));
                }
            }
        }
        return page;
    }

    private CustomerView view(CustomerState state) {
        synchronized (state) {
            return state.view(clock.instant());
        }
    }

    /**
     * Sets a customer's subscription, pinning versions of its plan and add-ons as {@link SubscriptionRequest} says:
     * a customer already on the plan (or add-on) keeps its version unless the request moves it.
     *
     * @return completes with the customer once durable
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code PLAN_NOT_FOUND}, {@code PLAN_VERSION_NOT_FOUND},
     *     {@code ADDON_NOT_FOUND}, {@code ADDON_VERSION_NOT_FOUND}, {@code TRIAL_NOT_AVAILABLE}
     */
    public CompletableFuture<Outcome<CustomerView>> subscribe(String customerId, SubscriptionRequest request) {
        return readingCatalog(() -> subscribeReadingCatalog(customerId, request));
    }

    private CompletableFuture<Outcome<CustomerView>> subscribeReadingCatalog(
            String customerId, SubscriptionRequest request) {
        KeyUse.requireCallerKey(request.idempotencyKey());
        CustomerState state = existing(customerId);
        Catalog cat = catalog;
        Runnable hook = afterCatalogRead;
        if (hook != null) {
            hook.run();
        }
        if (cat.planHistory().get(request.plan()) == null) {
            throw TollgateException.notFound("PLAN_NOT_FOUND", "no plan '" + request.plan() + "'", "plan");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < request.addons().size(); i++) {
            SubscriptionRequest.AddonQuantity a = request.addons().get(i);
            if (cat.addonHistory().get(a.key()) == null) {
                throw TollgateException.notFound(
                        "ADDON_NOT_FOUND", "no add-on '" + a.key() + "'", "addons[" + i + "].key");
            }
            if (!seen.add(a.key())) {
                throw TollgateException.invalid(
                        "DUPLICATE_ADDON", "add-on '" + a.key() + "' listed twice", "addons[" + i + "].key");
            }
            if (a.quantity() < 1 || a.quantity() > 1_000_000) {
                throw TollgateException.invalid(
                        "INVALID_QUANTITY", "quantity must be between 1 and 1000000", "addons[" + i + "].quantity");
            }
        }
        synchronized (state) {
            String print = subscriptionPrint(request);
            Optional<CompletableFuture<Outcome<CustomerView>>> replay = replayed(
                    state,
                    request.idempotencyKey(),
                    KeyUse.Kind.SUBSCRIPTION,
                    print,
                    e -> e instanceof JournalEntry.SubscriptionSet s
                            && s.subscription().plan().key().equals(request.plan()),
                    e -> view(state));
            if (replay.isPresent()) {
                return replay.get();
            }
            Instant now = clock.instant();
            Subscription previous = state.subscription;
            boolean running = previous != null && previous.activeAt(now);
            Subscription current =
                    previous != null && (previous.cancelAt() == null || now.isBefore(previous.cancelAt()))
                            ? previous
                            : null;
            PlanVersion plan = SubscriptionVersions.plan(cat, request, current);
            List<AddonRef> addons = SubscriptionVersions.addons(cat, request, current);
            Instant startAt = request.startAt() != null ? request.startAt() : running ? previous.startAt() : now;
            Trial trial = null;
            if (request.trial() != null) {
                PlanVersion trialPlan = SubscriptionVersions.trialPlan(cat, request.trial(), plan, current);
                Integer days = request.trial().days() != null ? request.trial().days() : trialPlan.trialDays();
                if (days == null) {
                    throw TollgateException.invalid(
                            "TRIAL_NOT_AVAILABLE",
                            "plan '" + trialPlan.key() + "' offers no trial; give trial.days",
                            "trial");
                }
                if (days < 1 || days > 3650) {
                    throw TollgateException.invalid(
                            "INVALID_TRIAL", "trial days must be between 1 and 3650", "trial.days");
                }
                PlanRef tried = new PlanRef(trialPlan.key(), trialPlan.version());
                boolean unchanged = current != null
                        && current.trialActiveAt(now)
                        && current.trial().plan().equals(tried)
                        && request.trial().days() == null
                        && request.startAt() == null;
                Instant trialStart = request.startAt() != null ? request.startAt() : now;
                trial = unchanged ? current.trial() : new Trial(tried, trialStart.plus(Duration.ofDays(days)));
            }
            Subscription next = new Subscription(new PlanRef(plan.key(), plan.version()), addons, startAt, trial, null);
            Map<String, Instant> resets =
                    running && !next.plan().equals(previous.plan()) ? resetsOnChange(state, cat, next, now) : Map.of();
            requireAvailable();
            // the allotments due under the subscription being replaced, before it stops counting
            List<JournalEntry> entries = new ArrayList<>(housekeep(state, cat, now));
            JournalEntry entry =
                    new JournalEntry.SubscriptionSet(customerId, now, request.idempotencyKey(), next, resets, print);
            state.apply(entry, PLACEHOLDER);
            entries.add(entry);
            return enqueue(state, entries).thenApply(v -> new Outcome<>(view(state), false));
        }
    }

    /** The fingerprint of a subscription request: plan, versions asked for, add-ons, trial and start. */
    private static String subscriptionPrint(SubscriptionRequest request) {
        List<Object> addons = new ArrayList<>();
        for (SubscriptionRequest.AddonQuantity a : request.addons()) {
            addons.add(Arrays.asList(a.key(), a.quantity(), versionPrint(a.version())));
        }
        SubscriptionRequest.TrialRequest trial = request.trial();
        return KeyUse.fingerprint(
                KeyUse.Kind.SUBSCRIPTION,
                request.plan(),
                versionPrint(request.planVersion()),
                addons,
                trial == null ? null : Arrays.asList(trial.plan(), trial.days()),
                request.startAt());
    }

    private static @Nullable Object versionPrint(SubscriptionRequest.@Nullable VersionChoice v) {
        return v == null ? null : v.number() == null ? "latest" : v.number();
    }

    /** The windows a plan change resets, per the features' {@link PlanChangeReset} setting. */
    private static Map<String, Instant> resetsOnChange(
            CustomerState state, Catalog cat, Subscription next, Instant now) {
        Resolution after = EntitlementResolver.resolve(cat, next, state.promotions, now);
        Map<String, Instant> resets = new LinkedHashMap<>();
        for (EffectiveEntitlement e : after.entitlements().values()) {
            Feature feature = cat.feature(e.feature()).orElse(null);
            if (feature == null || e.type() != FeatureType.METERED) {
                continue;
            }
            if (feature.onPlanChange() == PlanChangeReset.ALWAYS) {
                Window w = Periods.window(e.reset(), e.calendar(), next.startAt(), state.zone, now);
                resets.put(e.feature(), w.start());
            }
        }
        return resets;
    }

    /**
     * Cancels a customer's subscription now or at the end of its current billing period.
     *
     * @param atPeriodEnd {@code true} to keep it until the period ends
     * @return completes with the customer once durable
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code NO_SUBSCRIPTION}
     */
    public CompletableFuture<CustomerView> cancel(String customerId, boolean atPeriodEnd) {
        CustomerState state = existing(customerId);
        synchronized (state) {
            Instant now = clock.instant();
            Subscription sub = state.subscription;
            if (sub == null || (sub.cancelAt() != null && !now.isBefore(sub.cancelAt()))) {
                throw TollgateException.conflict(
                        "NO_SUBSCRIPTION", "customer '" + customerId + "' has no running subscription", null);
            }
            Instant endsAt = now;
            if (atPeriodEnd) {
                PlanVersion plan = catalog.planVersion(
                                sub.plan().key(), sub.plan().version())
                        .orElse(null);
                ResetPeriod every =
                        plan != null && plan.price() != null ? plan.price().every() : ResetPeriod.MONTH;
                Window w = Periods.window(every, false, sub.startAt(), state.zone, now);
                endsAt = w.end() == null ? now : w.end();
            }
            JournalEntry entry = new JournalEntry.SubscriptionCancelled(customerId, now, null, endsAt);
            return commit(state, List.of(entry)).thenApply(v -> view(state));
        }
    }

    /**
     * Grants a customer an entitlement directly.
     *
     * @return completes with the promotion once durable
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code FEATURE_NOT_FOUND}, {@code INVALID_ENTITLEMENT}
     */
    public CompletableFuture<Outcome<Promotion>> promote(String customerId, PromotionRequest request) {
        return readingCatalog(() -> promoteReadingCatalog(customerId, request));
    }

    private CompletableFuture<Outcome<Promotion>> promoteReadingCatalog(String customerId, PromotionRequest request) {
        KeyUse.requireCallerKey(request.idempotencyKey());
        CustomerState state = existing(customerId);
        Feature feature = catalog.feature(request.feature())
                .orElseThrow(() -> TollgateException.notFound(
                        "FEATURE_NOT_FOUND", "no feature '" + request.feature() + "'", "feature"));
        Entitlement entitlement;
        try {
            entitlement = CatalogReader.readEntitlement(request.entitlement(), "entitlement", feature);
        } catch (dev.tollgate.core.catalog.CatalogException e) {
            var first = e.errors().get(0);
            throw TollgateException.invalid("INVALID_ENTITLEMENT", first.toString(), first.path());
        }
        synchronized (state) {
            String print = KeyUse.fingerprint(
                    KeyUse.Kind.PROMOTION,
                    request.feature(),
                    request.entitlement(),
                    request.startsAt(),
                    request.expiresAt());
            Optional<CompletableFuture<Outcome<Promotion>>> replay = replayed(
                    state,
                    request.idempotencyKey(),
                    KeyUse.Kind.PROMOTION,
                    print,
                    e -> e instanceof JournalEntry.PromotionGranted p
                            && p.promotion().feature().equals(request.feature()),
                    e -> ((JournalEntry.PromotionGranted) e).promotion());
            if (replay.isPresent()) {
                return replay.get();
            }
            Instant now = clock.instant();
            Instant startsAt = request.startsAt() != null ? request.startsAt() : now;
            if (request.expiresAt() != null && !request.expiresAt().isAfter(startsAt)) {
                throw TollgateException.invalid("INVALID_INTERVAL", "expiresAt must be after startsAt", "expiresAt");
            }
            Promotion promotion = new Promotion(
                    "promo-" + (state.promotions.size() + 1),
                    feature.key(),
                    entitlement,
                    startsAt,
                    request.expiresAt());
            JournalEntry entry =
                    new JournalEntry.PromotionGranted(customerId, now, request.idempotencyKey(), promotion, print);
            return commit(state, List.of(entry)).thenApply(v -> new Outcome<>(promotion, false));
        }
    }

    /**
     * Every effective entitlement of a customer with its current usage.
     *
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}
     */
    public List<EntitlementView> entitlements(String customerId) {
        CustomerState state = existing(customerId);
        synchronized (state) {
            Instant now = clock.instant();
            Resolution resolution = state.resolve(catalog, now);
            List<EntitlementView> views = new ArrayList<>();
            for (EffectiveEntitlement e : resolution.entitlements().values()) {
                if (e.type() != FeatureType.METERED) {
                    views.add(new EntitlementView(e, BigDecimal.ZERO, BigDecimal.ZERO, null, null, BigDecimal.ZERO));
                    continue;
                }
                Window w = window(state, e, now);
                Decision d = MeteredLimit.decide(
                        e,
                        w,
                        state.used(e.feature(), w.start()),
                        state.heldFeature(e.feature(), now, null),
                        null,
                        MeteredLimit.Mode.CHECK);
                views.add(new EntitlementView(
                        e, d.used(), d.held(), d.remaining(), d.resetsAt(), state.overage(e.feature(), w.start())));
            }
            views.sort((a, b) ->
                    a.entitlement().feature().compareTo(b.entitlement().feature()));
            return views;
        }
    }

    // ---- the request path ----

    /**
     * Answers whether a quantity may be consumed, without consuming. Reads memory only.
     *
     * @return the decision; {@code CUSTOMER_NOT_FOUND} and {@code FEATURE_NOT_FOUND} come back as denials
     */
    public Decision check(CheckRequest request) {
        CustomerState state = customers.get(request.customerId());
        if (state == null) {
            return Decision.denied(Reason.CUSTOMER_NOT_FOUND);
        }
        Catalog cat = catalog;
        synchronized (state) {
            if (!state.exists) {
                return Decision.denied(Reason.CUSTOMER_NOT_FOUND);
            }
            Instant now = clock.instant();
            String sessionId = request.sessionId();
            String scope = request.scope();
            if (sessionId != null) {
                scope = sessionScope(state, cat, sessionId, request.feature(), scope, now);
            }
            if (scope != null && !state.scopes.containsKey(scope)) {
                return Decision.denied(Reason.SCOPE_NOT_FOUND);
            }
            Decision d = decide(
                    state,
                    cat,
                    request.feature(),
                    request.quantity(),
                    request.dimensions(),
                    now,
                    MeteredLimit.Mode.CHECK,
                    rateCard(cat, request.feature()) == null ? state.accounts : accountsAt(state, cat, now),
                    sessionId);
            Decision budgeted = budgeted(
                    state, d, scope, request.feature(), request.quantity(), request.dimensions(), now, sessionId);
            return inSession(state, budgeted, sessionId, request.quantity());
        }
    }

    /**
     * The scope a request made in a session counts at: its own, or else the session's.
     *
     * @throws TollgateException {@code SESSION_NOT_FOUND}, {@code SESSION_CLOSED} (closed or past its deadline),
     *     {@code SESSION_MISMATCH} (the session holds another feature or currency)
     */
    private static @Nullable String sessionScope(
            CustomerState state, Catalog cat, String sessionId, String feature, @Nullable String scope, Instant now) {
        Session session = liveSession(state, sessionId, now).session;
        RateCard card = rateCard(cat, feature);
        boolean matches = session.feature() != null
                ? session.feature().equals(feature)
                : card != null && card.currency().equals(session.currency());
        if (!matches) {
            throw TollgateException.conflict(
                    "SESSION_MISMATCH",
                    "session '" + sessionId + "' does not hold what '" + feature + "' consumes",
                    "sessionId");
        }
        return scope == null ? session.scope() : scope;
    }

    /**
     * Applies a session's hold to a decision made in it. The hold caps what is consumed in the session, however much
     * room the limits and budgets still have (the circuit breaker for a looping agent); running out of room inside a
     * session is running out of the session: {@code SESSION_EXHAUSTED}.
     *
     * @param quantity the units asked for, or {@code null} for "is any room left"
     */
    private static Decision inSession(
            CustomerState state, Decision d, @Nullable String sessionId, @Nullable BigDecimal quantity) {
        if (sessionId == null) {
            return d;
        }
        if (!d.allowed()) {
            boolean outOfRoom = d.reason() == Reason.LIMIT_EXCEEDED
                    || d.reason() == Reason.INSUFFICIENT_CREDITS
                    || d.reason() == Reason.BUDGET_EXCEEDED;
            return outOfRoom ? d.refused(Reason.SESSION_EXHAUSTED, Objects.requireNonNull(d.boundBy())) : d;
        }
        CustomerState.OpenSession o = Objects.requireNonNull(state.sessions.get(sessionId));
        Session s = o.session;
        BigDecimal amount;
        if (s.feature() != null) {
            amount = quantity;
        } else {
            amount = quantity == null || d.credit() == null ? null : d.credit().credits();
        }
        boolean fits = amount == null ? o.remaining.signum() > 0 : amount.compareTo(o.remaining) <= 0;
        return fits
                ? d
                : d.refused(
                        Reason.SESSION_EXHAUSTED,
                        new BoundBy("session", s.feature(), s.currency(), s.scope(), null, sessionId));
    }

    private Decision decide(
            CustomerState state,
            Catalog cat,
            String featureKey,
            @Nullable BigDecimal quantity,
            Map<String, String> dimensions,
            Instant now,
            MeteredLimit.Mode mode,
            Map<String, CreditAccount> accounts,
            @Nullable String sessionId) {
        Feature feature = cat.feature(featureKey).orElse(null);
        if (feature == null) {
            return Decision.denied(Reason.FEATURE_NOT_FOUND);
        }
        if (mode != MeteredLimit.Mode.CHECK && feature.type() != FeatureType.METERED) {
            return Decision.denied(Reason.FEATURE_NOT_METERED);
        }
        EffectiveEntitlement e = state.resolve(cat, now).entitlements().get(featureKey);
        if (e == null) {
            return Decision.denied(unentitled(state, now));
        }
        switch (e.type()) {
            case BOOLEAN:
                return e.enabled() ? Decision.plain(true, null, null, null) : Decision.denied(Reason.NOT_ENTITLED);
            case CONFIG:
                if (quantity != null && quantity.compareTo(e.value()) > 0) {
                    return Decision.plain(false, Reason.LIMIT_EXCEEDED, BoundBy.feature(featureKey), e.value());
                }
                return Decision.plain(true, null, null, e.value());
            default:
                Window w = window(state, e, now);
                BigDecimal used = state.used(featureKey, w.start());
                Decision d =
                        MeteredLimit.decide(e, w, used, state.heldFeature(featureKey, now, sessionId), quantity, mode);
                RateCard card = rateCard(cat, featureKey);
                return card == null
                        ? d
                        : priced(
                                d,
                                card,
                                cat,
                                quantity,
                                dimensions,
                                used,
                                now,
                                accounts,
                                state.heldCredits(card.currency(), now, sessionId));
        }
    }

    /**
     * Why a customer has no entitlement to a feature at {@code t}: {@code NO_SUBSCRIPTION} when no subscription is in
     * force then (none, cancelled and ended, or not started yet), else {@code NOT_ENTITLED} (its plan, add-ons, trial
     * and promotions do not grant it).
     */
    private static Reason unentitled(CustomerState state, Instant t) {
        Subscription sub = state.subscription;
        return sub == null || !sub.activeAt(t) ? Reason.NO_SUBSCRIPTION : Reason.NOT_ENTITLED;
    }

    /**
     * Walks the budgets from {@code scope} to the root (see {@link BudgetWalk}): an admitted decision is refused
     * {@code BUDGET_EXCEEDED}, naming the scope and budget, if a hard budget on the path cannot take it. A check
     * without a quantity asks whether any room is left ({@code used < limit}).
     */
    private static Decision budgeted(
            CustomerState state,
            Decision d,
            @Nullable String scope,
            String feature,
            @Nullable BigDecimal quantity,
            Map<String, String> dimensions,
            Instant now,
            @Nullable String sessionId) {
        if (scope == null || !d.allowed()) {
            return d;
        }
        CreditCharge credit = d.credit();
        BudgetWalk.Result walk = BudgetWalk.walk(
                state.path(scope),
                state::budgetsOf,
                (s, b) -> state.budgetUsed(s, b, now).add(state.heldBudget(s, b, now, sessionId)),
                feature,
                quantity == null ? BigDecimal.ZERO : quantity,
                credit == null ? null : credit.currency(),
                credit == null ? null : credit.credits(),
                dimensions);
        BudgetWalk.Charge binding = walk.binding();
        if (binding == null && quantity == null) {
            for (BudgetWalk.Charge c : walk.charges()) {
                if (c.budget().hard() && c.used().compareTo(c.budget().limit()) >= 0) {
                    binding = c;
                    break;
                }
            }
        }
        if (binding == null) {
            BudgetWalk.Charge passed = walk.passed();
            return passed == null || quantity == null
                    ? d
                    : d.flagged(new BoundBy(
                            "budget",
                            null,
                            null,
                            passed.scope(),
                            passed.budget().key()));
        }
        return d.refused(
                Reason.BUDGET_EXCEEDED,
                new BoundBy(
                        "budget", null, null, binding.scope(), binding.budget().key()));
    }

    /** The rate card pricing a feature, or {@code null}. */
    private static @Nullable RateCard rateCard(Catalog cat, String feature) {
        for (RateCard card : cat.definition().rateCards()) {
            if (card.feature().equals(feature)) {
                return card;
            }
        }
        return null;
    }

    /**
     * Adds the credit side to a metered decision: the price ({@code UNPRICED} if there is none) and, for a hard
     * currency, {@code INSUFFICIENT_CREDITS} when the available balance cannot cover it in full.
     */
    private static Decision priced(
            Decision d,
            RateCard card,
            Catalog cat,
            @Nullable BigDecimal quantity,
            Map<String, String> dimensions,
            BigDecimal usedBefore,
            Instant now,
            Map<String, CreditAccount> accounts,
            BigDecimal held) {
        BigDecimal q = quantity == null ? BigDecimal.ZERO : quantity;
        BigDecimal credits = Pricing.price(card, q, dimensions, usedBefore);
        if (credits == null) {
            return d.allowed() ? d.refused(Reason.UNPRICED, BoundBy.feature(card.feature())) : d;
        }
        CreditAccount account = accounts.get(card.currency());
        BigDecimal available = (account == null ? BigDecimal.ZERO : account.available(now)).subtract(held);
        CreditCharge charge = new CreditCharge(card.currency(), credits, available);
        Currency currency = cat.definition().currencies().get(card.currency());
        boolean hard = currency == null || currency.hardDepletion();
        if (d.allowed() && hard && available.compareTo(credits) < 0) {
            return d.withCredit(charge)
                    .refused(Reason.INSUFFICIENT_CREDITS, new BoundBy("currency", null, card.currency(), null, null));
        }
        return d.withCredit(charge);
    }

    /**
     * The customer's accounts as they are at {@code now}: the stored ones, or, when allotments or expiries are due
     * and no write has recorded them yet, a copy with them applied. Reads never write.
     */
    private static Map<String, CreditAccount> accountsAt(CustomerState state, Catalog cat, Instant now) {
        List<LedgerChange> due = state.creditsDue(cat, now);
        if (due.isEmpty()) {
            return state.accounts;
        }
        Map<String, CreditAccount> copy = new TreeMap<>();
        state.accounts.forEach((c, a) -> copy.put(c, a.copy()));
        for (LedgerChange change : due) {
            if (change instanceof LedgerChange.NewGrant g) {
                copy.computeIfAbsent(g.grant().currency(), CreditAccount::new).add(g.grant());
            } else {
                LedgerChange.Moves m = (LedgerChange.Moves) change;
                copy.computeIfAbsent(m.currency(), CreditAccount::new).move(m.type(), m.movements());
            }
        }
        return copy;
    }

    /**
     * Records (applies to memory) what time has made due for this customer's credits: allotments, expiries,
     * overdraft repayment. Call inside the customer's section, before deciding a write.
     *
     * @return the records applied, to be committed with the command
     */
    private List<JournalEntry> housekeep(CustomerState state, Catalog cat, Instant now) {
        List<JournalEntry> records = records(state.id, now, state.creditsDue(cat, now));
        records.forEach(r -> state.apply(r, PLACEHOLDER));
        return records;
    }

    private static List<JournalEntry> records(String customerId, Instant now, List<LedgerChange> changes) {
        List<JournalEntry> out = new ArrayList<>(changes.size());
        for (LedgerChange change : changes) {
            if (change instanceof LedgerChange.NewGrant g) {
                out.add(new JournalEntry.GrantCreated(customerId, now, null, g.grant()));
            } else {
                LedgerChange.Moves m = (LedgerChange.Moves) change;
                out.add(new JournalEntry.CreditsMoved(
                        customerId,
                        now,
                        null,
                        m.type(),
                        m.currency(),
                        m.time(),
                        m.movements(),
                        null,
                        null,
                        null,
                        null,
                        Map.of()));
            }
        }
        return out;
    }

    /**
     * Pays back the currency's overdraft from what is spendable now, if both exist: applies the records to
     * {@code state} and appends them to {@code out}.
     */
    private static void repayNow(CustomerState state, String currency, Instant now, List<JournalEntry> out) {
        List<LedgerChange> repaid = new ArrayList<>();
        Housekeeping.repay(state.account(currency).copy(), now, repaid);
        for (JournalEntry r : records(state.id, now, repaid)) {
            state.apply(r, PLACEHOLDER);
            out.add(r);
        }
    }

    /**
     * The records that charge a priced consumption: the burn-order entries (and, for what the grants cannot cover,
     * overdraft), then an auto-recharge if the balance fell below its threshold, with the overdraft it pays back.
     * Applies them to {@code state}. Callers add them right after the usage record that carries {@code key}: {@link
     * Store#charge} finds an old charge there.
     *
     * @return the records applied
     */
    private List<JournalEntry> charge(
            CustomerState state,
            CreditCharge price,
            String key,
            String feature,
            BigDecimal quantity,
            @Nullable String scope,
            Map<String, String> dimensions,
            Instant now) {
        List<JournalEntry> out = new ArrayList<>();
        CreditAccount account = state.account(price.currency());
        BurnOrder.Allocation taken = BurnOrder.allocate(account.burnable(now), price.credits());
        List<Movement> movements = new ArrayList<>(taken.movements());
        if (taken.shortfall().signum() > 0) {
            movements.add(new Movement(null, taken.shortfall().negate()));
        }
        if (!movements.isEmpty()) {
            out.add(new JournalEntry.CreditsMoved(
                    state.id,
                    now,
                    null,
                    EntryType.CONSUME,
                    price.currency(),
                    now,
                    List.copyOf(movements),
                    key,
                    feature,
                    quantity,
                    scope,
                    dimensions));
            state.apply(out.get(0), PLACEHOLDER);
        }
        AutoRecharge recharge = state.recharges.get(price.currency());
        if (recharge != null) {
            Window period = Periods.window(ResetPeriod.MONTH, false, state.anchor(), state.zone, now);
            int count = 0;
            BigDecimal money = BigDecimal.ZERO;
            for (CreditAccount.Slot s : account.slots()) {
                Grant g = s.grant();
                if (g.source().equals("recharge") && !g.effectiveAt().isBefore(period.start())) {
                    count++;
                    money = money.add(g.amount().multiply(g.costBasis()));
                }
            }
            BigDecimal size = recharge.due(account.available(now), count, money);
            if (size != null && account.slot("recharge:" + key) == null) {
                Grant g = new Grant(
                        "recharge:" + key,
                        price.currency(),
                        size,
                        false,
                        recharge.costBasis(),
                        0,
                        now,
                        null,
                        "recharge",
                        key);
                JournalEntry created = new JournalEntry.GrantCreated(state.id, now, null, g);
                state.apply(created, PLACEHOLDER);
                out.add(created);
                repayNow(state, price.currency(), now, out);
            }
        }
        return out;
    }

    private static Window window(CustomerState state, EffectiveEntitlement e, Instant t) {
        return state.window(e.reset(), e.calendar(), state.anchor(), t);
    }

    /**
     * Checks and records a consumption as one atomic step.
     *
     * @return completes once the record is durable with the decision (and whether it was a replay); a refusal is
     *     recorded too, so that a repeated key answers the same. An unknown customer or feature is answered at once
     *     and recorded nowhere.
     * @throws TollgateException {@code IDEMPOTENCY_KEY_REUSED} if the key was used for a different request
     */
    public CompletableFuture<Outcome<Decision>> consume(ConsumeRequest request) {
        KeyUse.requireCallerKey(request.idempotencyKey());
        CustomerState state = customers.get(request.customerId());
        if (state == null) {
            return CompletableFuture.completedFuture(new Outcome<>(Decision.denied(Reason.CUSTOMER_NOT_FOUND), false));
        }
        Catalog cat = catalog;
        synchronized (state) {
            if (!state.exists) {
                return CompletableFuture.completedFuture(
                        new Outcome<>(Decision.denied(Reason.CUSTOMER_NOT_FOUND), false));
            }
            String print = KeyUse.fingerprint(
                    KeyUse.Kind.CONSUME,
                    request.feature(),
                    request.quantity(),
                    request.scope(),
                    request.sessionId(),
                    request.dimensions());
            IdempotencyKeys.KeyRecord prior = prior(state, request.idempotencyKey());
            if (prior != null) {
                Decision answer = priorAnswer(prior.entry(), print, request.feature(), request.quantity());
                return prior.durable().thenApply(v -> new Outcome<>(answer, true));
            }
            Instant now = clock.instant();
            String sessionId = request.sessionId();
            String scope = request.scope();
            if (sessionId != null) {
                scope = sessionScope(state, cat, sessionId, request.feature(), scope, now);
            }
            if (scope != null && !state.scopes.containsKey(scope)) {
                return CompletableFuture.completedFuture(new Outcome<>(Decision.denied(Reason.SCOPE_NOT_FOUND), false));
            }
            requireAvailable();
            List<JournalEntry> entries = new ArrayList<>();
            if (rateCard(cat, request.feature()) != null) {
                entries.addAll(housekeep(state, cat, now));
            }
            Decision d = budgeted(
                    state,
                    decide(state, cat, request, now, MeteredLimit.Mode.CONSUME),
                    scope,
                    request.feature(),
                    request.quantity(),
                    request.dimensions(),
                    now,
                    sessionId);
            d = inSession(state, d, sessionId, request.quantity());
            if (d.reason() == Reason.FEATURE_NOT_FOUND) {
                return CompletableFuture.completedFuture(new Outcome<>(d, false));
            }
            Decision answer;
            if (d.allowed()) {
                CreditCharge price = d.credit();
                answer = price == null
                        ? d.asRecorded()
                        : d.asRecorded()
                                .withCredit(new CreditCharge(
                                        price.currency(),
                                        price.credits(),
                                        Decimals.normalize(price.balance().subtract(price.credits()))));
                EffectiveEntitlement e = state.resolve(cat, now).entitlements().get(request.feature());
                JournalEntry usage = new JournalEntry.UsageRecorded(
                        request.customerId(),
                        now,
                        request.idempotencyKey(),
                        request.feature(),
                        request.quantity(),
                        window(state, Objects.requireNonNull(e), now).start(),
                        d.overageQuantity(),
                        UsageSource.CONSUME,
                        now,
                        scope,
                        request.dimensions(),
                        answer,
                        sessionId,
                        print);
                state.apply(usage, PLACEHOLDER);
                entries.add(usage);
                if (price != null) {
                    entries.addAll(charge(
                            state,
                            price,
                            request.idempotencyKey(),
                            request.feature(),
                            request.quantity(),
                            scope,
                            request.dimensions(),
                            now));
                }
            } else {
                answer = asItStands(state, cat, request, now, d);
                JournalEntry denied = new JournalEntry.ConsumptionDenied(
                        request.customerId(),
                        now,
                        request.idempotencyKey(),
                        request.feature(),
                        request.quantity(),
                        answer,
                        print);
                state.apply(denied, PLACEHOLDER);
                entries.add(denied);
            }
            return enqueue(state, entries).thenApply(v -> new Outcome<>(answer, false));
        }
    }

    /**
     * A refused consumption with the figures of a check: nothing was taken. A limit may have admitted (and counted)
     * what a later step refused (a price, the credits, a budget, a session): then the figures are the consumption's
     * own without the quantity ({@link MeteredLimit#uncounted}); when nothing counted it (the limit refused it, or
     * the feature is not metered) they are a check's already. Any other refusal is decided again as a check: an
     * agent looping against a limit must not pay for every refusal twice.
     */
    private Decision asItStands(CustomerState state, Catalog cat, ConsumeRequest request, Instant now, Decision d) {
        Reason why = d.reason();
        BoundBy by = d.boundBy();
        boolean limitRefused = why == Reason.LIMIT_EXCEEDED
                || (why == Reason.SESSION_EXHAUSTED && by != null && by.kind().equals("feature"));
        if ((d.limit() == null && !d.unlimited()) || (limitRefused && !d.unlimited())) {
            return d.asItStands(d);
        }
        boolean laterStep = why == Reason.UNPRICED
                || why == Reason.INSUFFICIENT_CREDITS
                || why == Reason.BUDGET_EXCEEDED
                || (why == Reason.SESSION_EXHAUSTED && !limitRefused);
        return d.asItStands(
                laterStep
                        ? MeteredLimit.uncounted(d, request.quantity())
                        : decide(state, cat, request, now, MeteredLimit.Mode.CHECK));
    }

    /** {@link #decide} for a consumption, on the accounts as they stand (housekept by the caller). */
    private Decision decide(
            CustomerState state, Catalog cat, ConsumeRequest request, Instant now, MeteredLimit.Mode mode) {
        return decide(
                state,
                cat,
                request.feature(),
                request.quantity(),
                request.dimensions(),
                now,
                mode,
                state.accounts,
                request.sessionId());
    }

    /**
     * The first answer of a consume's key.
     *
     * @throws TollgateException {@code IDEMPOTENCY_KEY_REUSED} if the key was used for another request (a record
     *     without a fingerprint must hold the same feature and quantity)
     */
    private static Decision priorAnswer(JournalEntry prior, String print, String feature, BigDecimal quantity) {
        KeyUse.requireSame(prior, KeyUse.Kind.CONSUME, print, e -> {
            if (e instanceof JournalEntry.UsageRecorded u) {
                return u.feature().equals(feature) && u.quantity().compareTo(quantity) == 0;
            }
            JournalEntry.ConsumptionDenied d = (JournalEntry.ConsumptionDenied) e;
            return d.feature().equals(feature) && d.quantity().compareTo(quantity) == 0;
        });
        return prior instanceof JournalEntry.UsageRecorded u
                ? u.answer()
                : ((JournalEntry.ConsumptionDenied) prior).answer();
    }

    /**
     * Records usage that already happened. Never refuses for lack of room; usage past a hard limit is recorded as
     * overage.
     *
     * @param events the events, of any customers
     * @return completes once every accepted event is durable, with one result per event in order
     */
    public CompletableFuture<List<EventResult>> report(List<UsageEvent> events) {
        EventResult[] results = new EventResult[events.size()];
        Map<String, List<Integer>> byCustomer = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            byCustomer
                    .computeIfAbsent(events.get(i).customerId(), k -> new ArrayList<>())
                    .add(i);
        }
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        Catalog cat = catalog;
        for (Map.Entry<String, List<Integer>> group : byCustomer.entrySet()) {
            CustomerState state = customers.get(group.getKey());
            if (state == null) {
                group.getValue().forEach(i -> results[i] = EventResult.rejected(Reason.CUSTOMER_NOT_FOUND));
                continue;
            }
            synchronized (state) {
                if (!state.exists) {
                    group.getValue().forEach(i -> results[i] = EventResult.rejected(Reason.CUSTOMER_NOT_FOUND));
                    continue;
                }
                pending.add(reportForCustomer(state, cat, events, group.getValue(), results));
            }
        }
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> List.of(results));
    }

    private CompletableFuture<Void> reportForCustomer(
            CustomerState state, Catalog cat, List<UsageEvent> events, List<Integer> indices, EventResult[] results) {
        boolean writable = journal.available();
        boolean housekept = false;
        Instant now = clock.instant();
        List<JournalEntry> entries = new ArrayList<>();
        Map<String, JournalEntry> batchKeys = new HashMap<>();
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (int i : indices) {
            UsageEvent event = events.get(i);
            if (Limits.reservedKey(event.idempotencyKey())) {
                results[i] = EventResult.rejected(Reason.INVALID_IDEMPOTENCY_KEY);
                continue;
            }
            String print = eventPrint(event);
            JournalEntry inBatch = batchKeys.get(event.idempotencyKey());
            if (inBatch != null) {
                // a repeat inside this batch: durable together with the batch's own commit
                results[i] = print.equals(inBatch.request())
                        ? new EventResult(EventResult.Status.DUPLICATE, null, false)
                        : EventResult.rejected(Reason.IDEMPOTENCY_KEY_REUSED);
                continue;
            }
            IdempotencyKeys.KeyRecord prior;
            try {
                prior = prior(state, event.idempotencyKey());
            } catch (StoreException ex) {
                // earlier events of the batch are applied already: reject this one alone and commit theirs
                results[i] = EventResult.rejected(Reason.STORE_UNAVAILABLE);
                continue;
            }
            if (prior != null) {
                if (!KeyUse.same(prior.entry(), KeyUse.Kind.EVENT, print, e -> sameEvent(e, event))) {
                    results[i] = EventResult.rejected(Reason.IDEMPOTENCY_KEY_REUSED);
                    continue;
                }
                results[i] = new EventResult(EventResult.Status.DUPLICATE, null, false);
                waits.add(prior.durable());
                continue;
            }
            if (!writable) {
                results[i] = EventResult.rejected(Reason.STORE_UNAVAILABLE);
                continue;
            }
            Instant occurredAt = event.timestamp() != null ? event.timestamp() : now;
            if (occurredAt.isAfter(now.plus(MAX_EVENT_SKEW))) {
                results[i] = EventResult.rejected(Reason.TIMESTAMP_IN_FUTURE);
                continue;
            }
            Feature feature = cat.feature(event.feature()).orElse(null);
            if (feature == null) {
                results[i] = EventResult.rejected(Reason.FEATURE_NOT_FOUND);
                continue;
            }
            String scope = event.scope();
            if (event.sessionId() != null) {
                try {
                    scope = sessionScope(state, cat, event.sessionId(), event.feature(), scope, occurredAt);
                } catch (TollgateException ex) {
                    results[i] = EventResult.rejected(Reason.valueOf(ex.code()));
                    continue;
                }
            }
            if (scope != null && !state.scopes.containsKey(scope)) {
                results[i] = EventResult.rejected(Reason.SCOPE_NOT_FOUND);
                continue;
            }
            if (feature.type() != FeatureType.METERED) {
                results[i] = EventResult.rejected(Reason.FEATURE_NOT_METERED);
                continue;
            }
            EffectiveEntitlement e = state.resolve(cat, now).entitlements().get(event.feature());
            if (e == null) {
                results[i] = EventResult.rejected(unentitled(state, now));
                continue;
            }
            Window w = window(state, e, occurredAt);
            BigDecimal usedBefore = state.used(event.feature(), w.start());
            Decision d =
                    MeteredLimit.decide(e, w, usedBefore, BigDecimal.ZERO, event.quantity(), MeteredLimit.Mode.REPORT);
            RateCard card = rateCard(cat, event.feature());
            CreditCharge price = null;
            if (card != null) {
                BigDecimal credits = Pricing.price(card, event.quantity(), event.dimensions(), usedBefore);
                if (credits == null) {
                    results[i] = EventResult.rejected(Reason.UNPRICED);
                    continue;
                }
                if (!housekept) {
                    entries.addAll(housekeep(state, cat, now));
                    housekept = true;
                }
                BigDecimal available = state.account(card.currency()).available(now);
                price = new CreditCharge(card.currency(), credits, Decimals.normalize(available.subtract(credits)));
                d = d.withCredit(price);
            }
            JournalEntry entry = new JournalEntry.UsageRecorded(
                    state.id,
                    now,
                    event.idempotencyKey(),
                    event.feature(),
                    event.quantity(),
                    w.start(),
                    d.overageQuantity(),
                    UsageSource.EVENT,
                    occurredAt,
                    scope,
                    event.dimensions(),
                    d.asRecorded(),
                    event.sessionId(),
                    print);
            // applied one by one so that the next event of the batch sees this one's usage
            entries.add(entry);
            batchKeys.put(event.idempotencyKey(), entry);
            state.apply(entry, PLACEHOLDER);
            if (price != null) {
                // usage already happened: charged in full, past a hard currency's balance as overdraft
                entries.addAll(charge(
                        state,
                        price,
                        event.idempotencyKey(),
                        event.feature(),
                        event.quantity(),
                        scope,
                        event.dimensions(),
                        now));
            }
            results[i] = new EventResult(EventResult.Status.ACCEPTED, null, d.overage());
        }
        CompletableFuture<Void> committed =
                entries.isEmpty() ? CompletableFuture.completedFuture(null) : enqueue(state, entries);
        waits.add(committed);
        return CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0]));
    }

    /** The fingerprint of a reported event: everything it says but its key and customer. */
    private static String eventPrint(UsageEvent event) {
        return KeyUse.fingerprint(
                KeyUse.Kind.EVENT,
                event.feature(),
                event.quantity(),
                event.scope(),
                event.sessionId(),
                event.dimensions(),
                event.timestamp());
    }

    /** Whether a usage record without a fingerprint holds this event's feature and quantity. */
    private static boolean sameEvent(JournalEntry prior, UsageEvent event) {
        JournalEntry.UsageRecorded u = (JournalEntry.UsageRecorded) prior;
        return u.feature().equals(event.feature()) && u.quantity().compareTo(event.quantity()) == 0;
    }

    // ---- governance: scopes and budgets ----

    /**
     * Creates a scope, or renames or moves it.
     *
     * @param parent the parent scope, or {@code null} for the customer root
     * @return completes with the scope once durable
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code SCOPE_NOT_FOUND} (the parent), {@code SCOPE_CYCLE}
     */
    public CompletableFuture<ScopeView> setScope(
            String customerId, String scopeId, String kind, @Nullable String parent, @Nullable String name) {
        CustomerState state = existing(customerId);
        synchronized (state) {
            if (parent != null) {
                if (!state.scopes.containsKey(parent)) {
                    throw TollgateException.notFound("SCOPE_NOT_FOUND", "no scope '" + parent + "'", "parent");
                }
                if (state.path(parent).contains(scopeId)) {
                    throw TollgateException.conflict(
                            "SCOPE_CYCLE", "scope '" + parent + "' is '" + scopeId + "' or below it", "parent");
                }
            }
            requireAvailable();
            JournalEntry set = new JournalEntry.ScopeSet(
                    customerId, clock.instant(), null, new Scope(scopeId, kind, parent, name));
            state.apply(set, PLACEHOLDER);
            return enqueue(state, List.of(set)).thenApply(v -> scopeView(state, scopeId));
        }
    }

    /**
     * Sets (or, with {@code null}, removes) a budget on a scope. Usage counts against it from when it is set.
     *
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code SCOPE_NOT_FOUND}, {@code FEATURE_NOT_FOUND},
     *     {@code FEATURE_NOT_METERED}, {@code CURRENCY_NOT_FOUND}
     */
    public CompletableFuture<ScopeView> setBudget(
            String customerId, String scopeId, String budgetKey, @Nullable Budget budget) {
        return readingCatalog(() -> setBudgetReadingCatalog(customerId, scopeId, budgetKey, budget));
    }

    private CompletableFuture<ScopeView> setBudgetReadingCatalog(
            String customerId, String scopeId, String budgetKey, @Nullable Budget budget) {
        CustomerState state = existing(customerId);
        Catalog cat = catalog;
        if (budget != null && budget.feature() != null) {
            Feature f = cat.feature(budget.feature())
                    .orElseThrow(() -> TollgateException.notFound(
                            "FEATURE_NOT_FOUND", "no feature '" + budget.feature() + "'", "feature"));
            if (f.type() != FeatureType.METERED) {
                throw TollgateException.invalid(
                        "FEATURE_NOT_METERED", "feature '" + f.key() + "' is not metered", "feature");
            }
        }
        if (budget != null
                && budget.currency() != null
                && !cat.definition().currencies().containsKey(budget.currency())) {
            throw TollgateException.notFound(
                    "CURRENCY_NOT_FOUND", "no currency '" + budget.currency() + "'", "currency");
        }
        synchronized (state) {
            if (!state.scopes.containsKey(scopeId)) {
                throw TollgateException.notFound("SCOPE_NOT_FOUND", "no scope '" + scopeId + "'", "scopeId");
            }
            requireAvailable();
            JournalEntry set =
                    new JournalEntry.BudgetSet(customerId, clock.instant(), null, scopeId, budgetKey, budget);
            state.apply(set, PLACEHOLDER);
            return enqueue(state, List.of(set)).thenApply(v -> scopeView(state, scopeId));
        }
    }

    /**
     * Every scope of a customer with its budgets' usage in their current windows, in creation order.
     *
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}
     */
    public List<ScopeView> scopes(String customerId) {
        CustomerState state = existing(customerId);
        synchronized (state) {
            List<ScopeView> out = new ArrayList<>();
            for (String id : state.scopes.keySet()) {
                out.add(scopeView(state, id));
            }
            return out;
        }
    }

    private ScopeView scopeView(CustomerState state, String scopeId) {
        synchronized (state) {
            Instant now = clock.instant();
            List<ScopeView.BudgetUsage> budgets = new ArrayList<>();
            for (Budget b : state.budgetsOf(scopeId)) {
                Window w = state.budgetWindow(b, now);
                budgets.add(new ScopeView.BudgetUsage(
                        b, state.budgetUsed(scopeId, b, now), state.heldBudget(scopeId, b, now, null), w.end()));
            }
            return new ScopeView(Objects.requireNonNull(state.scopes.get(scopeId)), List.copyOf(budgets));
        }
    }

    // ---- attribution ----

    /**
     * Usage of a customer over a time range, grouped, read from the store's usage index (durable usage only).
     *
     * @param from inclusive
     * @param to exclusive
     * @param groupBy {@code scope}, {@code feature}, {@code dimension.<name>}, in any combination (none: one total)
     * @param feature only this feature, or {@code null}
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code INVALID_GROUP_BY}
     * @throws StoreException if the store cannot be read
     */
    public List<UsageReport.Group> usage(
            String customerId, Instant from, Instant to, List<String> groupBy, @Nullable String feature) {
        return usage(customerId, new UsageQuery(from, to, groupBy, feature, null, 0));
    }

    /**
     * Usage of a customer over a time range, of one scope's subtree or of all, grouped, read from the store's usage
     * index (durable usage only). Scopes are placed in the current tree: usage recorded at a scope that moved since
     * counts where the scope is now.
     *
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code SCOPE_NOT_FOUND}, {@code INVALID_GROUP_BY},
     *     {@code INVALID_QUERY} (a negative depth, or a depth without grouping by scope)
     * @throws StoreException if the store cannot be read
     */
    public List<UsageReport.Group> usage(String customerId, UsageQuery query) {
        CustomerState state = existing(customerId);
        UsageReport.validate(query.groupBy());
        if (query.depth() < 0 || (query.depth() > 0 && !query.groupBy().contains("scope"))) {
            throw TollgateException.invalid(
                    "INVALID_QUERY", "depth is a whole number >= 1 that rolls up groupBy=scope", "depth");
        }
        // the tree is read in the customer's section, the store outside it
        Set<String> within = new HashSet<>();
        Map<String, @Nullable String> rollUp = new HashMap<>();
        synchronized (state) {
            if (query.scope() != null && !state.scopes.containsKey(query.scope())) {
                throw TollgateException.notFound("SCOPE_NOT_FOUND", "no scope '" + query.scope() + "'", "scope");
            }
            for (String id : state.scopes.keySet()) {
                if (query.scope() != null && state.within(id, query.scope())) {
                    within.add(id);
                }
                rollUp.put(id, query.depth() == 0 ? id : state.atDepth(id, query.depth()));
            }
        }
        List<UsageRow> rows = new ArrayList<>();
        for (UsageRow r : store.usage(customerId, query.from(), query.to())) {
            if ((query.feature() == null || query.feature().equals(r.feature()))
                    && (query.scope() == null || within.contains(r.scope()))) {
                rows.add(r);
            }
        }
        return UsageReport.group(rows, query.groupBy(), s -> s == null ? null : rollUp.getOrDefault(s, s));
    }

    /**
     * The usage of a customer per feature and period, for billing: what each period included, used and went over.
     *
     * @param from inclusive: usage that happened from then
     * @param to exclusive
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}
     * @throws StoreException if the store cannot be read
     */
    public List<UsageReport.Period> usagePeriods(String customerId, Instant from, Instant to) {
        existing(customerId);
        return UsageReport.periods(store.usage(customerId, from, to));
    }

    // ---- alerts and webhooks ----

    /** The reserved customer id under which webhook settings and deliveries are journaled. */
    public static final String SYSTEM = "_system";

    /**
     * One alert to deliver to one webhook.
     *
     * @param alert the alert
     * @param webhook where to
     */
    public record Delivery(Alert alert, Webhook webhook) {}

    private void toOutbox(Alert a) {
        for (String id : a.webhooks()) {
            Webhook w = webhookIndex.get(id);
            if (w != null) {
                outbox.putIfAbsent(a.id() + ' ' + id, new Delivery(a, w));
            }
        }
    }

    /** Rebuilds the outbox after start-up: every alert's webhooks without a delivery record. */
    private void loadOutbox() {
        CustomerState system = customers.get(SYSTEM);
        if (system == null) {
            return;
        }
        webhookIndex.putAll(system.webhooks);
        for (CustomerState state : customers.values()) {
            for (Alert a : state.alerts) {
                for (String id : a.webhooks()) {
                    Webhook w = system.webhooks.get(id);
                    Instant removed = system.webhooksRemoved.get(id);
                    if (w != null
                            && !system.delivered.contains(a.id() + ' ' + id)
                            && (removed == null || a.at().isAfter(removed))) {
                        outbox.put(a.id() + ' ' + id, new Delivery(a, w));
                    }
                }
            }
        }
    }

    /**
     * Creates or replaces a webhook. Alerts raised from now on are delivered to it.
     *
     * @return completes once durable
     */
    public CompletableFuture<Webhook> setWebhook(Webhook webhook) {
        CustomerState state = customers.computeIfAbsent(SYSTEM, CustomerState::new);
        synchronized (state) {
            requireAvailable();
            JournalEntry set = new JournalEntry.WebhookSet(SYSTEM, clock.instant(), null, webhook);
            state.apply(set, PLACEHOLDER);
            return enqueue(state, List.of(set)).thenApply(v -> {
                webhookIndex.put(webhook.id(), webhook);
                outbox.replaceAll(
                        (k, d) -> d.webhook().id().equals(webhook.id()) ? new Delivery(d.alert(), webhook) : d);
                return webhook;
            });
        }
    }

    /** Every webhook, by id. Thread-safe snapshot. */
    public List<Webhook> webhooks() {
        return new ArrayList<>(new TreeMap<>(webhookIndex).values());
    }

    /**
     * Removes a webhook: nothing more is delivered to it, including alerts already waiting for it, also after a
     * restart.
     *
     * @return completes with the removed webhook once durable
     * @throws TollgateException {@code WEBHOOK_NOT_FOUND}
     */
    public CompletableFuture<Webhook> removeWebhook(String webhookId) {
        CustomerState state = customers.computeIfAbsent(SYSTEM, CustomerState::new);
        synchronized (state) {
            Webhook removed = state.webhooks.get(webhookId);
            if (removed == null) {
                throw TollgateException.notFound("WEBHOOK_NOT_FOUND", "no webhook '" + webhookId + "'", "webhookId");
            }
            requireAvailable();
            JournalEntry remove = new JournalEntry.WebhookRemoved(SYSTEM, clock.instant(), null, webhookId);
            state.apply(remove, PLACEHOLDER);
            return enqueue(state, List.of(remove)).thenApply(v -> {
                webhookIndex.remove(webhookId);
                outbox.values().removeIf(d -> d.webhook().id().equals(webhookId));
                return removed;
            });
        }
    }

    /** Deliveries not yet made, oldest alert first. Thread-safe snapshot. */
    public List<Delivery> pendingDeliveries() {
        List<Delivery> out = new ArrayList<>(outbox.values());
        out.sort(java.util.Comparator.comparing((Delivery d) -> d.alert().at())
                .thenComparing(d -> d.alert().id()));
        return out;
    }

    /**
     * Records that an alert reached a webhook, so it is not sent there again (also after a restart).
     *
     * @return completes once durable
     */
    public CompletableFuture<Void> markDelivered(String alertId, String webhookId) {
        CustomerState state = customers.computeIfAbsent(SYSTEM, CustomerState::new);
        synchronized (state) {
            String key = "delivered:" + alertId + " " + webhookId;
            IdempotencyKeys.KeyRecord prior = prior(state, key);
            if (prior != null) {
                KeyUse.requireKind(prior.entry(), KeyUse.Kind.DELIVERY);
                return prior.durable();
            }
            requireAvailable();
            JournalEntry done = new JournalEntry.AlertDelivered(SYSTEM, clock.instant(), key, alertId, webhookId);
            state.apply(done, PLACEHOLDER);
            return enqueue(state, List.of(done)).thenRun(() -> outbox.remove(alertId + ' ' + webhookId));
        }
    }

    /**
     * Alerts, newest first.
     *
     * @param customerId one customer's, or {@code null} for all
     * @param limit at most this many
     */
    public List<Alert> eventLog(@Nullable String customerId, int limit) {
        List<Alert> all = new ArrayList<>();
        for (CustomerState state : customers.values()) {
            if (customerId != null && !customerId.equals(state.id)) {
                continue;
            }
            synchronized (state) {
                all.addAll(state.alerts);
            }
        }
        all.sort(java.util.Comparator.comparing(Alert::at)
                .thenComparing(Alert::id)
                .reversed());
        return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
    }

    // ---- sessions ----

    /** The longest a session can live, heartbeats included, unless the request says less. */
    public static final Duration MAX_SESSION_LIFETIME = Duration.ofHours(24);

    /**
     * Opens a session: holds {@code amount} on the currency's balance or the feature's limit and on every budget on
     * the path from its scope, all at once, or refuses with the reason and what bound it.
     *
     * @return completes once durable with the session, or at once with the refusal (not recorded)
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code SCOPE_NOT_FOUND}, {@code FEATURE_NOT_FOUND},
     *     {@code FEATURE_NOT_METERED}, {@code CURRENCY_NOT_FOUND}
     */
    public CompletableFuture<Outcome<SessionOutcome>> openSession(String customerId, SessionRequest request) {
        return readingCatalog(() -> openSessionReadingCatalog(customerId, request));
    }

    private CompletableFuture<Outcome<SessionOutcome>> openSessionReadingCatalog(
            String customerId, SessionRequest request) {
        KeyUse.requireCallerKey(request.idempotencyKey());
        CustomerState state = existing(customerId);
        Catalog cat = catalog;
        if (request.feature() != null) {
            Feature f = cat.feature(request.feature())
                    .orElseThrow(() -> TollgateException.notFound(
                            "FEATURE_NOT_FOUND", "no feature '" + request.feature() + "'", "feature"));
            if (f.type() != FeatureType.METERED) {
                throw TollgateException.invalid(
                        "FEATURE_NOT_METERED", "feature '" + f.key() + "' is not metered", "feature");
            }
        } else if (!cat.definition().currencies().containsKey(Objects.requireNonNull(request.currency()))) {
            throw TollgateException.notFound(
                    "CURRENCY_NOT_FOUND", "no currency '" + request.currency() + "'", "currency");
        }
        synchronized (state) {
            String print = KeyUse.fingerprint(
                    KeyUse.Kind.SESSION_OPEN,
                    request.scope(),
                    request.currency(),
                    request.feature(),
                    request.amount(),
                    request.ttl(),
                    request.maxLifetime());
            IdempotencyKeys.KeyRecord prior = prior(state, request.idempotencyKey());
            if (prior != null) {
                KeyUse.requireSame(prior.entry(), KeyUse.Kind.SESSION_OPEN, print, e -> {
                    Session s = ((JournalEntry.SessionOpened) e).session();
                    return Objects.equals(s.feature(), request.feature())
                            && Objects.equals(s.currency(), request.currency())
                            && s.amount().compareTo(request.amount()) == 0;
                });
                JournalEntry.SessionOpened o = (JournalEntry.SessionOpened) prior.entry();
                return prior.durable()
                        .thenApply(v -> new Outcome<>(
                                SessionOutcome.opened(
                                        sessionView(state, o.session().id())),
                                true));
            }
            if (request.scope() != null && !state.scopes.containsKey(request.scope())) {
                throw TollgateException.notFound("SCOPE_NOT_FOUND", "no scope '" + request.scope() + "'", "scope");
            }
            requireAvailable();
            Instant now = clock.instant();
            List<JournalEntry> entries = new ArrayList<>(housekeep(state, cat, now));
            Decision d;
            if (request.feature() != null) {
                EffectiveEntitlement e = state.resolve(cat, now).entitlements().get(request.feature());
                if (e == null) {
                    d = Decision.denied(unentitled(state, now));
                } else {
                    Window w = window(state, e, now);
                    d = MeteredLimit.decide(
                            e,
                            w,
                            state.used(request.feature(), w.start()),
                            state.heldFeature(request.feature(), now, null),
                            request.amount(),
                            MeteredLimit.Mode.CHECK);
                }
                d = budgeted(state, d, request.scope(), request.feature(), request.amount(), Map.of(), now, null);
            } else {
                String currency = Objects.requireNonNull(request.currency());
                BigDecimal available =
                        state.account(currency).available(now).subtract(state.heldCredits(currency, now, null));
                Currency cur = cat.definition().currencies().get(currency);
                d = Decision.plain(true, null, null, null)
                        .withCredit(new CreditCharge(currency, request.amount(), available));
                if (cur != null && cur.hardDepletion() && available.compareTo(request.amount()) < 0) {
                    d = d.refused(Reason.INSUFFICIENT_CREDITS, new BoundBy("currency", null, currency, null, null));
                }
                d = budgeted(state, d, request.scope(), "", BigDecimal.ZERO, Map.of(), now, null);
            }
            if (!d.allowed()) {
                Decision refusal = d;
                if (!entries.isEmpty()) {
                    return enqueue(state, entries)
                            .thenApply(v -> new Outcome<>(SessionOutcome.refused(refusal), false));
                }
                return CompletableFuture.completedFuture(new Outcome<>(SessionOutcome.refused(refusal), false));
            }
            Instant maxUntil = now.plus(request.maxLifetime() == null ? MAX_SESSION_LIFETIME : request.maxLifetime());
            Instant expiresAt = min(now.plus(request.ttl()), maxUntil);
            Session session = new Session(
                    customerId + "@s" + (state.sessions.size() + 1),
                    request.scope(),
                    request.currency(),
                    request.feature(),
                    request.amount(),
                    now,
                    expiresAt,
                    maxUntil);
            JournalEntry opened =
                    new JournalEntry.SessionOpened(customerId, now, request.idempotencyKey(), session, print);
            state.apply(opened, PLACEHOLDER);
            entries.add(opened);
            return enqueue(state, entries)
                    .thenApply(v -> new Outcome<>(SessionOutcome.opened(sessionView(state, session.id())), false));
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** The customer a session id belongs to (ids are {@code <customerId>@s<n>}). */
    private CustomerState sessionOwner(String sessionId) {
        int at = sessionId.lastIndexOf('@');
        CustomerState state = at <= 0 ? null : customers.get(sessionId.substring(0, at));
        if (state == null || !state.sessions.containsKey(sessionId)) {
            throw TollgateException.notFound("SESSION_NOT_FOUND", "no session '" + sessionId + "'", "sessionId");
        }
        return state;
    }

    /**
     * A session that still holds: call inside the customer's section.
     *
     * @throws TollgateException {@code SESSION_NOT_FOUND}; {@code SESSION_CLOSED} (409) if closed or past its deadline
     */
    private static CustomerState.OpenSession liveSession(CustomerState state, String sessionId, Instant now) {
        CustomerState.OpenSession o = state.sessions.get(sessionId);
        if (o == null) {
            throw TollgateException.notFound("SESSION_NOT_FOUND", "no session '" + sessionId + "'", "sessionId");
        }
        if (o.closed || !now.isBefore(o.expiresAt)) {
            throw TollgateException.conflict(
                    "SESSION_CLOSED", "session '" + sessionId + "' is closed or expired", "sessionId");
        }
        return o;
    }

    /**
     * Extends a session's deadline to {@code now + ttl}, never past its maximum lifetime.
     *
     * @throws TollgateException {@code SESSION_NOT_FOUND}, {@code SESSION_CLOSED}
     */
    public CompletableFuture<SessionView> heartbeat(String sessionId, Duration ttl) {
        CustomerState state = sessionOwner(sessionId);
        synchronized (state) {
            Instant now = clock.instant();
            CustomerState.OpenSession o = liveSession(state, sessionId, now);
            requireAvailable();
            Instant next = min(now.plus(ttl), o.session.maxUntil());
            JournalEntry extended = new JournalEntry.SessionExtended(state.id, now, null, sessionId, next);
            state.apply(extended, PLACEHOLDER);
            return enqueue(state, List.of(extended)).thenApply(v -> sessionView(state, sessionId));
        }
    }

    /**
     * Closes a session and releases what it still holds. With {@code used}, the session's total use: the part not yet
     * consumed inside it is recorded now as reported usage (never refused; past a hard limit it is overage, past a
     * hard balance overdraft), priced like any usage; it counts against every budget on the session's scope path
     * and in the session's {@code consumed}. A session past its deadline settles the same, whether or not the sweeper
     * has released it yet. Closing again answers the first close.
     *
     * @param used the total used in the session (units or credits, as it holds), or {@code null}
     * @throws TollgateException {@code SESSION_NOT_FOUND}
     */
    public CompletableFuture<Outcome<SessionView>> closeSession(String sessionId, @Nullable BigDecimal used) {
        CustomerState state = sessionOwner(sessionId);
        Catalog cat = catalog;
        synchronized (state) {
            String key = "close:" + sessionId;
            IdempotencyKeys.KeyRecord prior = prior(state, key);
            if (prior != null) {
                KeyUse.requireKind(prior.entry(), KeyUse.Kind.SESSION_CLOSE);
                return prior.durable().thenApply(v -> new Outcome<>(sessionView(state, sessionId), true));
            }
            CustomerState.OpenSession o = state.sessions.get(sessionId);
            requireAvailable();
            Instant now = clock.instant();
            List<JournalEntry> entries = new ArrayList<>(housekeep(state, cat, now));
            Session session = o.session;
            BigDecimal extra = used == null ? BigDecimal.ZERO : used.subtract(o.consumed);
            BoundBy passed = null;
            if (extra.signum() > 0) {
                if (session.feature() != null) {
                    EffectiveEntitlement e =
                            state.resolve(cat, now).entitlements().get(session.feature());
                    if (e != null) {
                        Window w = window(state, e, now);
                        BigDecimal usedBefore = state.used(session.feature(), w.start());
                        Decision d =
                                MeteredLimit.decide(e, w, usedBefore, BigDecimal.ZERO, extra, MeteredLimit.Mode.REPORT);
                        RateCard card = rateCard(cat, session.feature());
                        CreditCharge price = null;
                        if (card != null) {
                            BigDecimal credits = Pricing.price(card, extra, Map.of(), usedBefore);
                            if (credits != null) {
                                price = new CreditCharge(
                                        card.currency(),
                                        credits,
                                        Decimals.normalize(state.account(card.currency())
                                                .available(now)
                                                .subtract(credits)));
                                d = d.withCredit(price);
                            }
                        }
                        passed = passedOnClose(
                                state,
                                cat,
                                d,
                                e.enforcement() == dev.tollgate.core.catalog.Enforcement.HARD
                                                && d.overageQuantity().signum() > 0
                                        ? BoundBy.feature(session.feature())
                                        : null,
                                session,
                                extra,
                                price != null && price.balance().signum() < 0 ? price.currency() : null,
                                now);
                        JournalEntry usage = new JournalEntry.UsageRecorded(
                                state.id,
                                now,
                                key + ":usage",
                                session.feature(),
                                extra,
                                w.start(),
                                d.overageQuantity(),
                                UsageSource.EVENT,
                                now,
                                session.scope(),
                                Map.of(),
                                d.asRecorded(),
                                sessionId);
                        state.apply(usage, PLACEHOLDER);
                        entries.add(usage);
                        if (price != null) {
                            entries.addAll(charge(
                                    state,
                                    price,
                                    key + ":usage",
                                    session.feature(),
                                    extra,
                                    session.scope(),
                                    Map.of(),
                                    now));
                        }
                    }
                } else {
                    String currency = Objects.requireNonNull(session.currency());
                    CreditAccount account = state.account(currency);
                    BurnOrder.Allocation taken = BurnOrder.allocate(account.burnable(now), extra);
                    passed = passedOnClose(
                            state,
                            cat,
                            Decision.plain(true, null, null, null)
                                    .withCredit(new CreditCharge(currency, extra, account.available(now))),
                            null,
                            session,
                            BigDecimal.ZERO,
                            taken.shortfall().signum() > 0 ? currency : null,
                            now);
                    List<Movement> movements = new ArrayList<>(taken.movements());
                    if (taken.shortfall().signum() > 0) {
                        movements.add(new Movement(null, taken.shortfall().negate()));
                    }
                    JournalEntry settled = new JournalEntry.SessionSettled(
                            state.id, now, null, sessionId, session.scope(), currency, extra);
                    state.apply(settled, PLACEHOLDER);
                    entries.add(settled);
                    JournalEntry spent = new JournalEntry.CreditsMoved(
                            state.id,
                            now,
                            null,
                            EntryType.CONSUME,
                            currency,
                            now,
                            List.copyOf(movements),
                            key,
                            null,
                            null,
                            session.scope(),
                            Map.of());
                    state.apply(spent, PLACEHOLDER);
                    // right before the closing record that carries the key: where Store#charge finds it
                    entries.add(spent);
                }
            }
            BigDecimal total = Decimals.max(o.consumed, used == null ? BigDecimal.ZERO : used);
            BigDecimal excess = total.subtract(session.amount());
            JournalEntry closed = new JournalEntry.SessionClosed(
                    state.id,
                    now,
                    key,
                    sessionId,
                    false,
                    excess.signum() > 0 ? Decimals.normalize(excess) : null,
                    excess.signum() > 0 ? passed : null);
            state.apply(closed, PLACEHOLDER);
            entries.add(closed);
            return enqueue(state, entries).thenApply(v -> new Outcome<>(sessionView(state, sessionId), false));
        }
    }

    /**
     * The first hard limit a session's settlement goes past, in the order a consumption would be refused: the
     * feature's limit, the currency's balance, then the budgets from the session's scope up. Call before the
     * settlement is applied.
     *
     * @param settled the settlement as a decision (its credit side, if priced)
     * @param feature the feature's hard limit if the settlement goes past it, else {@code null}
     * @param quantity the settlement's units (0 for a currency session)
     * @param overdrawn the hard or soft currency the settlement overdraws, or {@code null}
     */
    private static @Nullable BoundBy passedOnClose(
            CustomerState state,
            Catalog cat,
            Decision settled,
            @Nullable BoundBy feature,
            Session session,
            BigDecimal quantity,
            @Nullable String overdrawn,
            Instant now) {
        if (feature != null) {
            return feature;
        }
        Currency cur = overdrawn == null ? null : cat.definition().currencies().get(overdrawn);
        if (cur != null && cur.hardDepletion()) {
            return new BoundBy("currency", null, overdrawn, null, null);
        }
        Decision d = budgeted(
                state,
                settled,
                session.scope(),
                session.feature() == null ? "" : session.feature(),
                quantity,
                Map.of(),
                now,
                session.id());
        return d.allowed() ? null : d.boundBy();
    }

    /**
     * A session as it stands now.
     *
     * @throws TollgateException {@code SESSION_NOT_FOUND}
     */
    public SessionView session(String sessionId) {
        return sessionView(sessionOwner(sessionId), sessionId);
    }

    private SessionView sessionView(CustomerState state, String sessionId) {
        synchronized (state) {
            Instant now = clock.instant();
            CustomerState.OpenSession o = Objects.requireNonNull(state.sessions.get(sessionId));
            String status = o.closed ? "closed" : now.isBefore(o.expiresAt) ? "open" : "expired";
            return new SessionView(
                    o.session,
                    status,
                    o.expiresAt,
                    o.consumed,
                    status.equals("open") ? o.remaining : BigDecimal.ZERO,
                    o.excess,
                    o.excessBoundBy);
        }
    }

    // ---- credits ----

    /**
     * Grants credits. A grant that is effective now first pays back any overdraft.
     *
     * @return completes with the grant once durable (and whether it was a replay)
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code CURRENCY_NOT_FOUND}, {@code INVALID_GRANT},
     *     {@code IDEMPOTENCY_KEY_REUSED}
     */
    public CompletableFuture<Outcome<GrantView>> grant(String customerId, GrantRequest request) {
        return readingCatalog(() -> grantReadingCatalog(customerId, request));
    }

    private CompletableFuture<Outcome<GrantView>> grantReadingCatalog(String customerId, GrantRequest request) {
        KeyUse.requireCallerKey(request.idempotencyKey());
        CustomerState state = existing(customerId);
        Catalog cat = catalog;
        if (!cat.definition().currencies().containsKey(request.currency())) {
            throw TollgateException.notFound(
                    "CURRENCY_NOT_FOUND", "no currency '" + request.currency() + "'", "currency");
        }
        if (request.promotional() && request.costBasis().signum() != 0) {
            throw TollgateException.invalid(
                    "INVALID_GRANT", "promotional credits have no cost basis; give 0 or omit it", "costBasis");
        }
        synchronized (state) {
            String print = KeyUse.fingerprint(
                    KeyUse.Kind.GRANT,
                    request.currency(),
                    request.amount(),
                    request.promotional(),
                    request.costBasis(),
                    request.priority(),
                    request.effectiveAt(),
                    request.expiresAt());
            IdempotencyKeys.KeyRecord prior = prior(state, request.idempotencyKey());
            if (prior != null) {
                KeyUse.requireSame(prior.entry(), KeyUse.Kind.GRANT, print, e -> {
                    Grant g = ((JournalEntry.GrantCreated) e).grant();
                    return g.currency().equals(request.currency()) && g.amount().compareTo(request.amount()) == 0;
                });
                JournalEntry.GrantCreated g = (JournalEntry.GrantCreated) prior.entry();
                return prior.durable()
                        .thenApply(v -> new Outcome<>(grantView(state, g.grant().id()), true));
            }
            requireAvailable();
            Instant now = clock.instant();
            Instant effectiveAt = request.effectiveAt() != null ? request.effectiveAt() : now;
            if (request.expiresAt() != null && !request.expiresAt().isAfter(effectiveAt)) {
                throw TollgateException.invalid("INVALID_GRANT", "expiresAt must be after effectiveAt", "expiresAt");
            }
            List<JournalEntry> entries = new ArrayList<>(housekeep(state, cat, now));
            int count = 0;
            for (CreditAccount a : state.accounts.values()) {
                count += a.slots().size();
            }
            Grant grant = new Grant(
                    "g" + (count + 1),
                    request.currency(),
                    request.amount(),
                    request.promotional(),
                    request.costBasis(),
                    request.priority(),
                    effectiveAt,
                    request.expiresAt(),
                    "api",
                    null);
            JournalEntry created =
                    new JournalEntry.GrantCreated(customerId, now, request.idempotencyKey(), grant, print);
            state.apply(created, PLACEHOLDER);
            entries.add(created);
            repayNow(state, grant.currency(), now, entries);
            return enqueue(state, entries).thenApply(v -> new Outcome<>(grantView(state, grant.id()), false));
        }
    }

    private GrantView grantView(CustomerState state, String grantId) {
        synchronized (state) {
            Instant now = clock.instant();
            for (CreditAccount a : accountsAt(state, catalog, now).values()) {
                CreditAccount.Slot s = a.slot(grantId);
                if (s != null) {
                    return view(s, now);
                }
            }
            throw TollgateException.notFound("GRANT_NOT_FOUND", "no grant '" + grantId + "'", "grantId");
        }
    }

    private static GrantView view(CreditAccount.Slot s, Instant now) {
        String status;
        if (s.voided()) {
            status = "voided";
        } else if (s.expired()
                || (s.grant().expiresAt() != null && !now.isBefore(s.grant().expiresAt()))) {
            status = "expired";
        } else if (now.isBefore(s.grant().effectiveAt())) {
            status = "pending";
        } else if (s.remaining().signum() == 0) {
            status = "depleted";
        } else {
            status = "active";
        }
        BigDecimal remaining = status.equals("expired") ? BigDecimal.ZERO : s.remaining();
        return new GrantView(s.grant(), remaining, status);
    }

    /**
     * A customer's grants, oldest first, as they stand now.
     *
     * @param currency only this currency, or {@code null} for all
     * @param activeOnly only grants that can be spent now
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}
     */
    public List<GrantView> grants(String customerId, @Nullable String currency, boolean activeOnly) {
        CustomerState state = existing(customerId);
        synchronized (state) {
            Instant now = clock.instant();
            List<GrantView> out = new ArrayList<>();
            for (CreditAccount a : accountsAt(state, catalog, now).values()) {
                if (currency != null && !currency.equals(a.currency())) {
                    continue;
                }
                for (CreditAccount.Slot s : a.slots()) {
                    GrantView v = view(s, now);
                    if (!activeOnly || v.status().equals("active")) {
                        out.add(v);
                    }
                }
            }
            return out;
        }
    }

    /**
     * Voids what remains of a grant. Voiding it again answers the first void.
     *
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code GRANT_NOT_FOUND}, {@code GRANT_EXPIRED}
     */
    public CompletableFuture<Outcome<GrantView>> voidGrant(String customerId, String grantId) {
        CustomerState state = existing(customerId);
        Catalog cat = catalog;
        synchronized (state) {
            String key = "void:" + grantId;
            IdempotencyKeys.KeyRecord prior = prior(state, key);
            if (prior != null) {
                KeyUse.requireKind(prior.entry(), KeyUse.Kind.VOID);
                return prior.durable().thenApply(v -> new Outcome<>(grantView(state, grantId), true));
            }
            requireAvailable();
            Instant now = clock.instant();
            List<JournalEntry> entries = new ArrayList<>(housekeep(state, cat, now));
            CreditAccount.Slot slot = null;
            String currency = null;
            for (CreditAccount a : state.accounts.values()) {
                if (a.slot(grantId) != null) {
                    slot = a.slot(grantId);
                    currency = a.currency();
                }
            }
            if (slot == null || currency == null) {
                throw TollgateException.notFound("GRANT_NOT_FOUND", "no grant '" + grantId + "'", "grantId");
            }
            if (slot.expired()) {
                throw TollgateException.conflict("GRANT_EXPIRED", "grant '" + grantId + "' has expired", "grantId");
            }
            JournalEntry voided = new JournalEntry.CreditsMoved(
                    customerId,
                    now,
                    key,
                    EntryType.VOID,
                    currency,
                    now,
                    List.of(new Movement(grantId, slot.remaining().negate())),
                    null,
                    null,
                    null,
                    null,
                    Map.of());
            state.apply(voided, PLACEHOLDER);
            entries.add(voided);
            return enqueue(state, entries).thenApply(v -> new Outcome<>(grantView(state, grantId), false));
        }
    }

    /**
     * Refunds a priced consumption: its credits go back to the grants they came from, in reverse order, except to
     * grants that have expired or been voided since (and the part it overdrew reduces the overdraft, as far as there
     * is one). If the account is still overdrawn, the credits given back pay it first. Refunding it again answers the
     * first refund.
     *
     * @param consumptionKey the consumption's idempotency key
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code CONSUMPTION_NOT_FOUND}
     */
    public CompletableFuture<Outcome<RefundView>> refund(String customerId, String consumptionKey) {
        CustomerState state = existing(customerId);
        Catalog cat = catalog;
        synchronized (state) {
            String key = "refund:" + consumptionKey;
            IdempotencyKeys.KeyRecord prior = prior(state, key);
            JournalEntry.CreditsMoved charged = charged(state, consumptionKey);
            if (prior != null) {
                KeyUse.requireKind(prior.entry(), KeyUse.Kind.REFUND);
            }
            if (prior != null && charged != null) {
                RefundView first = refundView(charged, (JournalEntry.CreditsMoved) prior.entry());
                return prior.durable().thenApply(v -> new Outcome<>(first, true));
            }
            if (charged == null) {
                throw TollgateException.notFound(
                        "CONSUMPTION_NOT_FOUND",
                        "no consumption charged in credits with key '" + consumptionKey + "'",
                        "idempotencyKey");
            }
            requireAvailable();
            Instant now = clock.instant();
            List<JournalEntry> entries = new ArrayList<>(housekeep(state, cat, now));
            CreditAccount account = state.account(charged.currency());
            List<Movement> back = new ArrayList<>();
            BigDecimal overdraftLeft = account.overdraft();
            List<Movement> taken = new ArrayList<>(charged.movements());
            java.util.Collections.reverse(taken);
            for (Movement m : taken) {
                BigDecimal amount = m.amount().negate();
                if (m.grantId() == null) {
                    BigDecimal give = amount.min(overdraftLeft);
                    if (give.signum() > 0) {
                        back.add(new Movement(null, give));
                        overdraftLeft = overdraftLeft.subtract(give);
                    }
                    continue;
                }
                CreditAccount.Slot s = Objects.requireNonNull(account.slot(m.grantId()));
                if (s.voided() || s.expired() || !s.grant().liveAt(now)) {
                    continue;
                }
                BigDecimal give = amount.min(s.grant().amount().subtract(s.remaining()));
                if (give.signum() > 0) {
                    back.add(new Movement(m.grantId(), give));
                }
            }
            JournalEntry.CreditsMoved refunded = new JournalEntry.CreditsMoved(
                    customerId,
                    now,
                    key,
                    EntryType.REFUND,
                    charged.currency(),
                    now,
                    List.copyOf(back),
                    consumptionKey,
                    charged.feature(),
                    charged.quantity(),
                    charged.scope(),
                    charged.dimensions());
            state.apply(refunded, PLACEHOLDER);
            entries.add(refunded);
            // credits back in a grant while the account is overdrawn pay the overdraft at once
            repayNow(state, charged.currency(), now, entries);
            RefundView answer = refundView(charged, refunded);
            return enqueue(state, entries).thenApply(v -> new Outcome<>(answer, false));
        }
    }

    private static RefundView refundView(JournalEntry.CreditsMoved charged, JournalEntry.CreditsMoved refunded) {
        BigDecimal spent = BigDecimal.ZERO;
        for (Movement m : charged.movements()) {
            spent = spent.subtract(m.amount());
        }
        BigDecimal back = BigDecimal.ZERO;
        for (Movement m : refunded.movements()) {
            back = back.add(m.amount());
        }
        return new RefundView(
                Objects.requireNonNull(charged.reference()),
                charged.currency(),
                Decimals.normalize(back),
                Decimals.normalize(spent.subtract(back)));
    }

    /**
     * Configures (or, with {@code null}, switches off) auto-recharge of a currency.
     *
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code CURRENCY_NOT_FOUND}
     */
    public CompletableFuture<BalanceView> setAutoRecharge(
            String customerId, String currency, @Nullable AutoRecharge config) {
        return readingCatalog(() -> setAutoRechargeReadingCatalog(customerId, currency, config));
    }

    private CompletableFuture<BalanceView> setAutoRechargeReadingCatalog(
            String customerId, String currency, @Nullable AutoRecharge config) {
        CustomerState state = existing(customerId);
        if (!catalog.definition().currencies().containsKey(currency)) {
            throw TollgateException.notFound("CURRENCY_NOT_FOUND", "no currency '" + currency + "'", "currency");
        }
        synchronized (state) {
            requireAvailable();
            JournalEntry set = new JournalEntry.AutoRechargeSet(customerId, clock.instant(), null, currency, config);
            state.apply(set, PLACEHOLDER);
            return enqueue(state, List.of(set)).thenApply(v -> balance(state, currency));
        }
    }

    /**
     * Every currency's balance, as it stands now (allotments due and expiries included without waiting for a write).
     *
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}
     */
    public List<BalanceView> balances(String customerId) {
        CustomerState state = existing(customerId);
        synchronized (state) {
            Set<String> currencies =
                    new java.util.TreeSet<>(catalog.definition().currencies().keySet());
            currencies.addAll(state.accounts.keySet());
            List<BalanceView> out = new ArrayList<>();
            for (String c : currencies) {
                out.add(balance(state, c));
            }
            return out;
        }
    }

    private BalanceView balance(CustomerState state, String currency) {
        synchronized (state) {
            Instant now = clock.instant();
            CreditAccount a = accountsAt(state, catalog, now).get(currency);
            if (a == null) {
                a = new CreditAccount(currency);
            }
            BigDecimal held = state.heldCredits(currency, now, null);
            return new BalanceView(
                    currency,
                    Decimals.normalize(a.available(now).subtract(held)),
                    a.balance(),
                    held,
                    a.overdraft(),
                    state.recharges.get(currency));
        }
    }

    /**
     * The customer's ledger, read from the store (durable entries only), oldest first.
     *
     * @param currency only this currency, or {@code null}
     * @param afterSeq entries after this position (0 for the start)
     * @param limit at most this many
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}
     * @throws StoreException if the store cannot be read
     */
    public List<LedgerLine> ledger(String customerId, @Nullable String currency, long afterSeq, int limit) {
        existing(customerId);
        List<LedgerLine> out = new ArrayList<>();
        for (LedgerLine line : Ledger.lines(store.entries(customerId))) {
            if (line.seq() > afterSeq && (currency == null || currency.equals(line.currency()))) {
                out.add(line);
                if (out.size() == limit) {
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Records what time has made due (allotments, expiries, overdraft repayment) for every customer, so that the
     * ledger shows an expiry soon after it happens even for a customer that writes nothing. Balances never wait for
     * it. Skipped while the store is unavailable.
     *
     * @return the number of records written
     */
    public int sweep() {
        if (!journal.available()) {
            return 0;
        }
        Catalog cat = catalog;
        int written = 0;
        for (CustomerState state : customers.values()) {
            synchronized (state) {
                if (!state.exists
                        || (state.accounts.isEmpty() && state.subscription == null && state.sessions.isEmpty())) {
                    continue;
                }
                Instant now = clock.instant();
                List<JournalEntry> due = new ArrayList<>(housekeep(state, cat, now));
                for (CustomerState.OpenSession o : List.copyOf(state.sessions.values())) {
                    if (!o.closed && !now.isBefore(o.expiresAt)) {
                        JournalEntry expired =
                                new JournalEntry.SessionClosed(state.id, now, null, o.session.id(), true);
                        state.apply(expired, PLACEHOLDER);
                        due.add(expired);
                    }
                }
                if (!due.isEmpty()) {
                    enqueue(state, due);
                    written += due.size();
                }
            }
        }
        return written;
    }

    /**
     * Marks records applied before their journal future exists; {@link #enqueue} replaces it for every key of the
     * batch before the customer's section is released.
     */
    private static final CompletableFuture<Void> PLACEHOLDER = new CompletableFuture<>();

    // ---- commit plumbing ----

    private CompletableFuture<Void> commit(CustomerState state, List<JournalEntry> entries) {
        requireAvailable();
        for (JournalEntry e : entries) {
            state.apply(e, PLACEHOLDER);
        }
        return enqueue(state, entries);
    }

    /** Enqueues records already applied to {@code state}; call inside the customer's section. */
    private CompletableFuture<Void> enqueue(CustomerState state, List<JournalEntry> applied) {
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
        return durable;
    }

    /** The value, after {@code entries} were applied, of every counter they changed: the derived state to store. */
    private static List<CounterValue> counters(CustomerState state, List<JournalEntry> entries) {
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
    private void requireAvailable() {
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
    private IdempotencyKeys.@Nullable KeyRecord prior(CustomerState state, String key) {
        IdempotencyKeys.KeyRecord recent = state.keys.recent(key);
        if (recent != null || !state.keys.mayHave(key)) {
            return recent;
        }
        JournalEntry stored = store.entry(state.id, key);
        return stored == null ? null : new IdempotencyKeys.KeyRecord(stored, DONE);
    }

    /**
     * The charge of a consumption: from memory if it is among the last charges held, else from the store if the key
     * may have been used at all (never read for a key the customer never sent).
     */
    private JournalEntry.@Nullable CreditsMoved charged(CustomerState state, String consumptionKey) {
        JournalEntry.CreditsMoved recent = state.charges.get(consumptionKey);
        if (recent != null || !state.keys.mayHave(consumptionKey)) {
            return recent;
        }
        return store.charge(state.id, consumptionKey);
    }

    /**
     * The replay of a repeated key: empty if the key is new (or {@code null}), else the first answer once durable.
     *
     * @param legacy for a first record without a fingerprint: whether what it holds matches this request
     * @throws TollgateException {@code IDEMPOTENCY_KEY_REUSED} if the key was used for another request
     */
    private <T> Optional<CompletableFuture<Outcome<T>>> replayed(
            CustomerState state,
            @Nullable String key,
            KeyUse.Kind kind,
            String print,
            java.util.function.Predicate<JournalEntry> legacy,
            java.util.function.Function<JournalEntry, T> answer) {
        if (key == null) {
            return Optional.empty();
        }
        IdempotencyKeys.KeyRecord prior = prior(state, key);
        if (prior == null) {
            return Optional.empty();
        }
        KeyUse.requireSame(prior.entry(), kind, print, legacy);
        return Optional.of(prior.durable().thenApply(v -> new Outcome<>(answer.apply(prior.entry()), true)));
    }

    private CustomerState existing(String customerId) {
        CustomerState state = customers.get(customerId);
        if (state == null || !state.exists) {
            throw TollgateException.notFound("CUSTOMER_NOT_FOUND", "no customer '" + customerId + "'", "customerId");
        }
        return state;
    }

    /** Tells whether the store answers (readiness). */
    public boolean storeReachable() {
        return store.ping();
    }

    /** Tells whether writes are accepted: {@code false} from a failed commit until the store answers again. */
    public boolean writable() {
        return journal.available();
    }

    /** Commits what is queued and stops the journal. The store stays open. */
    @Override
    public void close() {
        journal.close();
    }

    /**
     * Keeps the durable shadows current, restores state after a failed commit, and resynchronises in-doubt customers
     * once the store is back; forwards to the observer. Runs on the journal's follow-up thread.
     */
    private final class JournalEvents implements GroupCommitJournal.Listener {
        @Override
        public void committed(int commands, List<JournalEntry> entries, long nanos) {
            for (JournalEntry e : entries) {
                if (e instanceof JournalEntry.CatalogPublished c) {
                    durableCatalog = Objects.requireNonNull(publishedCatalogs.remove(c.version()));
                } else {
                    CustomerState state = customers.get(Objects.requireNonNull(e.customerId()));
                    Objects.requireNonNull(Objects.requireNonNull(state).durable)
                            .apply(e, DONE);
                }
            }
            if (observer != null) {
                observer.committed(commands, entries, nanos);
            }
        }

        @Override
        public void failed(List<JournalEntry> entries, RuntimeException cause) {
            for (JournalEntry e : entries) {
                inDoubt.add(e.customerId() == null ? CATALOG : e.customerId());
            }
            restore(entries);
            if (observer != null) {
                observer.failed(entries, cause);
            }
        }

        /** Not in doubt: nothing of the command is stored, and its customers' durable shadows are exact. */
        @Override
        public void refused(List<JournalEntry> entries, RuntimeException cause) {
            restore(entries);
            if (observer != null) {
                observer.refused(entries, cause);
            }
        }

        /** Takes back from memory the effects of {@code entries} and of everything applied on top of them. */
        private void restore(List<JournalEntry> entries) {
            boolean catalogLost = false;
            for (JournalEntry e : entries) {
                CustomerState state = e.customerId() == null ? null : customers.get(e.customerId());
                catalogLost |= e.customerId() == null;
                if (state != null) {
                    synchronized (state) {
                        state.epoch++;
                        state.copyFrom(Objects.requireNonNull(state.durable));
                    }
                }
            }
            if (catalogLost) {
                synchronized (catalogLock) {
                    publishedCatalogs.clear();
                    int version = durableCatalog.version();
                    catalog = durableCatalog;
                    catalogHistory.removeIf(v -> v.version() > version);
                    catalogVersions.keySet().removeIf(v -> v > version);
                }
            }
        }

        @Override
        public void recovered() {
            for (String id : List.copyOf(inDoubt)) {
                if (id.equals(CATALOG)) {
                    synchronized (catalogLock) {
                        Catalog[] latest = {Catalog.empty()};
                        catalogHistory.clear();
                        catalogVersions.clear();
                        store.replay(e -> {
                            if (e instanceof JournalEntry.CatalogPublished c) {
                                latest[0] = latest[0].publish(
                                        CatalogReader.read(c.document()), c.document(), c.at(), c.author());
                                recordHistory(latest[0], c.origin());
                            }
                        });
                        catalog = latest[0];
                        durableCatalog = latest[0];
                    }
                } else {
                    CustomerState state = Objects.requireNonNull(customers.get(id));
                    List<JournalEntry> stored = store.entries(id);
                    synchronized (state) {
                        state.epoch++;
                        CustomerState shadow = Objects.requireNonNull(state.durable);
                        shadow.clear();
                        stored.forEach(e -> shadow.apply(e, DONE));
                        state.copyFrom(shadow);
                    }
                }
                inDoubt.remove(id);
            }
            if (observer != null) {
                observer.recovered();
            }
        }
    }
}
