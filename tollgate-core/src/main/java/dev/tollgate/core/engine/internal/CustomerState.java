package dev.tollgate.core.engine.internal;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.api.CustomerView;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.budget.internal.BudgetWalk;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.internal.Allotment;
import dev.tollgate.core.credit.internal.CreditAccount;
import dev.tollgate.core.credit.internal.Housekeeping;
import dev.tollgate.core.credit.internal.LedgerChange;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.entitlement.internal.EntitlementResolver;
import dev.tollgate.core.entitlement.internal.Resolution;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.period.internal.Periods;
import dev.tollgate.core.period.internal.Window;
import dev.tollgate.core.store.CounterValue;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * One customer's live state: the fold of its journal entries.
 *
 * <p>Replay: {@link #apply} is the only way state changes, both for live commands (after the engine decided) and at
 * start-up (reading the store), so a replay rebuilds exactly what the live path built.
 *
 * <p>Parts: the sessions are kept by a {@link SessionBook}, the scope tree by a {@link ScopeTree}, the allotments
 * computed for the subscription by an {@link AllotmentCache}; the rest (profile, subscription, usage counters,
 * accounts, budgets' usage, alerts, webhooks) is held here.
 *
 * <p>Durable shadow: a live state carries {@link #durable}, the same fold over only the records already committed.
 * After a failed commit the live state is restored from it at once, without reading the (possibly unreachable) store.
 *
 * <p>Concurrency: not thread-safe by itself; the engine guards each instance with its own monitor (the customer's
 * exclusive section) and never holds it across I/O, except to resynchronise from the store after an outage.
 * {@link #epoch} is written by the journal's follow-up thread only, after a failed commit, and read by the journal
 * writer before each commit. The {@link #durable} shadow is touched only by the follow-up thread (and by start-up,
 * before the journal starts).
 */
public final class CustomerState {
    /** One usage counter: a feature in one window. */
    static final class Counter {
        BigDecimal used = BigDecimal.ZERO;
        BigDecimal overage = BigDecimal.ZERO;
    }

    /** A budget's counter: its scope, its key and the start of its window. */
    record BudgetWindow(String scope, String budget, Instant start) {}

    /**
     * Charges held in memory per customer: more than the idempotency records ({@link IdempotencyKeys#RECENT}), since a
     * pricing what-if has no store to read an older charge from and refunds only a charge its replay still holds.
     */
    static final int RECENT_CHARGES = 1024;

    final String id;
    volatile int epoch;

    /**
     * Set, under the monitor, when a node of a cluster gives the customer up ({@link EngineContext#drop}): no command
     * may change it any more. Whoever holds this instance still may read it.
     */
    boolean dropped;

    /** The durability of the last command enqueued for the customer (commits are in order); under the monitor. */
    CompletableFuture<Void> lastCommit = EngineContext.DONE;

    /** The fold of the committed records only; {@code null} in the shadow itself. */
    final @Nullable CustomerState durable;

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

    /** When the current subscription was set: its allotments start with the period containing this instant. */
    Instant subscriptionSetAt = Instant.EPOCH;

    final List<Promotion> promotions = new ArrayList<>();
    final Map<String, NavigableMap<Instant, Counter>> usage = new HashMap<>();
    final IdempotencyKeys keys = new IdempotencyKeys(IdempotencyKeys.RECENT);
    /** Credit accounts by currency. */
    final Map<String, CreditAccount> accounts = new TreeMap<>();
    /** Auto-recharge settings by currency. */
    final Map<String, AutoRecharge> recharges = new TreeMap<>();
    /**
     * The credit movements of the last {@value #RECENT_CHARGES} priced consumptions, by idempotency key, for refunds;
     * an older one is read from the store ({@link dev.tollgate.core.store.Store#charge}). Before this bound every
     * priced consumption stayed in memory, twice with the durable shadow, for the life of the process.
     */
    final Map<String, JournalEntry.CreditsMoved> charges = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JournalEntry.CreditsMoved> eldest) {
            return size() > RECENT_CHARGES;
        }
    };
    /** The scope tree. */
    final ScopeTree scopes = new ScopeTree();
    /** Budgets by scope, then by key. */
    final Map<String, Map<String, Budget>> budgets = new HashMap<>();
    /** Budget usage by scope, budget and window. */
    final Map<BudgetWindow, BigDecimal> budgetUsed = new HashMap<>();
    /** The sessions. */
    final SessionBook sessions;

    /** Alerts raised for this customer, oldest first. */
    final List<Alert> alerts = new ArrayList<>();
    /** The dedup keys of alerts raised: each threshold fires once per period. */
    final Set<String> firedAlerts = new HashSet<>();
    /** Webhooks (on the {@code _system} state only). */
    final Map<String, Webhook> webhooks = new TreeMap<>();
    /** Deliveries made, as {@code alertId + ' ' + webhookId} (on the {@code _system} state only). */
    final Set<String> delivered = new HashSet<>();
    /**
     * When each removed webhook id was last removed (on the {@code _system} state only): alerts raised until then are
     * never delivered to it, also if a webhook with the same id is set again.
     */
    final Map<String, Instant> webhooksRemoved = new HashMap<>();

    private @Nullable Resolution resolution;
    /**
     * The catalog {@link #resolution} was computed from, compared by identity: a version number can come back with
     * other content after a failed catalog commit.
     */
    private @Nullable Catalog resolutionCatalog;

    /** The allotments of the current subscription, and what housekeeping found settled for them. */
    private final AllotmentCache allotmentCache = new AllotmentCache();

    /** A live state with its durable shadow. */
    CustomerState(String id) {
        this(id, true);
    }

    private CustomerState(String id, boolean withShadow) {
        this.id = id;
        this.durable = withShadow ? new CustomerState(id, false) : null;
        this.sessions = new SessionBook(id);
    }

    /** A state without a shadow, for a replay that only reads (verification). */
    static CustomerState replica(String id) {
        return new CustomerState(id, false);
    }

    /** Makes this state equal to {@code other} (deep copy of everything mutable); the shadow is left alone. */
    void copyFrom(CustomerState other) {
        exists = other.exists;
        name = other.name;
        metadata = other.metadata;
        timeZone = other.timeZone;
        zone = other.zone;
        createdAt = other.createdAt;
        subscription = other.subscription;
        subscriptionSetAt = other.subscriptionSetAt;
        promotions.clear();
        promotions.addAll(other.promotions);
        usage.clear();
        other.usage.forEach((feature, counters) -> {
            NavigableMap<Instant, Counter> copy = new TreeMap<>();
            counters.forEach((start, c) -> {
                Counter d = new Counter();
                d.used = c.used;
                d.overage = c.overage;
                copy.put(start, d);
            });
            usage.put(feature, copy);
        });
        keys.copyFrom(other.keys);
        accounts.clear();
        other.accounts.forEach((currency, account) -> accounts.put(currency, account.copy()));
        recharges.clear();
        recharges.putAll(other.recharges);
        charges.clear();
        charges.putAll(other.charges);
        scopes.copyFrom(other.scopes);
        budgets.clear();
        other.budgets.forEach((scope, byKey) -> budgets.put(scope, new TreeMap<>(byKey)));
        budgetUsed.clear();
        budgetUsed.putAll(other.budgetUsed);
        sessions.copyFrom(other.sessions);
        copyAlerts(other);
        resolution = null;
        allotmentCache.clear();
    }

    private void copyAlerts(CustomerState other) {
        alerts.clear();
        alerts.addAll(other.alerts);
        firedAlerts.clear();
        firedAlerts.addAll(other.firedAlerts);
        webhooks.clear();
        webhooks.putAll(other.webhooks);
        delivered.clear();
        delivered.addAll(other.delivered);
        webhooksRemoved.clear();
        webhooksRemoved.putAll(other.webhooksRemoved);
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
        subscriptionSetAt = Instant.EPOCH;
        promotions.clear();
        usage.clear();
        keys.clear();
        accounts.clear();
        recharges.clear();
        charges.clear();
        scopes.clear();
        budgets.clear();
        budgetUsed.clear();
        sessions.clear();
        alerts.clear();
        firedAlerts.clear();
        webhooks.clear();
        delivered.clear();
        webhooksRemoved.clear();
        resolution = null;
        allotmentCache.clear();
    }

    /** The current value of one counter, zeros if it has none (never used, or reset). */
    CounterValue counter(String feature, Instant windowStart) {
        NavigableMap<Instant, Counter> counters = usage.get(feature);
        Counter c = counters == null ? null : counters.get(windowStart);
        return c == null
                ? new CounterValue(id, feature, windowStart, BigDecimal.ZERO, BigDecimal.ZERO)
                : new CounterValue(id, feature, windowStart, c.used, c.overage);
    }

    /** Every counter this state holds. */
    List<CounterValue> counters() {
        List<CounterValue> out = new ArrayList<>();
        usage.forEach((feature, counters) ->
                counters.forEach((start, c) -> out.add(new CounterValue(id, feature, start, c.used, c.overage))));
        return out;
    }

    /**
     * Applies one record.
     *
     * @param entry a record of this customer
     * @param durable completes when the record is durable (already complete during replay)
     */
    void apply(JournalEntry entry, CompletableFuture<Void> durable) {
        if (entry.idempotencyKey() != null) {
            keys.add(entry.idempotencyKey(), entry, durable);
        }
        if (entry instanceof JournalEntry.UsageRecorded e) {
            applyUsage(e);
        } else if (!applyCredits(entry) && !applyProfile(entry) && !applyGovernance(entry)) {
            applyAlerts(entry);
        }
    }

    private void applyUsage(JournalEntry.UsageRecorded e) {
        Counter c = usage.computeIfAbsent(e.feature(), f -> new TreeMap<>())
                .computeIfAbsent(e.windowStart(), w -> new Counter());
        c.used = Decimals.normalize(c.used.add(e.quantity()));
        c.overage = Decimals.normalize(c.overage.add(e.overage()));
        if (e.scope() != null && scopes.contains(e.scope())) {
            countAgainstBudgets(
                    e.scope(),
                    new Counted(e.feature(), e.quantity(), e.dimensions()),
                    e.answer().credit(),
                    e.occurredAt());
        }
        sessions.apply(e);
    }

    /** Applies a record of the credit ledger; tells whether it was one. */
    private boolean applyCredits(JournalEntry entry) {
        if (entry instanceof JournalEntry.CreditsMoved e) {
            account(e.currency()).move(e.type(), e.movements());
            account(e.currency()).advance(e.at());
            if (e.type() == EntryType.CONSUME && e.reference() != null) {
                charges.put(e.reference(), e);
            }
        } else if (entry instanceof JournalEntry.GrantCreated e) {
            account(e.grant().currency()).add(e.grant());
            account(e.grant().currency()).advance(e.at());
        } else if (entry instanceof JournalEntry.AutoRechargeSet e) {
            if (e.config() == null) {
                recharges.remove(e.currency());
            } else {
                recharges.put(e.currency(), e.config());
            }
        } else {
            return false;
        }
        return true;
    }

    /** Applies a record of the profile, the subscription or the promotions; tells whether it was one. */
    private boolean applyProfile(JournalEntry entry) {
        if (entry instanceof JournalEntry.CustomerUpserted e) {
            if (!exists) {
                exists = true;
                createdAt = e.at();
            }
            name = e.name();
            metadata = e.metadata();
            timeZone = e.timeZone();
            zone = e.timeZone() == null ? ZoneOffset.UTC : ZoneId.of(e.timeZone());
        } else if (entry instanceof JournalEntry.SubscriptionSet e) {
            subscription = e.subscription();
            subscriptionSetAt = e.at();
            e.resets().forEach((feature, windowStart) -> {
                NavigableMap<Instant, Counter> counters = usage.get(feature);
                if (counters != null) {
                    counters.remove(windowStart);
                }
            });
        } else if (entry instanceof JournalEntry.SubscriptionCancelled e) {
            if (subscription != null) {
                subscription = subscription.cancelledAt(e.endsAt());
            }
        } else if (entry instanceof JournalEntry.PromotionGranted e) {
            promotions.add(e.promotion());
        } else {
            return false;
        }
        resolution = null;
        return true;
    }

    /** Applies a record of the scopes, the budgets or the sessions; tells whether it was one. */
    private boolean applyGovernance(JournalEntry entry) {
        if (entry instanceof JournalEntry.ScopeSet e) {
            scopes.set(e.scope());
        } else if (entry instanceof JournalEntry.BudgetSet e) {
            if (e.budget() == null) {
                Map<String, Budget> byKey = budgets.get(e.scopeId());
                if (byKey != null) {
                    byKey.remove(e.budgetKey());
                }
            } else {
                budgets.computeIfAbsent(e.scopeId(), k -> new TreeMap<>()).put(e.budgetKey(), e.budget());
            }
        } else if (entry instanceof JournalEntry.SessionSettled e) {
            if (e.scope() != null && scopes.contains(e.scope())) {
                countAgainstBudgets(
                        e.scope(),
                        new Counted("", BigDecimal.ZERO, Map.of()),
                        new CreditCharge(e.currency(), e.credits(), e.credits()),
                        e.at());
            }
            sessions.apply(e);
        } else if (entry instanceof JournalEntry.SessionOpened
                || entry instanceof JournalEntry.SessionExtended
                || entry instanceof JournalEntry.SessionClosed) {
            sessions.apply(entry);
        } else {
            return false;
        }
        return true;
    }

    /** Applies a record of the alerts or the webhooks. */
    private void applyAlerts(JournalEntry entry) {
        if (entry instanceof JournalEntry.AlertRaised e) {
            alerts.add(e.alert());
            firedAlerts.add(e.alert().dedupKey());
        } else if (entry instanceof JournalEntry.WebhookSet e) {
            webhooks.put(e.webhook().id(), e.webhook());
        } else if (entry instanceof JournalEntry.AlertDelivered e) {
            delivered.add(e.alertId() + ' ' + e.webhookId());
        } else if (entry instanceof JournalEntry.WebhookRemoved e) {
            webhooks.remove(e.webhookId());
            webhooksRemoved.put(e.webhookId(), e.at());
        }
    }

    /** What a usage record (or a settlement) spends in units, as the budget walk reads it. */
    private record Counted(String feature, BigDecimal quantityOrZero, Map<String, String> dimensions)
            implements BudgetWalk.Spend {}

    /**
     * Adds recorded usage (or a session's settlement) to every budget on its scope's path that it applies to (the
     * same walk as the check).
     *
     * @param scope a scope of the tree
     * @param price its credits (only the currency and credits are read), or {@code null}
     */
    private void countAgainstBudgets(String scope, Counted spend, @Nullable CreditCharge price, Instant occurredAt) {
        BudgetWalk.Result walk =
                BudgetWalk.walk(scopes.path(scope), this::budgetsOf, (s, b) -> BigDecimal.ZERO, spend, price);
        for (BudgetWalk.Charge c : walk.charges()) {
            budgetUsed.merge(
                    budgetWindowKey(c.scope(), c.budget(), occurredAt),
                    c.amount(),
                    (a, b) -> Decimals.normalize(a.add(b)));
        }
    }

    /** Units of a feature held by sessions at {@code t}, except {@code except}'s own hold. */
    BigDecimal heldFeature(String feature, Instant t, @Nullable String except) {
        return sessions.heldFeature(feature, t, except);
    }

    /** Credits of a currency held by sessions at {@code t}, except {@code except}'s own hold. */
    BigDecimal heldCredits(String currency, Instant t, @Nullable String except) {
        return sessions.heldCredits(currency, t, except);
    }

    /** What sessions hold at {@code t} against a scope's budget, except {@code except}'s own hold. */
    BigDecimal heldBudget(String scope, Budget budget, Instant t, @Nullable String except) {
        return sessions.heldBudget(scope, budget, t, except, scopes);
    }

    /** The scope and its ancestors, leaf first; empty for an unknown scope ({@link ScopeTree#path}). */
    List<String> path(String scope) {
        return scopes.path(scope);
    }

    /** The budgets on a scope. */
    Collection<Budget> budgetsOf(String scope) {
        Map<String, Budget> byKey = budgets.get(scope);
        return byKey == null ? List.of() : byKey.values();
    }

    /** The budget's window containing {@code t}: calendar-aligned in the customer's zone. */
    Window budgetWindow(Budget budget, Instant t) {
        return window(budget.period(), true, createdAt, t);
    }

    /** A window and what it was computed for. */
    private record CachedWindow(Instant anchor, ZoneId zone, Window window) {}

    /**
     * The last window computed per period and alignment (slot {@code 2 * period.ordinal() + (calendar ? 1 : 0)}): an
     * array slot instead of a map keyed by a record, whose hashing and equality cost more than the rest of a budget
     * lookup.
     */
    private final AtomicReferenceArray<CachedWindow> windows =
            new AtomicReferenceArray<>(2 * ResetPeriod.values().length);

    /**
     * The window of {@code period} containing {@code t}, in this customer's zone ({@link Periods#window}), reusing the
     * last one computed for the same period kind, anchor and zone while {@code t} is inside it: the calendar
     * arithmetic is the costliest step of a check otherwise. Thread-safe.
     */
    @SuppressWarnings({"EnumOrdinal", "ReferenceEquality"
    }) // a slot per period kind; the zone's identity keys the cache
    Window window(ResetPeriod period, boolean calendar, Instant anchor, Instant t) {
        if (period == ResetPeriod.NEVER) {
            return Window.FOREVER;
        }
        Instant key = calendar ? Instant.EPOCH : anchor;
        ZoneId z = zone;
        int slot = 2 * period.ordinal() + (calendar ? 1 : 0);
        CachedWindow c = windows.get(slot);
        if (c != null
                && c.zone() == z
                && c.anchor().equals(key)
                && !t.isBefore(c.window().start())
                && t.isBefore(c.window().end())) {
            return c.window();
        }
        Window w = Periods.window(period, calendar, anchor, z, t);
        windows.set(slot, new CachedWindow(key, z, w));
        return w;
    }

    private BudgetWindow budgetWindowKey(String scope, Budget budget, Instant t) {
        return new BudgetWindow(scope, budget.key(), budgetWindow(budget, t).start());
    }

    /** What a budget has used in its window containing {@code t}. */
    BigDecimal budgetUsed(String scope, Budget budget, Instant t) {
        return budgetUsed.getOrDefault(budgetWindowKey(scope, budget, t), BigDecimal.ZERO);
    }

    /** The account of a currency, created empty on first use. */
    CreditAccount account(String currency) {
        return accounts.computeIfAbsent(currency, CreditAccount::new);
    }

    /**
     * The recurring grants this customer receives now ({@link dev.tollgate.core.credit.internal.Allotments#of}), kept until the
     * catalog, the subscription or the zone changes.
     */
    List<Allotment> allotments(Catalog catalog) {
        return allotmentCache.get(catalog, subscription, subscriptionSetAt, zone);
    }

    /**
     * What time has made due for this customer's credits by {@code t} ({@link Housekeeping#due}): allotments,
     * expiries, overdraft repayment. An allotment found given in full is not looked at again until its next period
     * starts, while the allotments stay and the accounts only gain grants ({@link #copyFrom} and {@link #clear}, which
     * replace the accounts, forget it).
     */
    List<LedgerChange> creditsDue(Catalog catalog, Instant t) {
        List<Allotment> allotments = allotments(catalog);
        return Housekeeping.due(accounts, allotments, t, allotmentCache.settled());
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

    /** The overage recorded for a feature in the window starting at {@code windowStart}. */
    BigDecimal overage(String feature, Instant windowStart) {
        NavigableMap<Instant, Counter> counters = usage.get(feature);
        Counter c = counters == null ? null : counters.get(windowStart);
        return c == null ? BigDecimal.ZERO : c.overage;
    }

    /** The effective entitlements at {@code t}, cached until a source or the catalog changes. */
    @SuppressWarnings("ReferenceEquality") // the catalog's identity keys the cache
    Resolution resolve(Catalog catalog, Instant t) {
        Resolution r = resolution;
        if (r == null || resolutionCatalog != catalog || !r.validAt(t)) {
            r = EntitlementResolver.resolve(catalog, subscription, List.copyOf(promotions), t);
            resolution = r;
            resolutionCatalog = catalog;
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
