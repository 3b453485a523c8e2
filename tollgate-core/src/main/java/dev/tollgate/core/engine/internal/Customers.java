package dev.tollgate.core.engine.internal;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.CustomerView;
import dev.tollgate.core.api.EntitlementView;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.PriceView;
import dev.tollgate.core.api.PromotionRequest;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogReader;
import dev.tollgate.core.catalog.Entitlement;
import dev.tollgate.core.catalog.Feature;
import dev.tollgate.core.catalog.FeatureType;
import dev.tollgate.core.catalog.PlanChangeReset;
import dev.tollgate.core.catalog.PlanVersion;
import dev.tollgate.core.catalog.RateCard;
import dev.tollgate.core.credit.internal.Pricing;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.PlanRef;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.customer.Trial;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.entitlement.internal.EntitlementResolver;
import dev.tollgate.core.entitlement.internal.Resolution;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.period.internal.Periods;
import dev.tollgate.core.period.internal.Window;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Customers, subscriptions (versions pinned by {@link SubscriptionVersions}), cancellations, promotions and the
 * entitlement view. Thread-safe; each command runs in its customer's section.
 */
public final class Customers {
    private final EngineContext ctx;

    public Customers(EngineContext ctx) {
        this.ctx = ctx;
    }

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
        CustomerState state = ctx.servedOrNew(customerId);
        synchronized (state) {
            Optional<CompletableFuture<Outcome<CustomerView>>> replay = ctx.replayed(
                    state,
                    idempotencyKey,
                    new KeyUse.Use(
                            KeyUse.Kind.CUSTOMER,
                            print,
                            e -> e instanceof JournalEntry.CustomerUpserted c
                                    && KeyUse.fingerprint(KeyUse.Kind.CUSTOMER, c.name(), c.metadata(), c.timeZone())
                                            .equals(print)),
                    e -> view(state));
            if (replay.isPresent()) {
                return replay.get().thenApply(Outcome::value);
            }
            Instant now = ctx.now();
            JournalEntry entry = new JournalEntry.CustomerUpserted(
                    customerId, now, idempotencyKey, update.name(), update.metadata(), update.timeZone(), print);
            return ctx.commit(state, List.of(entry)).thenApply(v -> view(state));
        }
    }

    public Optional<CustomerView> customer(String customerId) {
        CustomerState state = ctx.served(customerId);
        if (state == null) {
            return Optional.empty();
        }
        synchronized (state) {
            return state.exists ? Optional.of(state.view(ctx.now())) : Optional.empty();
        }
    }

    public List<CustomerView> customers(@Nullable String plan, @Nullable String after, int limit) {
        List<String> ids = new ArrayList<>();
        for (String id : ctx.customers.keySet()) {
            if (!id.equals(EngineContext.SYSTEM) && (after == null || id.compareTo(after) > 0)) {
                ids.add(id);
            }
        }
        ids.sort(null);
        List<CustomerView> page = new ArrayList<>();
        for (String id : ids) {
            if (page.size() == limit) {
                break;
            }
            CustomerState state = Objects.requireNonNull(ctx.customers.get(id), "customers are never removed");
            synchronized (state) {
                if (state.exists
                        && (plan == null
                                || (state.subscription != null
                                        && plan.equals(state.subscription.plan().key())))) {
                    page.add(state.view(ctx.now()));
                }
            }
        }
        return page;
    }

    CustomerView view(CustomerState state) {
        synchronized (state) {
            return state.view(ctx.now());
        }
    }

    public CompletableFuture<Outcome<CustomerView>> subscribe(String customerId, SubscriptionRequest request) {
        return ctx.readingCatalog(() -> subscribeReadingCatalog(customerId, request));
    }

    CompletableFuture<Outcome<CustomerView>> subscribeReadingCatalog(String customerId, SubscriptionRequest request) {
        KeyUse.requireCallerKey(request.idempotencyKey());
        CustomerState state = ctx.existing(customerId);
        Catalog cat = ctx.catalog;
        Runnable hook = ctx.afterCatalogRead;
        if (hook != null) {
            hook.run();
        }
        requireSubscribable(cat, request);
        synchronized (state) {
            String print = subscriptionPrint(request);
            Optional<CompletableFuture<Outcome<CustomerView>>> replay = ctx.replayed(
                    state,
                    request.idempotencyKey(),
                    new KeyUse.Use(
                            KeyUse.Kind.SUBSCRIPTION,
                            print,
                            e -> e instanceof JournalEntry.SubscriptionSet s
                                    && s.subscription().plan().key().equals(request.plan())),
                    e -> view(state));
            if (replay.isPresent()) {
                return replay.get();
            }
            Instant now = ctx.now();
            Subscription previous = state.subscription;
            Subscription running = previous != null && previous.activeAt(now) ? previous : null;
            Subscription next = next(state, cat, request, now);
            Map<String, Instant> resets = running != null && !next.plan().equals(running.plan())
                    ? resetsOnChange(state, cat, next, now)
                    : Map.of();
            ctx.requireAvailable();
            // the allotments due under the subscription being replaced, before it stops counting
            List<JournalEntry> entries = new ArrayList<>(CreditRecords.housekeep(state, cat, now));
            JournalEntry entry =
                    new JournalEntry.SubscriptionSet(customerId, now, request.idempotencyKey(), next, resets, print);
            state.apply(entry, EngineContext.PLACEHOLDER);
            entries.add(entry);
            return ctx.enqueue(state, entries).thenApply(v -> new Outcome<>(view(state), false));
        }
    }

    /**
     * Refuses a subscription to what the catalog does not have, or to add-ons listed twice or in a quantity out of
     * range.
     *
     * @throws TollgateException {@code PLAN_NOT_FOUND}, {@code ADDON_NOT_FOUND}, {@code DUPLICATE_ADDON}, {@code
     *     INVALID_QUANTITY}
     */
    private static void requireSubscribable(Catalog cat, SubscriptionRequest request) {
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
    }

    /**
     * The subscription a request sets now: the versions it pins ({@link SubscriptionVersions}; a subscription still
     * running or not yet ended keeps its versions unless the request moves them), its start, its trial.
     */
    private static Subscription next(CustomerState state, Catalog cat, SubscriptionRequest request, Instant now) {
        Subscription previous = state.subscription;
        Subscription running = previous != null && previous.activeAt(now) ? previous : null;
        Subscription current = previous != null && (previous.cancelAt() == null || now.isBefore(previous.cancelAt()))
                ? previous
                : null;
        PlanVersion plan = SubscriptionVersions.plan(cat, request, current);
        List<AddonRef> addons = SubscriptionVersions.addons(cat, request, current);
        Instant startAt = request.startAt() != null ? request.startAt() : running != null ? running.startAt() : now;
        Trial trial = request.trial() == null ? null : trial(cat, request, plan, current, now);
        return new Subscription(new PlanRef(plan.key(), plan.version()), addons, startAt, trial, null);
    }

    /**
     * The trial a request asks for: on its plan (or the one it names), for the days it gives or the plan offers. A
     * trial already running on the same plan stays as it is unless the request gives days or a start.
     *
     * @param current the subscription still running or not yet ended, or {@code null}
     * @throws TollgateException {@code TRIAL_NOT_AVAILABLE}, {@code INVALID_TRIAL}
     */
    private static Trial trial(
            Catalog cat, SubscriptionRequest request, PlanVersion plan, @Nullable Subscription current, Instant now) {
        SubscriptionRequest.TrialRequest asked = Objects.requireNonNull(request.trial());
        PlanVersion trialPlan = SubscriptionVersions.trialPlan(cat, asked, plan, current);
        Integer days = asked.days() != null ? asked.days() : trialPlan.trialDays();
        if (days == null) {
            throw TollgateException.invalid(
                    "TRIAL_NOT_AVAILABLE", "plan '" + trialPlan.key() + "' offers no trial; give trial.days", "trial");
        }
        if (days < 1 || days > 3650) {
            throw TollgateException.invalid("INVALID_TRIAL", "trial days must be between 1 and 3650", "trial.days");
        }
        PlanRef tried = new PlanRef(trialPlan.key(), trialPlan.version());
        Trial currentTrial = current != null && current.trialActiveAt(now) ? current.trial() : null;
        if (currentTrial != null
                && currentTrial.plan().equals(tried)
                && asked.days() == null
                && request.startAt() == null) {
            return currentTrial;
        }
        Instant trialStart = request.startAt() != null ? request.startAt() : now;
        return new Trial(tried, trialStart.plus(Duration.ofDays(days)));
    }

    /** The fingerprint of a subscription request: plan, versions asked for, add-ons, trial and start. */
    static String subscriptionPrint(SubscriptionRequest request) {
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

    static @Nullable Object versionPrint(SubscriptionRequest.@Nullable VersionChoice v) {
        return v == null ? null : v.number() == null ? "latest" : v.number();
    }

    /** The windows a plan change resets, per the features' {@link PlanChangeReset} setting. */
    static Map<String, Instant> resetsOnChange(CustomerState state, Catalog cat, Subscription next, Instant now) {
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

    public CompletableFuture<CustomerView> cancel(String customerId, boolean atPeriodEnd) {
        CustomerState state = ctx.existing(customerId);
        synchronized (state) {
            Instant now = ctx.now();
            Subscription sub = state.subscription;
            if (sub == null || (sub.cancelAt() != null && !now.isBefore(sub.cancelAt()))) {
                throw TollgateException.conflict(
                        "NO_SUBSCRIPTION", "customer '" + customerId + "' has no running subscription", null);
            }
            Instant endsAt = now;
            if (atPeriodEnd) {
                PlanVersion plan = ctx.catalog
                        .planVersion(sub.plan().key(), sub.plan().version())
                        .orElse(null);
                ResetPeriod every =
                        plan != null && plan.price() != null ? plan.price().every() : ResetPeriod.MONTH;
                Window w = Periods.window(every, false, sub.startAt(), state.zone, now);
                endsAt = w.end() == null ? now : w.end();
            }
            JournalEntry entry = new JournalEntry.SubscriptionCancelled(customerId, now, null, endsAt);
            return ctx.commit(state, List.of(entry)).thenApply(v -> view(state));
        }
    }

    public CompletableFuture<Outcome<Promotion>> promote(String customerId, PromotionRequest request) {
        return ctx.readingCatalog(() -> promoteReadingCatalog(customerId, request));
    }

    CompletableFuture<Outcome<Promotion>> promoteReadingCatalog(String customerId, PromotionRequest request) {
        KeyUse.requireCallerKey(request.idempotencyKey());
        CustomerState state = ctx.existing(customerId);
        Feature feature = ctx.catalog
                .feature(request.feature())
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
            Optional<CompletableFuture<Outcome<Promotion>>> replay = ctx.replayed(
                    state,
                    request.idempotencyKey(),
                    new KeyUse.Use(
                            KeyUse.Kind.PROMOTION,
                            print,
                            e -> e instanceof JournalEntry.PromotionGranted p
                                    && p.promotion().feature().equals(request.feature())),
                    e -> ((JournalEntry.PromotionGranted) e).promotion());
            if (replay.isPresent()) {
                return replay.get();
            }
            Instant now = ctx.now();
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
            return ctx.commit(state, List.of(entry)).thenApply(v -> new Outcome<>(promotion, false));
        }
    }

    public List<EntitlementView> entitlements(String customerId) {
        CustomerState state = ctx.existing(customerId);
        synchronized (state) {
            Instant now = ctx.now();
            Catalog cat = ctx.catalog;
            Resolution resolution = state.resolve(cat, now);
            List<EntitlementView> views = new ArrayList<>();
            for (EffectiveEntitlement e : resolution.entitlements().values()) {
                if (e.type() != FeatureType.METERED) {
                    views.add(new EntitlementView(e, BigDecimal.ZERO, BigDecimal.ZERO, null, null, BigDecimal.ZERO));
                    continue;
                }
                Window w = Decisions.window(state, e, now);
                Decision d = MeteredLimit.decide(
                        e,
                        new MeteredLimit.Standing(
                                w, state.used(e.feature(), w.start()), state.heldFeature(e.feature(), now, null)),
                        null,
                        MeteredLimit.Mode.CHECK);
                RateCard card = Decisions.rateCard(cat, e.feature());
                views.add(new EntitlementView(
                        e,
                        d.used(),
                        d.held(),
                        d.remaining(),
                        d.resetsAt(),
                        state.overage(e.feature(), w.start()),
                        card == null ? null : new PriceView(card.currency(), Pricing.unitPrice(card))));
            }
            views.sort((a, b) ->
                    a.entitlement().feature().compareTo(b.entitlement().feature()));
            return views;
        }
    }
}
