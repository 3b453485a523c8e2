package dev.tollgate.core.engine.internal;

import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.Currency;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.credit.internal.CreditAccount;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.period.internal.Window;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which alerts a command's records raise, from the state after them. Each alert has a dedup key, so that a threshold
 * fires once per period however many writes pass it:
 *
 * <ul>
 *   <li>{@code limit.threshold}: a metered limit's usage reached 80 % or 100 % in a window;
 *   <li>{@code budget.threshold}: a budget's usage reached one of its alert fractions in a window;
 *   <li>{@code balance.low}: a consumption left a currency's available balance under the catalog's {@code lowBalance}
 *       (again after each new grant);
 *   <li>{@code balance.depleted}: a consumption left a currency with nothing available (again after each new grant);
 *   <li>{@code credits.recharged}: auto-recharge created a grant (billing charges for it);
 *   <li>{@code credits.expired}: a grant's remainder expired.
 * </ul>
 */
final class AlertRules {
    /** The fractions of a metered limit that raise {@code limit.threshold}. */
    static final List<BigDecimal> LIMIT_THRESHOLDS = List.of(new BigDecimal("0.8"), BigDecimal.ONE);

    private final CustomerState state;
    private final Catalog cat;
    private final Instant now;
    private final Collection<Webhook> webhooks;
    /** The alerts raised so far by the records looked at, by dedup key; {@code null} until the first (most commands raise none). */
    private @Nullable Map<String, Alert> out;

    private AlertRules(CustomerState state, Catalog cat, Instant now, Collection<Webhook> webhooks) {
        this.state = state;
        this.cat = cat;
        this.now = now;
        this.webhooks = webhooks;
    }

    /**
     * The alerts a command's records raise, in the order raised, each addressed to the webhooks that want its type.
     * Call inside the customer's section, after the records were applied.
     *
     * @return the alerts; an unmodifiable empty list if none
     */
    static List<Alert> due(
            CustomerState state, Catalog cat, List<JournalEntry> entries, Instant now, Collection<Webhook> webhooks) {
        AlertRules rules = new AlertRules(state, cat, now, webhooks);
        for (JournalEntry e : entries) {
            if (e instanceof JournalEntry.UsageRecorded u) {
                rules.limitThresholds(u);
                rules.budgetThresholds(u.scope(), u.occurredAt());
            } else if (e instanceof JournalEntry.SessionSettled settled) {
                rules.budgetThresholds(settled.scope(), settled.at());
            } else if (e instanceof JournalEntry.CreditsMoved m && m.type() == EntryType.CONSUME) {
                rules.balance(m);
            } else if (e instanceof JournalEntry.CreditsMoved m && m.type() == EntryType.EXPIRE) {
                rules.expired(m);
            } else if (e instanceof JournalEntry.GrantCreated g
                    && g.grant().source().equals("recharge")) {
                rules.recharged(g.grant());
            }
        }
        return rules.out == null ? List.of() : new ArrayList<>(rules.out.values());
    }

    /** {@code limit.threshold}: the feature's metered limit at or past one of {@link #LIMIT_THRESHOLDS}. */
    private void limitThresholds(JournalEntry.UsageRecorded u) {
        EffectiveEntitlement ent = state.resolve(cat, now).entitlements().get(u.feature());
        if (ent == null || ent.limit() == null || ent.limit().signum() <= 0) {
            return;
        }
        Window w = state.window(ent.reset(), ent.calendar(), state.anchor(), u.occurredAt());
        BigDecimal used = state.used(u.feature(), w.start());
        for (BigDecimal t : LIMIT_THRESHOLDS) {
            if (used.compareTo(ent.limit().multiply(t)) >= 0) {
                raise(
                        "limit.threshold",
                        "limit:" + u.feature() + ":" + t.toPlainString() + ":" + w.start(),
                        Map.of(
                                "feature",
                                u.feature(),
                                "threshold",
                                t,
                                "used",
                                used,
                                "limit",
                                ent.limit(),
                                "windowStart",
                                w.start().toString()));
            }
        }
    }

