package dev.tollgate.core.engine;

import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.catalog.AddonVersion;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogDefinition;
import dev.tollgate.core.catalog.CatalogReader;
import dev.tollgate.core.catalog.Entitlement;
import dev.tollgate.core.catalog.Feature;
import dev.tollgate.core.catalog.FeatureType;
import dev.tollgate.core.catalog.PlanChangeReset;
import dev.tollgate.core.catalog.PlanVersion;
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
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
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
import org.jspecify.annotations.Nullable;

/**
 * Applies commands to per-customer state and makes their records durable.
 *
 * <p>Concurrency: every customer has an exclusive section (its state's monitor). A write runs entirely inside it:
 * validate, decide, build records, {@link CustomerState#apply apply} them to memory, enqueue them to the {@link
 * GroupCommitJournal}. No I/O happens inside; the caller's future completes once the journal has committed the batch
 * that holds its records. A check takes the same section briefly and reads memory only. Two commands of one customer
 * therefore never interleave, and a hard limit is never exceeded under any number of concurrent callers, while writes
 * of many customers (and many writes of one) still share each fsync.
 *
 * <p>Visibility: a write's effects are visible to other callers once applied, before they are durable (as in any
 * group-commit database); its own caller is answered only after it is durable. A repeated idempotency key is answered
 * only once the first write is durable too. If a commit fails, the affected customers are rebuilt from the store and
 * every command applied on top of the lost state is failed, so nothing half-applied stays visible.
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
    private final List<CatalogVersionInfo> catalogHistory = new CopyOnWriteArrayList<>();
    private final Map<Integer, Object> catalogDocuments = new ConcurrentHashMap<>();
    private final GroupCommitJournal.@Nullable Listener observer;
    private volatile Catalog catalog = Catalog.empty();

    private Engine(Store store, InstantSource clock, GroupCommitJournal.@Nullable Listener observer) {
        this.store = store;
        this.clock = clock;
        this.observer = observer;
        load();
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
                customers
                        .computeIfAbsent(Objects.requireNonNull(entry.customerId()), CustomerState::new)
                        .apply(entry, CompletableFuture.completedFuture(null));
            }
        });
    }

    private void replayCatalog(JournalEntry.CatalogPublished c) {
        CatalogDefinition definition = CatalogReader.read(c.document());
        catalog = catalog.publish(definition, c.document(), c.at(), c.author());
        recordHistory(catalog);
    }

    private void recordHistory(Catalog published) {
        catalogHistory.add(new CatalogVersionInfo(
                published.version(), published.publishedAt(), published.author(), published.summary()));
        catalogDocuments.put(published.version(), published.document() == null ? Map.of() : published.document());
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
     * Validates and publishes a catalog document. Publishing a document equal to the current one changes nothing and
     * answers the current catalog.
     *
     * @param document the document in the JSON tree model
     * @param author who publishes it
     * @return completes with the published catalog once durable
     * @throws dev.tollgate.core.catalog.CatalogException listing every problem, if the document is invalid
     */
    public CompletableFuture<Catalog> publishCatalog(@Nullable Object document, String author) {
        synchronized (catalogLock) {
            Catalog current = catalog;
            if (current.version() > 0 && Json.write(document).equals(Json.write(current.document()))) {
                return CompletableFuture.completedFuture(current);
            }
            CatalogDefinition definition = CatalogReader.read(document);
            Instant now = clock.instant();
            Catalog next = current.publish(definition, document, now, author);
            catalog = next;
            recordHistory(next);
            JournalEntry entry = new JournalEntry.CatalogPublished(next.version(), now, author, document);
            return journal.append(List.of(entry), () -> true).thenApply(v -> next);
        }
    }

    /**
     * Makes an earlier catalog version current again, as a new version.
     *
     * @param version the version to restore
     * @param author who rolls back
     * @return completes with the new catalog once durable
     * @throws TollgateException {@code CATALOG_VERSION_NOT_FOUND} if there is no such version
     */
    public CompletableFuture<Catalog> rollbackCatalog(int version, String author) {
        Object document = catalogDocuments.get(version);
        if (document == null) {
            throw TollgateException.notFound("CATALOG_VERSION_NOT_FOUND", "no catalog version " + version, "version");
        }
        synchronized (catalogLock) {
            Catalog current = catalog;
            CatalogDefinition definition = CatalogReader.read(document);
            Instant now = clock.instant();
            Catalog next = current.publish(definition, document, now, author);
            catalog = next;
            recordHistory(next);
            JournalEntry entry = new JournalEntry.CatalogPublished(next.version(), now, author, document);
            return journal.append(List.of(entry), () -> true).thenApply(v -> next);
        }
    }

    // ---- customers ----

    /**
     * Creates a customer or updates its profile.
     *
     * @param customerId the id
     * @param update the profile
     * @param idempotencyKey the caller's key, or {@code null}
     * @return completes with the customer once durable
     * @throws TollgateException {@code INVALID_TIME_ZONE} for an unknown zone
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
        CustomerState state = customers.computeIfAbsent(customerId, CustomerState::new);
        synchronized (state) {
            ensureFresh(state);
            Instant now = clock.instant();
            JournalEntry entry = new JournalEntry.CustomerUpserted(
                    customerId, now, idempotencyKey, update.name(), update.metadata(), update.timeZone());
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

    private CustomerView view(CustomerState state) {
        synchronized (state) {
            return state.view(clock.instant());
        }
    }

    /**
     * Sets a customer's subscription, pinning the current versions of its plan and add-ons.
     *
     * @return completes with the customer once durable
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code PLAN_NOT_FOUND}, {@code ADDON_NOT_FOUND},
     *     {@code TRIAL_NOT_AVAILABLE}
     */
    public CompletableFuture<Outcome<CustomerView>> subscribe(String customerId, SubscriptionRequest request) {
        CustomerState state = existing(customerId);
        Catalog cat = catalog;
        PlanVersion plan = cat.plans().get(request.plan());
        if (plan == null) {
            throw TollgateException.notFound("PLAN_NOT_FOUND", "no plan '" + request.plan() + "'", "plan");
        }
        List<AddonRef> addons = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < request.addons().size(); i++) {
            SubscriptionRequest.AddonQuantity a = request.addons().get(i);
            AddonVersion addon = cat.addons().get(a.key());
            if (addon == null) {
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
            addons.add(new AddonRef(addon.key(), addon.version(), a.quantity()));
        }
        synchronized (state) {
            Optional<CompletableFuture<Outcome<CustomerView>>> replay =
                    replayed(state, request.idempotencyKey(), e -> view(state));
            if (replay.isPresent()) {
                return replay.get();
            }
            Instant now = clock.instant();
            Subscription previous = state.subscription;
            boolean running = previous != null && previous.activeAt(now);
            Instant startAt = request.startAt() != null ? request.startAt() : running ? previous.startAt() : now;
            Trial trial = null;
            if (request.trial() != null) {
                String trialKey = request.trial().plan() == null
                        ? plan.key()
                        : request.trial().plan();
                PlanVersion trialPlan = cat.plans().get(trialKey);
                if (trialPlan == null) {
                    throw TollgateException.notFound("PLAN_NOT_FOUND", "no plan '" + trialKey + "'", "trial.plan");
                }
                Integer days = request.trial().days() != null ? request.trial().days() : trialPlan.trialDays();
                if (days == null) {
                    throw TollgateException.invalid(
                            "TRIAL_NOT_AVAILABLE", "plan '" + trialKey + "' offers no trial; give trial.days", "trial");
                }
                if (days < 1 || days > 3650) {
                    throw TollgateException.invalid(
                            "INVALID_TRIAL", "trial days must be between 1 and 3650", "trial.days");
                }
                Instant trialStart = request.startAt() != null ? request.startAt() : now;
                trial = new Trial(
                        new PlanRef(trialPlan.key(), trialPlan.version()), trialStart.plus(Duration.ofDays(days)));
            }
            Subscription next = new Subscription(new PlanRef(plan.key(), plan.version()), addons, startAt, trial, null);
            Map<String, Instant> resets = running ? resetsOnChange(state, cat, next, now) : Map.of();
            JournalEntry entry =
                    new JournalEntry.SubscriptionSet(customerId, now, request.idempotencyKey(), next, resets);
            return commit(state, List.of(entry)).thenApply(v -> new Outcome<>(view(state), false));
        }
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
            Optional<CompletableFuture<Outcome<Promotion>>> replay =
                    replayed(state, request.idempotencyKey(), e -> ((JournalEntry.PromotionGranted) e).promotion());
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
                    new JournalEntry.PromotionGranted(customerId, now, request.idempotencyKey(), promotion);
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
                    views.add(new EntitlementView(e, BigDecimal.ZERO, BigDecimal.ZERO, null, null));
                    continue;
                }
                Window w = window(state, e, now);
                Decision d = MeteredLimit.decide(
                        e, w, state.used(e.feature(), w.start()), BigDecimal.ZERO, null, MeteredLimit.Mode.CHECK);
                views.add(new EntitlementView(e, d.used(), d.held(), d.remaining(), d.resetsAt()));
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
            ensureFresh(state);
            if (!state.exists) {
                return Decision.denied(Reason.CUSTOMER_NOT_FOUND);
            }
            return decide(state, cat, request.feature(), request.quantity(), clock.instant(), MeteredLimit.Mode.CHECK);
        }
    }

    private Decision decide(
            CustomerState state,
            Catalog cat,
            String featureKey,
            @Nullable BigDecimal quantity,
            Instant now,
            MeteredLimit.Mode mode) {
        Feature feature = cat.feature(featureKey).orElse(null);
        if (feature == null) {
            return Decision.denied(Reason.FEATURE_NOT_FOUND);
        }
        if (mode != MeteredLimit.Mode.CHECK && feature.type() != FeatureType.METERED) {
            return Decision.denied(Reason.FEATURE_NOT_METERED);
        }
        EffectiveEntitlement e = state.resolve(cat, now).entitlements().get(featureKey);
        if (e == null) {
            return Decision.denied(Reason.NOT_ENTITLED);
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
                return MeteredLimit.decide(e, w, state.used(featureKey, w.start()), BigDecimal.ZERO, quantity, mode);
        }
    }

    private static Window window(CustomerState state, EffectiveEntitlement e, Instant t) {
        return Periods.window(e.reset(), e.calendar(), state.anchor(), state.zone, t);
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
        CustomerState state = customers.get(request.customerId());
        if (state == null) {
            return CompletableFuture.completedFuture(new Outcome<>(Decision.denied(Reason.CUSTOMER_NOT_FOUND), false));
        }
        Catalog cat = catalog;
        synchronized (state) {
            ensureFresh(state);
            if (!state.exists) {
                return CompletableFuture.completedFuture(
                        new Outcome<>(Decision.denied(Reason.CUSTOMER_NOT_FOUND), false));
            }
            CustomerState.KeyRecord prior = state.keys.get(request.idempotencyKey());
            if (prior != null) {
                Decision answer = priorAnswer(prior.entry(), request.feature(), request.quantity());
                return prior.durable().thenApply(v -> new Outcome<>(answer, true));
            }
            Instant now = clock.instant();
            Decision d = decide(state, cat, request.feature(), request.quantity(), now, MeteredLimit.Mode.CONSUME);
            if (d.reason() == Reason.FEATURE_NOT_FOUND) {
                return CompletableFuture.completedFuture(new Outcome<>(d, false));
            }
            JournalEntry entry;
            Decision answer;
            if (d.allowed()) {
                answer = d.asRecorded();
                EffectiveEntitlement e = state.resolve(cat, now).entitlements().get(request.feature());
                entry = new JournalEntry.UsageRecorded(
                        request.customerId(),
                        now,
                        request.idempotencyKey(),
                        request.feature(),
                        request.quantity(),
                        window(state, Objects.requireNonNull(e), now).start(),
                        d.overageQuantity(),
                        UsageSource.CONSUME,
                        now,
                        request.scope(),
                        request.dimensions(),
                        answer);
            } else {
                answer = d;
                entry = new JournalEntry.ConsumptionDenied(
                        request.customerId(), now, request.idempotencyKey(), request.feature(), request.quantity(), d);
            }
            return commit(state, List.of(entry)).thenApply(v -> new Outcome<>(answer, false));
        }
    }

    private static Decision priorAnswer(JournalEntry prior, String feature, BigDecimal quantity) {
        String priorFeature;
        BigDecimal priorQuantity;
        Decision answer;
        if (prior instanceof JournalEntry.UsageRecorded u) {
            priorFeature = u.feature();
            priorQuantity = u.quantity();
            answer = u.answer();
        } else if (prior instanceof JournalEntry.ConsumptionDenied d) {
            priorFeature = d.feature();
            priorQuantity = d.quantity();
            answer = d.answer();
        } else {
            throw reused();
        }
        if (!priorFeature.equals(feature) || priorQuantity.compareTo(quantity) != 0) {
            throw reused();
        }
        return answer;
    }

    private static TollgateException reused() {
        return TollgateException.conflict(
                "IDEMPOTENCY_KEY_REUSED",
                "this idempotency key was already used for a different request",
                "idempotencyKey");
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
                if (state.stale) {
                    try {
                        ensureFresh(state);
                    } catch (TollgateException e) {
                        group.getValue().forEach(i -> results[i] = EventResult.rejected(Reason.STORE_UNAVAILABLE));
                        continue;
                    }
                }
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
        Instant now = clock.instant();
        List<JournalEntry> entries = new ArrayList<>();
        Map<String, JournalEntry> batchKeys = new HashMap<>();
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (int i : indices) {
            UsageEvent event = events.get(i);
            if (batchKeys.containsKey(event.idempotencyKey())) {
                // a repeat inside this batch: durable together with the batch's own commit
                results[i] = new EventResult(EventResult.Status.DUPLICATE, null, false);
                continue;
            }
            CustomerState.KeyRecord prior = state.keys.get(event.idempotencyKey());
            if (prior != null) {
                results[i] = new EventResult(EventResult.Status.DUPLICATE, null, false);
                waits.add(prior.durable());
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
            if (feature.type() != FeatureType.METERED) {
                results[i] = EventResult.rejected(Reason.FEATURE_NOT_METERED);
                continue;
            }
            EffectiveEntitlement e = state.resolve(cat, now).entitlements().get(event.feature());
            if (e == null) {
                results[i] = EventResult.rejected(Reason.NOT_ENTITLED);
                continue;
            }
            Window w = window(state, e, occurredAt);
            Decision d = MeteredLimit.decide(
                    e,
                    w,
                    state.used(event.feature(), w.start()),
                    BigDecimal.ZERO,
                    event.quantity(),
                    MeteredLimit.Mode.REPORT);
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
                    event.scope(),
                    event.dimensions(),
                    d.asRecorded());
            // applied one by one so that the next event of the batch sees this one's usage
            entries.add(entry);
            batchKeys.put(event.idempotencyKey(), entry);
            state.apply(entry, PLACEHOLDER);
            results[i] = new EventResult(EventResult.Status.ACCEPTED, null, d.overage());
        }
        CompletableFuture<Void> committed =
                entries.isEmpty() ? CompletableFuture.completedFuture(null) : enqueue(state, entries);
        waits.add(committed);
        return CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0]));
    }

    /**
     * Marks records applied before their journal future exists; {@link #enqueue} replaces it for every key of the
     * batch before the customer's section is released.
     */
    private static final CompletableFuture<Void> PLACEHOLDER = new CompletableFuture<>();

    // ---- commit plumbing ----

    private CompletableFuture<Void> commit(CustomerState state, List<JournalEntry> entries) {
        for (JournalEntry e : entries) {
            state.apply(e, PLACEHOLDER);
        }
        return enqueue(state, entries);
    }

    /** Enqueues records already applied to {@code state}; call inside the customer's section. */
    private CompletableFuture<Void> enqueue(CustomerState state, List<JournalEntry> entries) {
        int epoch = state.epoch;
        CompletableFuture<Void> durable = journal.append(entries, () -> state.epoch == epoch);
        for (JournalEntry e : entries) {
            if (e.idempotencyKey() != null) {
                state.keys.computeIfPresent(
                        e.idempotencyKey(),
                        (k, r) -> r.durable() == PLACEHOLDER ? new CustomerState.KeyRecord(r.entry(), durable) : r);
            }
        }
        return durable;
    }

    private <T> Optional<CompletableFuture<Outcome<T>>> replayed(
            CustomerState state, @Nullable String key, java.util.function.Function<JournalEntry, T> answer) {
        if (key == null) {
            return Optional.empty();
        }
        CustomerState.KeyRecord prior = state.keys.get(key);
        if (prior == null) {
            return Optional.empty();
        }
        return Optional.of(prior.durable().thenApply(v -> new Outcome<>(answer.apply(prior.entry()), true)));
    }

    /**
     * Rebuilds a customer whose last rebuild failed; call inside its section. Only reached after a failed commit
     * while the store was unreachable, so the store read under the section is the exception, not the rule.
     *
     * @throws TollgateException {@code STORE_UNAVAILABLE} if the store still cannot be read
     */
    private void ensureFresh(CustomerState state) {
        if (!state.stale) {
            return;
        }
        try {
            List<JournalEntry> entries = store.entries(state.id);
            state.epoch++;
            state.clear();
            for (JournalEntry e : entries) {
                state.apply(e, CompletableFuture.completedFuture(null));
            }
            state.stale = false;
        } catch (StoreException e) {
            throw new TollgateException(
                    TollgateException.Kind.UNAVAILABLE, "STORE_UNAVAILABLE", "the store is unreachable", null);
        }
    }

    private CustomerState existing(String customerId) {
        CustomerState state = customers.get(customerId);
        if (state != null) {
            synchronized (state) {
                ensureFresh(state);
            }
        }
        if (state == null || !state.exists) {
            throw TollgateException.notFound("CUSTOMER_NOT_FOUND", "no customer '" + customerId + "'", "customerId");
        }
        return state;
    }

    /** Tells whether the store answers (readiness). */
    public boolean storeReachable() {
        return store.ping();
    }

    /** Commits what is queued and stops the journal. The store stays open. */
    @Override
    public void close() {
        journal.close();
    }

    /** Rebuilds state after a failed commit, then forwards to the observer. Runs on the journal thread. */
    private final class JournalEvents implements GroupCommitJournal.Listener {
        @Override
        public void committed(int commands, int entries, long nanos) {
            if (observer != null) {
                observer.committed(commands, entries, nanos);
            }
        }

        @Override
        public void failed(List<JournalEntry> entries, RuntimeException cause) {
            Set<String> affected = new LinkedHashSet<>();
            boolean catalogLost = false;
            for (JournalEntry e : entries) {
                if (e.customerId() == null) {
                    catalogLost = true;
                } else {
                    affected.add(e.customerId());
                }
            }
            for (String id : affected) {
                CustomerState state = customers.get(id);
                if (state != null) {
                    rebuild(state);
                }
            }
            if (catalogLost) {
                rebuildCatalog();
            }
            if (observer != null) {
                observer.failed(entries, cause);
            }
        }

        private void rebuild(CustomerState state) {
            synchronized (state) {
                state.epoch++;
                state.clear();
                try {
                    for (JournalEntry e : store.entries(state.id)) {
                        state.apply(e, CompletableFuture.completedFuture(null));
                    }
                    state.stale = false;
                } catch (StoreException e) {
                    state.clear();
                    state.stale = true;
                }
            }
        }

        private void rebuildCatalog() {
            synchronized (catalogLock) {
                catalog = Catalog.empty();
                catalogHistory.clear();
                catalogDocuments.clear();
                store.replay(e -> {
                    if (e instanceof JournalEntry.CatalogPublished c) {
                        replayCatalog(c);
                    }
                });
            }
        }
    }
}
