package dev.tollgate.core.engine;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.api.BalanceView;
import dev.tollgate.core.api.CatalogFileOutcome;
import dev.tollgate.core.api.CatalogVersionInfo;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.CustomerView;
import dev.tollgate.core.api.Delivery;
import dev.tollgate.core.api.EntitlementView;
import dev.tollgate.core.api.EventResult;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.GrantView;
import dev.tollgate.core.api.LedgerLine;
import dev.tollgate.core.api.MarginQuery;
import dev.tollgate.core.api.MarginReport;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.PromotionRequest;
import dev.tollgate.core.api.RefundView;
import dev.tollgate.core.api.ScopeView;
import dev.tollgate.core.api.SessionOutcome;
import dev.tollgate.core.api.SessionRequest;
import dev.tollgate.core.api.SessionView;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.api.UsageEvent;
import dev.tollgate.core.api.UsageQuery;
import dev.tollgate.core.api.UsageReport;
import dev.tollgate.core.api.WhatIfReport;
import dev.tollgate.core.api.WhatIfRequest;
import dev.tollgate.core.billing.BillingPeriod;
import dev.tollgate.core.billing.OutboxEntry;
import dev.tollgate.core.billing.PeriodLines;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogDiff;
import dev.tollgate.core.catalog.CatalogInUseException;
import dev.tollgate.core.catalog.CatalogOrigin;
import dev.tollgate.core.commit.GroupCommitJournal;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.engine.internal.Alerts;
import dev.tollgate.core.engine.internal.CatalogCommands;
import dev.tollgate.core.engine.internal.Credits;
import dev.tollgate.core.engine.internal.Customers;
import dev.tollgate.core.engine.internal.EngineContext;
import dev.tollgate.core.engine.internal.Finance;
import dev.tollgate.core.engine.internal.Governance;
import dev.tollgate.core.engine.internal.Metering;
import dev.tollgate.core.engine.internal.PeriodReader;
import dev.tollgate.core.engine.internal.Sessions;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Applies commands to per-customer state and makes their records durable.
 *
 * <p>Concurrency: every customer has an exclusive section (its state's monitor). A write runs entirely inside it:
 * validate, decide, build records, apply them to memory, enqueue them to the {@link
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
 * <p>Layout: this class is the facade of the module's API: it takes the requests and answers the records of {@code
 * dev.tollgate.core.api}. Each family of commands lives in its own class in the non-exported {@code
 * dev.tollgate.core.engine.internal}, over one {@code EngineContext} (state, catalog, clock, commit plumbing): {@code
 * CatalogCommands}, {@code Customers}, {@code Metering} (check, consume, events: the hot path, deciding through {@code
 * Decisions} and charging through {@code CreditRecords} and {@code credit.internal.Charging}), {@code Credits},
 * {@code Governance}, {@code Sessions} and {@code Alerts}. See {@code docs/internals/engine.md}.
 *
 * <p>Thread-safe.
 */
public final class Engine implements AutoCloseable {
    /** How far in the future a reported event's timestamp may lie (clock skew between hosts). */
    public static final Duration MAX_EVENT_SKEW = EngineContext.MAX_EVENT_SKEW;

    /** The reserved customer id under which webhook settings and deliveries are journaled. */
    public static final String SYSTEM = EngineContext.SYSTEM;

    /** The longest a session can live, heartbeats included, unless the request says less. */
    public static final Duration MAX_SESSION_LIFETIME = EngineContext.MAX_SESSION_LIFETIME;

    final EngineContext ctx;

    private final CatalogCommands catalogs;
    private final Customers customers;
    private final Metering metering;
    private final Governance governance;
    private final Alerts alerts;
    private final Sessions sessions;
    private final Credits credits;
    private final Finance finance;

    private Engine(
            Store store, InstantSource clock, GroupCommitJournal.@Nullable Listener observer, boolean everyCustomer) {
        this.ctx = new EngineContext(store, clock, observer, everyCustomer);
        this.catalogs = new CatalogCommands(ctx);
        this.customers = new Customers(ctx);
        this.metering = new Metering(ctx);
        this.governance = new Governance(ctx);
        this.alerts = new Alerts(ctx);
        this.sessions = new Sessions(ctx);
        this.credits = new Credits(ctx);
        this.finance = new Finance(ctx);
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
        return new Engine(store, clock, observer, true);
    }

    /**
     * Starts the engine of one node of a cluster: it loads only the catalog; customers are loaded as the node takes
     * them over ({@link #adopt}) and forgotten when it gives them up ({@link #drop}). The caller routes to this engine
     * only requests for customers it has adopted.
     *
     * @param store the shared store, fencing this node's commits; the engine does not close it
     * @param clock the only source of time
     * @param observer sees every commit and failure (metrics), or {@code null}
     * @return a running engine holding no customer
     * @throws StoreException if the store cannot be read
     */
    public static Engine startNode(Store store, InstantSource clock, GroupCommitJournal.@Nullable Listener observer) {
        return new Engine(store, clock, observer, false);
    }

    /**
     * Loads a customer (or {@link #SYSTEM}: the webhooks, with the latest catalog) from the store, replacing what
     * memory held of it: this node has just taken it over. Blocks on the store.
     *
     * @throws StoreException if the store cannot be read; memory is then unchanged
     */
    public void adopt(String customerId) {
        ctx.adopt(customerId);
    }

    /**
     * Forgets a customer this node gives up. A command that has not yet changed it is refused with {@code NOT_OWNER}
     * ({@code 503}); those already enqueued commit or are fenced by the store.
     *
     * @return completes normally once every command enqueued for the customer has been committed or failed
     */
    public CompletableFuture<Void> drop(String customerId) {
        return ctx.drop(customerId);
    }

    /**
     * Publishes in memory the catalog versions that another node stored since the last one this node knows. Blocks on
     * the store.
     *
     * @return whether a newer version was found
     * @throws StoreException if the store cannot be read
     */
    public boolean followCatalog() {
        return ctx.followCatalog();
    }

    /**
     * Reads the webhooks another node of a cluster set (the node that owns {@link #SYSTEM} writes them), so that this
     * node's alerts go to them. Blocks on the store.
     *
     * @throws StoreException if the store cannot be read
     */
    public void followWebhooks() {
        ctx.followWebhooks();
    }

    /** The current catalog. */
    public Catalog catalog() {
        return catalogs.catalog();
    }

    /** Every published catalog version, oldest first. */
    public List<CatalogVersionInfo> catalogVersions() {
        return catalogs.catalogVersions();
    }

    /**
     * What changed from the version before to this one.
     *
     * @param version a published catalog version; version 1 is compared with the empty catalog
     * @return the difference
     * @throws TollgateException {@code CATALOG_VERSION_NOT_FOUND} if there is no such version
     */
    public CatalogDiff catalogDiff(int version) {
        return catalogs.catalogDiff(version);
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
        return catalogs.publishCatalog(document, author);
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
        return catalogs.publishCatalogFile(document, file);
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
        return catalogs.rollbackCatalog(version, author);
    }

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
        return customers.upsertCustomer(customerId, update, idempotencyKey);
    }

    /** The customer, if it exists. */
    public Optional<CustomerView> customer(String customerId) {
        return customers.customer(customerId);
    }

    /**
     * Customers in the order of their ids, a page at a time.
     *
     * @param plan only customers subscribed to this plan (any version), or {@code null} for all
     * @param after only ids after this one, or {@code null} to start at the first
     * @param limit at most this many
     */
    public List<CustomerView> customers(@Nullable String plan, @Nullable String after, int limit) {
        return customers.customers(plan, after, limit);
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
        return customers.subscribe(customerId, request);
    }

    /**
     * Cancels a customer's subscription now or at the end of its current billing period.
     *
     * @param atPeriodEnd {@code true} to keep it until the period ends
     * @return completes with the customer once durable
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code NO_SUBSCRIPTION}
     */
    public CompletableFuture<CustomerView> cancel(String customerId, boolean atPeriodEnd) {
        return customers.cancel(customerId, atPeriodEnd);
    }

    /**
     * Grants a customer an entitlement directly.
     *
     * @return completes with the promotion once durable
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code FEATURE_NOT_FOUND}, {@code INVALID_ENTITLEMENT}
     */
    public CompletableFuture<Outcome<Promotion>> promote(String customerId, PromotionRequest request) {
        return customers.promote(customerId, request);
    }

    /**
     * Every effective entitlement of a customer with its current usage.
     *
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}
     */
    public List<EntitlementView> entitlements(String customerId) {
        return customers.entitlements(customerId);
    }

    /**
     * Answers whether a quantity may be consumed, without consuming. Reads memory only.
     *
     * @return the decision; {@code CUSTOMER_NOT_FOUND} and {@code FEATURE_NOT_FOUND} come back as denials
     */
    public Decision check(CheckRequest request) {
        return metering.check(request);
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
        return metering.consume(request);
    }

    /**
     * Records usage that already happened. Never refuses for lack of room; usage past a hard limit is recorded as
     * overage.
     *
     * @param events the events, of any customers
     * @return completes once every accepted event is durable, with one result per event in order
     */
    public CompletableFuture<List<EventResult>> report(List<UsageEvent> events) {
        return metering.report(events);
    }

    /**
     * Creates a scope, or renames or moves it.
     *
     * @param parent the parent scope, or {@code null} for the customer root
     * @return completes with the scope once durable
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code SCOPE_NOT_FOUND} (the parent), {@code SCOPE_CYCLE}
     */
    public CompletableFuture<ScopeView> setScope(
            String customerId, String scopeId, String kind, @Nullable String parent, @Nullable String name) {
        return governance.setScope(customerId, scopeId, kind, parent, name);
    }

    /**
     * Sets (or, with {@code null}, removes) a budget on a scope. Usage counts against it from when it is set.
     *
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code SCOPE_NOT_FOUND}, {@code FEATURE_NOT_FOUND},
     *     {@code FEATURE_NOT_METERED}, {@code CURRENCY_NOT_FOUND}
     */
    public CompletableFuture<ScopeView> setBudget(
            String customerId, String scopeId, String budgetKey, @Nullable Budget budget) {
        return governance.setBudget(customerId, scopeId, budgetKey, budget);
    }

    /**
     * Every scope of a customer with its budgets' usage in their current windows, in creation order.
     *
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}
     */
    public List<ScopeView> scopes(String customerId) {
        return governance.scopes(customerId);
    }

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
        return governance.usage(customerId, from, to, groupBy, feature);
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
        return governance.usage(customerId, query);
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
        return governance.usagePeriods(customerId, from, to);
    }

    /**
     * Revenue against cost over a range of usage, grouped, read from the store's durable records (the whole journal):
     * see {@code docs/finance-margin.md}.
     *
     * @throws TollgateException {@code INVALID_GROUP_BY}, {@code INVALID_QUERY} (from not before to)
     * @throws StoreException if the store cannot be read
     */
    public MarginReport margin(MarginQuery query) {
        return finance.margin(query);
    }

    /**
     * Replays the requests recorded in a range against a draft catalog on the pure core ({@link WhatIf}), reading the
     * store's durable records; changes nothing, in memory or in the store.
     *
     * @throws dev.tollgate.core.catalog.CatalogException if the draft is invalid
     * @throws TollgateException as {@link WhatIf#run} says
     * @throws StoreException if the store cannot be read
     */
    public WhatIfReport whatIf(WhatIfRequest request) {
        return WhatIf.run(
                catalogs.catalog(), request, sink -> finance.records(request.customers(), sink::add, sink::finished));
    }

    /**
     * Creates or replaces a webhook. Alerts raised from now on are delivered to it.
     *
     * @return completes once durable
     */
    public CompletableFuture<Webhook> setWebhook(Webhook webhook) {
        return alerts.setWebhook(webhook);
    }

    /** Every webhook, by id. Thread-safe snapshot. */
    public List<Webhook> webhooks() {
        return alerts.webhooks();
    }

    /**
     * Removes a webhook: nothing more is delivered to it, including alerts already waiting for it, also after a
     * restart.
     *
     * @return completes with the removed webhook once durable
     * @throws TollgateException {@code WEBHOOK_NOT_FOUND}
     */
    public CompletableFuture<Webhook> removeWebhook(String webhookId) {
        return alerts.removeWebhook(webhookId);
    }

    /** Deliveries not yet made, oldest alert first. Thread-safe snapshot. */
    public List<Delivery> pendingDeliveries() {
        return alerts.pendingDeliveries();
    }

    /**
     * Records that an alert reached a webhook, so it is not sent there again (also after a restart).
     *
     * @return completes once durable
     */
    public CompletableFuture<Void> markDelivered(String alertId, String webhookId) {
        return alerts.markDelivered(alertId, webhookId);
    }

    /**
     * Where each of an alert's deliveries stands, by webhook id: {@code pending}, {@code delivered}, or {@code dropped}
     * (its webhook was removed before it was delivered). Thread-safe snapshot.
     */
    public Map<String, String> deliveries(Alert alert) {
        return alerts.deliveries(alert);
    }

    /**
     * Alerts, newest first.
     *
     * @param customerId one customer's, or {@code null} for all
     * @param limit at most this many
     */
    public List<Alert> eventLog(@Nullable String customerId, int limit) {
        return alerts.eventLog(customerId, limit);
    }

    /**
     * Opens a session: holds {@code amount} on the currency's balance or the feature's limit and on every budget on
     * the path from its scope, all at once, or refuses with the reason and what bound it.
     *
     * @return completes once durable with the session, or at once with the refusal (not recorded)
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code SCOPE_NOT_FOUND}, {@code FEATURE_NOT_FOUND},
     *     {@code FEATURE_NOT_METERED}, {@code CURRENCY_NOT_FOUND}
     */
    public CompletableFuture<Outcome<SessionOutcome>> openSession(String customerId, SessionRequest request) {
        return sessions.openSession(customerId, request);
    }

    /**
     * Extends a session's deadline to {@code now + ttl}, never past its maximum lifetime.
     *
     * @throws TollgateException {@code SESSION_NOT_FOUND}, {@code SESSION_CLOSED}
     */
    public CompletableFuture<SessionView> heartbeat(String sessionId, Duration ttl) {
        return sessions.heartbeat(sessionId, ttl);
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
        return sessions.closeSession(sessionId, used);
    }

    /**
     * A session as it stands now.
     *
     * @throws TollgateException {@code SESSION_NOT_FOUND}
     */
    public SessionView session(String sessionId) {
        return sessions.session(sessionId);
    }

    /**
     * A customer's sessions running now (not closed, not past their deadline), oldest first. Thread-safe snapshot.
     *
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}
     */
    public List<SessionView> openSessions(String customerId) {
        return sessions.openSessions(customerId);
    }

    /**
     * Grants credits. A grant that is effective now first pays back any overdraft.
     *
     * @return completes with the grant once durable (and whether it was a replay)
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code CURRENCY_NOT_FOUND}, {@code INVALID_GRANT},
     *     {@code IDEMPOTENCY_KEY_REUSED}
     */
    public CompletableFuture<Outcome<GrantView>> grant(String customerId, GrantRequest request) {
        return credits.grant(customerId, request);
    }

    /**
     * A customer's grants, oldest first, as they stand now.
     *
     * @param currency only this currency, or {@code null} for all
     * @param activeOnly only grants that can be spent now
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}
     */
    public List<GrantView> grants(String customerId, @Nullable String currency, boolean activeOnly) {
        return credits.grants(customerId, currency, activeOnly);
    }

    /**
     * Voids what remains of a grant. Voiding it again answers the first void.
     *
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code GRANT_NOT_FOUND}, {@code GRANT_EXPIRED}
     */
    public CompletableFuture<Outcome<GrantView>> voidGrant(String customerId, String grantId) {
        return credits.voidGrant(customerId, grantId);
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
        return credits.refund(customerId, consumptionKey);
    }

    /**
     * Configures (or, with {@code null}, switches off) auto-recharge of a currency.
     *
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}, {@code CURRENCY_NOT_FOUND}
     */
    public CompletableFuture<BalanceView> setAutoRecharge(
            String customerId, String currency, @Nullable AutoRecharge config) {
        return credits.setAutoRecharge(customerId, currency, config);
    }

    /**
     * Every currency's balance, as it stands now (allotments due and expiries included without waiting for a write).
     *
     * @throws TollgateException {@code CUSTOMER_NOT_FOUND}
     */
    public List<BalanceView> balances(String customerId) {
        return credits.balances(customerId);
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
        return credits.ledger(customerId, currency, afterSeq, limit);
    }

    /**
     * Records what time has made due (allotments, expiries, overdraft repayment) for every customer, so that the
     * ledger shows an expiry soon after it happens even for a customer that writes nothing. Balances never wait for
     * it. Skipped while the store is unavailable.
     *
     * @return the number of records written
     */
    public int sweep() {
        return credits.sweep();
    }

    /** The time now by the engine's clock: what it stamps records with. */
    public Instant now() {
        return ctx.now();
    }

    /**
     * Reads a billing period's invoice-ready lines from the store (never from memory, so every server of a cluster
     * answers the same), customer by customer in the order of their ids, as {@code engine.internal.PeriodReader} says: customers with nothing to bill are passed over.
     *
     * @param after start after this customer id, or {@code null}
     * @param sink takes one customer's lines; answers whether to go on
     * @return whether the customers ran out (rather than the sink stopping)
     * @throws StoreException if the store cannot be read
     */
    public boolean readPeriod(BillingPeriod period, @Nullable String after, Predicate<PeriodLines> sink) {
        return new PeriodReader(ctx.store).read(period, after, sink);
    }

    /**
     * The store's export outbox, a page of items in the order of their ids.
     *
     * @param status only these, or {@code null}
     * @param afterId only ids after this one, or {@code null}
     * @throws StoreException if the store cannot be read
     * @throws UnsupportedOperationException if the store keeps no outbox
     */
    public List<OutboxEntry> exports(OutboxEntry.@Nullable Status status, @Nullable String afterId, int limit) {
        return ctx.store.outbox().entries(status, afterId, limit);
    }

    /** Tells whether the store answers (readiness). */
    public boolean storeReachable() {
        return ctx.store.ping();
    }

    /** Tells whether writes are accepted: {@code false} from a failed commit until the store answers again. */
    public boolean writable() {
        return ctx.journal.available();
    }

    /** Commits what is queued and stops the journal. The store stays open. */
    @Override
    public void close() {
        ctx.journal.close();
    }
}