    /** {@code balance.low} and {@code balance.depleted}, after a consumption's charge. */
    private void balance(JournalEntry.CreditsMoved m) {
        CreditAccount a = state.account(m.currency());
        BigDecimal available = a.available(now).subtract(state.heldCredits(m.currency(), now, null));
        Currency currency = cat.definition().currencies().get(m.currency());
        BigDecimal low = currency == null ? null : currency.lowBalance();
        if (low != null && available.compareTo(low) < 0) {
            raise(
                    "balance.low",
                    "low:" + m.currency() + ":" + a.slots().size(),
                    Map.of("currency", m.currency(), "available", available, "lowBalance", low));
        }
        if (available.signum() <= 0) {
            raise(
                    "balance.depleted",
                    "depleted:" + m.currency() + ":" + a.slots().size(),
                    Map.of("currency", m.currency(), "available", available));
        }
    }

    /** {@code credits.expired}: every grant an expiry took a remainder from. */
    private void expired(JournalEntry.CreditsMoved m) {
        for (Movement mv : m.movements()) {
            if (mv.grantId() != null && mv.amount().signum() < 0) {
                raise(
                        "credits.expired",
                        "expired:" + mv.grantId(),
                        Map.of(
                                "currency",
                                m.currency(),
                                "grantId",
                                mv.grantId(),
                                "amount",
                                mv.amount().negate(),
                                "expiredAt",
                                m.time().toString()));
            }
        }
    }

    /** {@code credits.recharged}: auto-recharge created a grant. */
    private void recharged(Grant g) {
        raise(
                "credits.recharged",
                "recharged:" + g.id(),
                Map.of(
                        "currency",
                        g.currency(),
                        "grantId",
                        g.id(),
                        "amount",
                        g.amount(),
                        "costBasis",
                        g.costBasis(),
                        "charge",
                        g.amount().multiply(g.costBasis()),
                        "trigger",
                        String.valueOf(g.reference())));
    }

    /** {@code budget.threshold}: every budget on the path of {@code scope} at or past one of its alert fractions. */
    private void budgetThresholds(@Nullable String from, Instant occurredAt) {
        if (from == null) {
            return;
        }
        for (String scope : state.path(from)) {
            for (Budget b : state.budgetsOf(scope)) {
                BigDecimal used = state.budgetUsed(scope, b, occurredAt);
                Window w = state.budgetWindow(b, occurredAt);
                for (BigDecimal t : b.alerts()) {
                    if (b.limit().signum() > 0 && used.compareTo(b.limit().multiply(t)) >= 0) {
                        raise(
                                "budget.threshold",
                                "budget:" + scope + ":" + b.key() + ":" + t.toPlainString() + ":" + w.start(),
                                Map.of(
                                        "scope",
                                        scope,
                                        "budget",
                                        b.key(),
                                        "threshold",
                                        t,
                                        "used",
                                        used,
                                        "limit",
                                        b.limit(),
                                        "windowStart",
                                        w.start().toString()));
                    }
                }
            }
        }
    }

    /** Raises an alert unless its dedup key fired already (earlier, or among these records). */
    private void raise(String type, String dedupKey, Map<String, Object> data) {
        if (state.firedAlerts.contains(dedupKey) || (out != null && out.containsKey(dedupKey))) {
            return;
        }
        if (out == null) {
            out = new LinkedHashMap<>();
        }
        List<String> targets = new ArrayList<>();
        for (Webhook w : webhooks) {
            if (w.wants(type)) {
                targets.add(w.id());
            }
        }
        String id = state.id + "#a" + (state.alerts.size() + out.size() + 1);
        out.put(dedupKey, new Alert(id, state.id, type, dedupKey, now, data, targets));
    }
}
