package dev.tollgate.core.engine.internal;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.BalanceView;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.GrantView;
import dev.tollgate.core.api.LedgerLine;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.RefundView;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.credit.internal.CreditAccount;
import dev.tollgate.core.credit.internal.Refunds;
import dev.tollgate.core.journal.JournalEntry;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Grants, voids, refunds (the rule: {@link dev.tollgate.core.credit.internal.Refunds}), balances, the ledger, auto-recharge
 * settings and the sweep of what time made due. Thread-safe; each command runs in its customer's section.
 */
public final class Credits {
    private final EngineContext ctx;

    public Credits(EngineContext ctx) {
        this.ctx = ctx;
    }

    public CompletableFuture<Outcome<GrantView>> grant(String customerId, GrantRequest request) {
        return ctx.readingCatalog(() -> grantReadingCatalog(customerId, request));
    }

    CompletableFuture<Outcome<GrantView>> grantReadingCatalog(String customerId, GrantRequest request) {
        KeyUse.requireCallerKey(request.idempotencyKey());
        CustomerState state = ctx.existing(customerId);
        Catalog cat = ctx.catalog;
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
            IdempotencyKeys.KeyRecord prior = ctx.prior(state, request.idempotencyKey());
            if (prior != null) {
                KeyUse.requireSame(prior.entry(), KeyUse.Kind.GRANT, print, e -> {
                    Grant g = ((JournalEntry.GrantCreated) e).grant();
                    return g.currency().equals(request.currency()) && g.amount().compareTo(request.amount()) == 0;
                });
                JournalEntry.GrantCreated g = (JournalEntry.GrantCreated) prior.entry();
                return prior.durable()
                        .thenApply(v -> new Outcome<>(grantView(state, g.grant().id()), true));
            }
            ctx.requireAvailable();
            Instant now = ctx.now();
            Instant effectiveAt = request.effectiveAt() != null ? request.effectiveAt() : now;
            if (request.expiresAt() != null && !request.expiresAt().isAfter(effectiveAt)) {
                throw TollgateException.invalid("INVALID_GRANT", "expiresAt must be after effectiveAt", "expiresAt");
            }
            List<JournalEntry> entries = new ArrayList<>(CreditRecords.housekeep(state, cat, now));
            Grant grant = newGrant(state, request, effectiveAt);
            JournalEntry created =
                    new JournalEntry.GrantCreated(customerId, now, request.idempotencyKey(), grant, print);
            state.apply(created, EngineContext.PLACEHOLDER);
            entries.add(created);
            CreditRecords.repayNow(state, grant.currency(), now, entries);
            return ctx.enqueue(state, entries).thenApply(v -> new Outcome<>(grantView(state, grant.id()), false));
        }
    }

    /** The grant a request creates: the customer's next id ({@code g<n>}, counting every grant of every currency). */
    private static Grant newGrant(CustomerState state, GrantRequest request, Instant effectiveAt) {
        int count = 0;
        for (CreditAccount a : state.accounts.values()) {
            count += a.slots().size();
        }
        return new Grant(
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
    }

    GrantView grantView(CustomerState state, String grantId) {
        synchronized (state) {
            Instant now = ctx.now();
            for (CreditAccount a : Decisions.accountsAt(state, ctx.catalog, now).values()) {
                CreditAccount.Slot s = a.slot(grantId);
                if (s != null) {
                    return view(s, now);
                }
            }
            throw TollgateException.notFound("GRANT_NOT_FOUND", "no grant '" + grantId + "'", "grantId");
        }
    }

    static GrantView view(CreditAccount.Slot s, Instant now) {
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

    public List<GrantView> grants(String customerId, @Nullable String currency, boolean activeOnly) {
        CustomerState state = ctx.existing(customerId);
        synchronized (state) {
            Instant now = ctx.now();
            List<GrantView> out = new ArrayList<>();
            for (CreditAccount a : Decisions.accountsAt(state, ctx.catalog, now).values()) {
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

    public CompletableFuture<Outcome<GrantView>> voidGrant(String customerId, String grantId) {
        CustomerState state = ctx.existing(customerId);
        Catalog cat = ctx.catalog;
        synchronized (state) {
            String key = "void:" + grantId;
            IdempotencyKeys.KeyRecord prior = ctx.prior(state, key);
            if (prior != null) {
                KeyUse.requireKind(prior.entry(), KeyUse.Kind.VOID);
                return prior.durable().thenApply(v -> new Outcome<>(grantView(state, grantId), true));
            }
            ctx.requireAvailable();
            Instant now = ctx.now();
            List<JournalEntry> entries = new ArrayList<>(CreditRecords.housekeep(state, cat, now));
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
            state.apply(voided, EngineContext.PLACEHOLDER);
            entries.add(voided);
            return ctx.enqueue(state, entries).thenApply(v -> new Outcome<>(grantView(state, grantId), false));
        }
    }

    public CompletableFuture<Outcome<RefundView>> refund(String customerId, String consumptionKey) {
        CustomerState state = ctx.existing(customerId);
        Catalog cat = ctx.catalog;
        synchronized (state) {
            String key = "refund:" + consumptionKey;
            IdempotencyKeys.KeyRecord prior = ctx.prior(state, key);
            JournalEntry.CreditsMoved charged = ctx.charged(state, consumptionKey);
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
            ctx.requireAvailable();
            Instant now = ctx.now();
            List<JournalEntry> entries = new ArrayList<>(CreditRecords.housekeep(state, cat, now));
            CreditAccount account = state.account(charged.currency());
            List<Movement> back = Refunds.movements(account, charged.movements(), now);
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
            state.apply(refunded, EngineContext.PLACEHOLDER);
            entries.add(refunded);
            // credits back in a grant while the account is overdrawn pay the overdraft at once
            CreditRecords.repayNow(state, charged.currency(), now, entries);
            RefundView answer = refundView(charged, refunded);
            return ctx.enqueue(state, entries).thenApply(v -> new Outcome<>(answer, false));
        }
    }

    static RefundView refundView(JournalEntry.CreditsMoved charged, JournalEntry.CreditsMoved refunded) {
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

    public CompletableFuture<BalanceView> setAutoRecharge(
            String customerId, String currency, @Nullable AutoRecharge config) {
        return ctx.readingCatalog(() -> setAutoRechargeReadingCatalog(customerId, currency, config));
    }

    CompletableFuture<BalanceView> setAutoRechargeReadingCatalog(
            String customerId, String currency, @Nullable AutoRecharge config) {
        CustomerState state = ctx.existing(customerId);
        if (!ctx.catalog.definition().currencies().containsKey(currency)) {
            throw TollgateException.notFound("CURRENCY_NOT_FOUND", "no currency '" + currency + "'", "currency");
        }
        synchronized (state) {
            ctx.requireAvailable();
            JournalEntry set = new JournalEntry.AutoRechargeSet(customerId, ctx.now(), null, currency, config);
            state.apply(set, EngineContext.PLACEHOLDER);
            return ctx.enqueue(state, List.of(set)).thenApply(v -> balance(state, currency));
        }
    }

    public List<BalanceView> balances(String customerId) {
        CustomerState state = ctx.existing(customerId);
        synchronized (state) {
            Set<String> currencies = new java.util.TreeSet<>(
                    ctx.catalog.definition().currencies().keySet());
            currencies.addAll(state.accounts.keySet());
            List<BalanceView> out = new ArrayList<>();
            for (String c : currencies) {
                out.add(balance(state, c));
            }
            return out;
        }
    }

    BalanceView balance(CustomerState state, String currency) {
        synchronized (state) {
            Instant now = ctx.now();
            CreditAccount a = Decisions.accountsAt(state, ctx.catalog, now).get(currency);
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

    public List<LedgerLine> ledger(String customerId, @Nullable String currency, long afterSeq, int limit) {
        ctx.existing(customerId);
        List<LedgerLine> out = new ArrayList<>();
        for (LedgerLine line : Ledger.lines(ctx.store.entries(customerId))) {
            if (line.seq() > afterSeq && (currency == null || currency.equals(line.currency()))) {
                out.add(line);
                if (out.size() == limit) {
                    break;
                }
            }
        }
        return out;
    }

    public int sweep() {
        if (!ctx.journal.available()) {
            return 0;
        }
        Catalog cat = ctx.catalog;
        int written = 0;
        for (CustomerState state : ctx.customers.values()) {
            synchronized (state) {
                if (!state.exists
                        || (state.accounts.isEmpty() && state.subscription == null && state.sessions.open.isEmpty())) {
                    continue;
                }
                Instant now = ctx.now();
                List<JournalEntry> due = new ArrayList<>(CreditRecords.housekeep(state, cat, now));
                for (SessionState o : List.copyOf(state.sessions.open.values())) {
                    if (!o.closed && !now.isBefore(o.expiresAt)) {
                        JournalEntry expired =
                                new JournalEntry.SessionClosed(state.id, now, null, o.session.id(), true, null, null);
                        state.apply(expired, EngineContext.PLACEHOLDER);
                        due.add(expired);
                    }
                }
                if (!due.isEmpty()) {
                    ctx.enqueue(state, due);
                    written += due.size();
                }
            }
        }
        return written;
    }
}
