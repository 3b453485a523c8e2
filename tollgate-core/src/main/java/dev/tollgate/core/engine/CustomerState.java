package dev.tollgate.core.engine;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.budget.BudgetWalk;
import dev.tollgate.core.budget.Scope;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CreditAllotment;
import dev.tollgate.core.credit.Allotment;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.credit.CreditAccount;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Housekeeping;
import dev.tollgate.core.credit.LedgerChange;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.entitlement.EntitlementResolver;
import dev.tollgate.core.entitlement.Resolution;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.period.Periods;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.period.Window;
import dev.tollgate.core.session.Session;
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
import java.util.Objects;
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
 * <p>Durable shadow: a live state carries {@link #durable}, the same fold over only the records already committed.
 * After a failed commit the live state is restored from it at once, without reading the (possibly unreachable) store.
 *
 * <p>Concurrency: not thread-safe by itself; the engine guards each instance with its own monitor (the customer's
 * exclusive section) and never holds it across I/O, except to resynchronise from the store after an outage.
 * {@link #epoch} is written by the journal's follow-up thread only, after a failed commit, and read by the journal
 * writer before each commit. The {@link #durable} shadow is touched only by the follow-up thread (and by start-up,
 * before the journal starts).
 */
final class CustomerState {
    /** One usage counter: a feature in one window. */
    static final class Counter {
        BigDecimal used = BigDecimal.ZERO;
        BigDecimal overage = BigDecimal.ZERO;
    }

    final String id;
    volatile int epoch;

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

    final List<Promotion> promotions = new ArrayList<>();
    final Map<String, NavigableMap<Instant, Counter>> usage = new HashMap<>();
    final IdempotencyKeys keys = new IdempotencyKeys(IdempotencyKeys.RECENT);
    /** Charges held in memory per customer, as many as the idempotency records held ({@link IdempotencyKeys#RECENT}). */
    static final int RECENT_CHARGES = IdempotencyKeys.RECENT;
    /** Closed sessions held in memory per customer: the last ones closed; an older one is rebuilt from the store. */
    static final int RECENT_CLOSED_SESSIONS = 256;
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
    /** The scope tree: every scope by id. */
    final Map<String, Scope> scopes = new LinkedHashMap<>();
    /** {@link #path} of each known scope asked for, until {@link #scopes} changes; every change clears it. */
    private final Map<String, List<String>> paths = new HashMap<>();
    /** Budgets by scope, then by key. */
    final Map<String, Map<String, Budget>> budgets = new HashMap<>();
    /** Budget usage by scope, budget and window. */
    final Map<BudgetWindow, BigDecimal> budgetUsed = new HashMap<>();

    /** A budget's counter: its scope, its key and the start of its window. */
    record BudgetWindow(String scope, String budget, Instant start) {}
    /** An open (or closed) session and what it still holds. */
    static final class OpenSession {
        final Session session;
        BigDecimal remaining;
        BigDecimal consumed = BigDecimal.ZERO;
        Instant expiresAt;
        boolean closed;
        /** What its close said: how far its total went beyond the hold, or {@code null}. */
        @Nullable
        BigDecimal excess;
        /** What its close said: the first hard limit the settlement went past, or {@code null}. */
        @Nullable
        BoundBy excessBoundBy;

        OpenSession(Session session) {
            this.session = session;
            this.remaining = session.amount();
            this.expiresAt = session.expiresAt();
        }

        OpenSession(OpenSession other) {
            this.session = other.session;
            this.remaining = other.remaining;
            this.consumed = other.consumed;
            this.expiresAt = other.expiresAt;
            this.closed = other.closed;
            this.excess = other.excess;
            this.excessBoundBy = other.excessBoundBy;
        }

        /** Tells whether it holds anything at {@code t}: not closed, not past its deadline. */
        boolean holdsAt(Instant t) {
            return !closed && t.isBefore(expiresAt) && remaining.signum() > 0;
        }
    }

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

    /**
     * The sessions not closed, by id: the ones the held sums walk (past its deadline a session holds nothing, and stays
     * here until the sweeper records its expiry).
     */
    final Map<String, OpenSession> sessions = new LinkedHashMap<>();
    /**
     * The sessions the sweeper closed at their deadline that no close has settled yet, by id: a later close still
     * settles them, from what was consumed in them. They hold nothing.
     */
    final Map<String, OpenSession> released = new LinkedHashMap<>();
    /**
     * The last {@value #RECENT_CLOSED_SESSIONS} sessions closed (settled), by id, in closing order. Before this bound
     * every session ever opened stayed in {@link #sessions}, and every held sum walked them all.
     */
    final Map<String, OpenSession> closedSessions = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, OpenSession> eldest) {
            return size() > RECENT_CLOSED_SESSIONS;
        }
    };
    /** How many sessions the customer ever opened: the {@code n} of the last id {@code <customerId>@s<n>}. */
    int sessionsOpened;
    /** When the current subscription was set: its allotments start with the period containing this instant. */
    Instant subscriptionSetAt = Instant.EPOCH;

    private @Nullable Resolution resolution;
    /**
     * The catalog {@link #resolution} was computed from, compared by identity: a version number can come back with
     * other content after a failed catalog commit.
     */
    private @Nullable Catalog resolutionCatalog;

    /** A live state with its durable shadow. */
    CustomerState(String id) {
        this.id = id;
        this.durable = new CustomerState(id, false);
    }

    private CustomerState(String id, boolean withShadow) {
        this.id = id;
        this.durable = withShadow ? new CustomerState(id, false) : null;
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
        scopes.clear();
        scopes.putAll(other.scopes);
        paths.clear();
        budgets.clear();
        other.budgets.forEach((scope, byKey) -> budgets.put(scope, new TreeMap<>(byKey)));
        budgetUsed.clear();
        budgetUsed.putAll(other.budgetUsed);
        sessions.clear();
        other.sessions.forEach((id, o) -> sessions.put(id, new OpenSession(o)));
        released.clear();
        other.released.forEach((id, o) -> released.put(id, new OpenSession(o)));
        closedSessions.clear();
        other.closedSessions.forEach((id, o) -> closedSessions.put(id, new OpenSession(o)));
        sessionsOpened = other.sessionsOpened;
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
        subscriptionSetAt = other.subscriptionSetAt;
        resolution = null;
        allotmentCache = null;
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
        accounts.clear();
        recharges.clear();
        charges.clear();
        scopes.clear();
        paths.clear();
        budgets.clear();
        budgetUsed.clear();
        sessions.clear();
        released.clear();
        closedSessions.clear();
        sessionsOpened = 0;
        alerts.clear();
        firedAlerts.clear();
        webhooks.clear();
        delivered.clear();
        webhooksRemoved.clear();
        subscriptionSetAt = Instant.EPOCH;
        resolution = null;
        allotmentCache = null;
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
            subscriptionSetAt = e.at();
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
            CreditCharge credit = e.answer().credit();
            countAgainstBudgets(
                    e.scope(),
                    e.feature(),
                    e.quantity(),
                    credit == null ? null : credit.currency(),
                    credit == null ? null : credit.credits(),
                    e.dimensions(),
                    e.occurredAt());
            drawOnSession(e);
        } else if (entry instanceof JournalEntry.AlertRaised e) {
            alerts.add(e.alert());
            firedAlerts.add(e.alert().dedupKey());
        } else if (entry instanceof JournalEntry.WebhookSet e) {
            webhooks.put(e.webhook().id(), e.webhook());
        } else if (entry instanceof JournalEntry.AlertDelivered e) {
            delivered.add(e.alertId() + ' ' + e.webhookId());
        } else if (entry instanceof JournalEntry.WebhookRemoved e) {
            webhooks.remove(e.webhookId());
            webhooksRemoved.put(e.webhookId(), e.at());
        } else if (entry instanceof JournalEntry.SessionOpened e) {
            sessions.put(e.session().id(), new OpenSession(e.session()));
            sessionsOpened++;
        } else if (entry instanceof JournalEntry.SessionExtended e) {
            OpenSession o = session(e.sessionId());
            if (o != null) {
                o.expiresAt = e.expiresAt();
            }
        } else if (entry instanceof JournalEntry.SessionClosed e) {
            OpenSession o = session(e.sessionId());
            if (o != null) {
                o.closed = true;
                o.excess = e.excess();
                o.excessBoundBy = e.boundBy();
                sessions.remove(e.sessionId());
                released.remove(e.sessionId());
                if (e.expired() && e.idempotencyKey() == null) {
                    released.put(e.sessionId(), o);
                } else {
                    closedSessions.put(e.sessionId(), o);
                }
            }
        } else if (entry instanceof JournalEntry.SessionSettled e) {
            countAgainstBudgets(e.scope(), "", BigDecimal.ZERO, e.currency(), e.credits(), Map.of(), e.at());
            OpenSession o = session(e.sessionId());
            if (o != null) {
                draw(o, e.credits());
            }
        } else if (entry instanceof JournalEntry.ScopeSet e) {
            scopes.put(e.scope().id(), e.scope());
            paths.clear();
        } else if (entry instanceof JournalEntry.BudgetSet e) {
            if (e.budget() == null) {
                Map<String, Budget> byKey = budgets.get(e.scopeId());
                if (byKey != null) {
                    byKey.remove(e.budgetKey());
                }
            } else {
                budgets.computeIfAbsent(e.scopeId(), k -> new TreeMap<>()).put(e.budgetKey(), e.budget());
            }
        } else if (entry instanceof JournalEntry.GrantCreated e) {
            account(e.grant().currency()).add(e.grant());
            account(e.grant().currency()).advance(e.at());
        } else if (entry instanceof JournalEntry.CreditsMoved e) {
            account(e.currency()).move(e.type(), e.movements());
            account(e.currency()).advance(e.at());
            if (e.type() == EntryType.CONSUME && e.reference() != null) {
                charges.put(e.reference(), e);
            }
        } else if (entry instanceof JournalEntry.AutoRechargeSet e) {
            if (e.config() == null) {
                recharges.remove(e.currency());
            } else {
                recharges.put(e.currency(), e.config());
            }
        }
    }

    /**
     * Adds recorded usage (or a session's settlement) to every budget on its scope's path that it applies to (the
     * same walk as the check).
     */
    private void countAgainstBudgets(
            @Nullable String scope,
            String feature,
            BigDecimal quantity,
            @Nullable String currency,
            @Nullable BigDecimal credits,
            Map<String, String> dimensions,
            Instant occurredAt) {
        if (scope == null || !scopes.containsKey(scope)) {
            return;
        }
        BudgetWalk.Result walk = BudgetWalk.walk(
                path(scope),
                this::budgetsOf,
                (s, budget) -> BigDecimal.ZERO,
                feature,
                quantity,
                currency,
                credits,
                dimensions);
        for (BudgetWalk.Charge c : walk.charges()) {
            budgetUsed.merge(
                    budgetWindowKey(c.scope(), c.budget(), occurredAt),
                    c.amount(),
                    (a, b) -> Decimals.normalize(a.add(b)));
        }
    }

    /** Shrinks the hold of the session a consumption was made in by what it counts against that hold. */
    private void drawOnSession(JournalEntry.UsageRecorded e) {
        OpenSession o = e.sessionId() == null ? null : session(e.sessionId());
        if (o != null) {
            drawOnSession(o, e);
        }
    }

    private static void drawOnSession(OpenSession o, JournalEntry.UsageRecorded e) {
        BigDecimal amount;
        if (o.session.feature() != null) {
            amount = e.quantity();
        } else {
            CreditCharge credit = e.answer().credit();
            amount = credit == null ? BigDecimal.ZERO : credit.credits();
        }
        draw(o, amount);
    }

    /**
     * A session held in memory: not closed, released at its deadline and not settled, or among the last closed; else
     * {@code null} (unknown, or closed before the last {@value #RECENT_CLOSED_SESSIONS}: see {@link #closedLongAgo}).
     */
    @Nullable
    OpenSession session(String sessionId) {
        OpenSession o = sessions.get(sessionId);
        if (o == null) {
            o = released.get(sessionId);
        }
        return o == null ? closedSessions.get(sessionId) : o;
    }

    /** Tells whether this customer issued the id ({@code <customerId>@s<n>}, n from 1 to {@link #sessionsOpened}). */
    boolean issued(String sessionId) {
        int n = id.length() + 2;
        if (!sessionId.startsWith(id) || !sessionId.startsWith("@s", id.length()) || sessionId.length() == n) {
            return false;
        }
        if (sessionId.charAt(n) == '0' || sessionId.length() - n > 9) {
            return false;
        }
        int number = 0;
        for (int i = n; i < sessionId.length(); i++) {
            char c = sessionId.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            number = number * 10 + (c - '0');
        }
        return number <= sessionsOpened;
    }

    /**
     * Tells whether the session is one of this customer's closed before the last {@value #RECENT_CLOSED_SESSIONS}:
     * issued, and no longer in memory (every session not closed, or released and not settled, is).
     */
    boolean closedLongAgo(String sessionId) {
        return session(sessionId) == null && issued(sessionId);
    }

    /**
     * Rebuilds a session closed long ago from the customer's records (in append order): the same fold as
     * {@link #apply} over the records that name it.
     *
     * @return the session, or {@code null} if no record opened it
     */
    static @Nullable OpenSession rebuild(String sessionId, List<JournalEntry> entries) {
        OpenSession o = null;
        for (JournalEntry entry : entries) {
            if (entry instanceof JournalEntry.SessionOpened e
                    && e.session().id().equals(sessionId)) {
                o = new OpenSession(e.session());
            } else if (o == null) {
                continue;
            } else if (entry instanceof JournalEntry.SessionExtended e
                    && e.sessionId().equals(sessionId)) {
                o.expiresAt = e.expiresAt();
            } else if (entry instanceof JournalEntry.SessionClosed e
                    && e.sessionId().equals(sessionId)) {
                o.closed = true;
                o.excess = e.excess();
                o.excessBoundBy = e.boundBy();
            } else if (entry instanceof JournalEntry.SessionSettled e
                    && e.sessionId().equals(sessionId)) {
                draw(o, e.credits());
            } else if (entry instanceof JournalEntry.UsageRecorded e && sessionId.equals(e.sessionId())) {
                drawOnSession(o, e);
            }
        }
        return o;
    }

    /** Counts {@code amount} as consumed in a session and shrinks its hold by it. */
    private static void draw(OpenSession o, BigDecimal amount) {
        o.consumed = Decimals.normalize(o.consumed.add(amount));
        o.remaining = Decimals.normalize(o.remaining.subtract(amount).max(BigDecimal.ZERO));
    }

    /** Units of a feature held by sessions at {@code t}, except {@code except}'s own hold. */
    BigDecimal heldFeature(String feature, Instant t, @Nullable String except) {
        BigDecimal sum = BigDecimal.ZERO;
        for (OpenSession o : sessions.values()) {
            if (feature.equals(o.session.feature())
                    && o.holdsAt(t)
                    && !o.session.id().equals(except)) {
                sum = sum.add(o.remaining);
            }
        }
        return sum;
    }

    /** Credits of a currency held by sessions at {@code t}, except {@code except}'s own hold. */
    BigDecimal heldCredits(String currency, Instant t, @Nullable String except) {
        BigDecimal sum = BigDecimal.ZERO;
        for (OpenSession o : sessions.values()) {
            if (currency.equals(o.session.currency())
                    && o.holdsAt(t)
                    && !o.session.id().equals(except)) {
                sum = sum.add(o.remaining);
            }
        }
        return sum;
    }

    /** What sessions hold at {@code t} against a scope's budget, except {@code except}'s own hold. */
    BigDecimal heldBudget(String scope, Budget budget, Instant t, @Nullable String except) {
        if (!budget.dimensions().isEmpty()) {
            return BigDecimal.ZERO;
        }
        BigDecimal sum = BigDecimal.ZERO;
        for (OpenSession o : sessions.values()) {
            Session s = o.session;
            boolean applies = budget.feature() != null
                    ? budget.feature().equals(s.feature())
                    : budget.currency() != null && budget.currency().equals(s.currency());
            if (applies
                    && o.holdsAt(t)
                    && !s.id().equals(except)
                    && s.scope() != null
                    && path(s.scope()).contains(scope)) {
                sum = sum.add(o.remaining);
            }
        }
        return sum;
    }

    /**
     * The scope and its ancestors, leaf first; empty for an unknown scope. Unmodifiable; kept until the scopes change
     * (every check with a scope walks it, and building it was a tenth of an in-process check).
     */
    List<String> path(String scope) {
        if (!scopes.containsKey(scope)) {
            return List.of();
        }
        return paths.computeIfAbsent(scope, this::walkUp);
    }

    private List<String> walkUp(String scope) {
        List<String> out = new ArrayList<>();
        String at = scope;
        while (at != null && scopes.containsKey(at) && out.size() <= scopes.size()) {
            out.add(at);
            at = scopes.get(at).parent();
        }
        return List.copyOf(out);
    }

    /**
     * Tells whether {@code scope} is {@code ancestor} or below it in the current tree ({@code null}, the customer
     * root, is below no scope).
     */
    boolean within(@Nullable String scope, String ancestor) {
        return scope != null && path(scope).contains(ancestor);
    }

    /**
     * The scope {@code depth} levels below the customer root on the current path of {@code scope} (1: a top-level
     * scope), or {@code scope} itself when it lies no deeper than that; {@code null} stays {@code null}.
     */
    @Nullable
    String atDepth(@Nullable String scope, int depth) {
        if (scope == null) {
            return null;
        }
        List<String> path = path(scope);
        return path.size() > depth ? path.get(path.size() - depth) : scope;
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
     * The allotments last computed, and what they were computed from; the catalog by identity, as a version number can
     * come back with other content after a failed catalog commit. {@code settled} is what {@link Housekeeping} found
     * given in full for them, on this state's accounts.
     */
    private record CachedAllotments(
            Catalog catalog,
            @Nullable Subscription subscription,
            Instant setAt,
            ZoneId zone,
            List<Allotment> allotments,
            Housekeeping.Settled settled) {}

    private @Nullable CachedAllotments allotmentCache;

    /**
     * The recurring grants this customer receives now: its plan's and add-ons' allotments, from when the
     * subscription was set until it is cancelled, each with its {@link Allotment#family family} across the versions
     * of its plan or add-on. Kept until the catalog, the subscription or the zone changes (every priced check asks).
     */
    List<Allotment> allotments(Catalog catalog) {
        CachedAllotments c = allotmentCache;
        if (c != null
                && c.catalog() == catalog
                && c.subscription() == subscription
                && c.setAt().equals(subscriptionSetAt)
                && c.zone().equals(zone)) {
            return c.allotments();
        }
        List<Allotment> computed = computeAllotments(catalog);
        allotmentCache = new CachedAllotments(
                catalog, subscription, subscriptionSetAt, zone, computed, new Housekeeping.Settled(computed.size()));
        return computed;
    }

    /**
     * What time has made due for this customer's credits by {@code t} ({@link Housekeeping#due}): allotments,
     * expiries, overdraft repayment. An allotment found given in full is not looked at again until its next period
     * starts, while the allotments stay and the accounts only gain grants ({@link #copyFrom} and {@link #clear}, which
     * replace the accounts, forget it).
     */
    List<LedgerChange> creditsDue(Catalog catalog, Instant t) {
        List<Allotment> allotments = allotments(catalog);
        return Housekeeping.due(
                accounts, allotments, t, Objects.requireNonNull(allotmentCache).settled());
    }

    private List<Allotment> computeAllotments(Catalog catalog) {
        Subscription sub = subscription;
        if (sub == null) {
            return List.of();
        }
        List<Allotment> out = new ArrayList<>();
        catalog.planVersion(sub.plan().key(), sub.plan().version()).ifPresent(plan -> {
            List<List<CreditAllotment>> versions = new ArrayList<>();
            catalog.planHistory().getOrDefault(plan.key(), List.of()).forEach(v -> versions.add(v.credits()));
            for (int i = 0; i < plan.credits().size(); i++) {
                out.add(new Allotment(
                        "plan:" + plan.key() + "@" + plan.version() + "#" + i,
                        plan.credits().get(i),
                        BigDecimal.ONE,
                        subscriptionSetAt,
                        sub.cancelAt(),
                        sub.startAt(),
                        zone,
                        family("plan:" + plan.key(), versions, plan.credits().get(i))));
            }
        });
        for (AddonRef ref : sub.addons()) {
            catalog.addonVersion(ref.key(), ref.version()).ifPresent(addon -> {
                List<List<CreditAllotment>> versions = new ArrayList<>();
                catalog.addonHistory().getOrDefault(addon.key(), List.of()).forEach(v -> versions.add(v.credits()));
                for (int i = 0; i < addon.credits().size(); i++) {
                    out.add(new Allotment(
                            "addon:" + addon.key() + "@" + addon.version() + "#" + i,
                            addon.credits().get(i),
                            BigDecimal.valueOf(ref.quantity()),
                            subscriptionSetAt,
                            sub.cancelAt(),
                            sub.startAt(),
                            zone,
                            family(
                                    "addon:" + addon.key(),
                                    versions,
                                    addon.credits().get(i))));
                }
            });
        }
        return List.copyOf(out);
    }

    /**
     * The sources ({@code <owner>@<version>#<index>}) of every allotment of the same currency and cadence as {@code
     * spec} in any version of its plan or add-on.
     *
     * @param owner {@code plan:<key>} or {@code addon:<key>}
     * @param versions the credits of each version, version 1 first
     */
    private static Set<String> family(String owner, List<List<CreditAllotment>> versions, CreditAllotment spec) {
        Set<String> out = new HashSet<>();
        for (int v = 0; v < versions.size(); v++) {
            List<CreditAllotment> credits = versions.get(v);
            for (int i = 0; i < credits.size(); i++) {
                CreditAllotment other = credits.get(i);
                if (other.currency().equals(spec.currency()) && other.every() == spec.every()) {
                    out.add(owner + "@" + (v + 1) + "#" + i);
                }
            }
        }
        return out;
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
