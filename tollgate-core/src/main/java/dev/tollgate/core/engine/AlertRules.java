package dev.tollgate.core.engine;

import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.Currency;
import dev.tollgate.core.credit.CreditAccount;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.period.Window;
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

    private AlertRules() {}

    static List<Alert> due(
            CustomerState state, Catalog cat, List<JournalEntry> entries, Instant now, Collection<Webhook> webhooks) {
        Map<String, Alert> out = new LinkedHashMap<>();
        for (JournalEntry e : entries) {
            if (e instanceof JournalEntry.UsageRecorded u) {
                EffectiveEntitlement ent =
                        state.resolve(cat, now).entitlements().get(u.feature());
                if (ent != null && ent.limit() != null && ent.limit().signum() > 0) {
                    Window w = state.window(ent.reset(), ent.calendar(), state.anchor(), u.occurredAt());
                    BigDecimal used = state.used(u.feature(), w.start());
                    for (BigDecimal t : LIMIT_THRESHOLDS) {
                        if (used.compareTo(ent.limit().multiply(t)) >= 0) {
                            raise(
                                    out,
                                    state,
                                    webhooks,
                                    now,
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
                budgetThresholds(out, state, webhooks, now, u.scope(), u.occurredAt());
            } else if (e instanceof JournalEntry.SessionSettled settled) {
                budgetThresholds(out, state, webhooks, now, settled.scope(), settled.at());
            } else if (e instanceof JournalEntry.CreditsMoved m) {
                if (m.type() == EntryType.CONSUME) {
                    CreditAccount a = state.account(m.currency());
                    BigDecimal available = a.available(now).subtract(state.heldCredits(m.currency(), now, null));
                    Currency currency = cat.definition().currencies().get(m.currency());
                    BigDecimal low = currency == null ? null : currency.lowBalance();
                    if (low != null && available.compareTo(low) < 0) {
                        raise(
                                out,
                                state,
                                webhooks,
                                now,
                                "balance.low",
                                "low:" + m.currency() + ":" + a.slots().size(),
                                Map.of("currency", m.currency(), "available", available, "lowBalance", low));
                    }
                    if (available.signum() <= 0) {
                        raise(
                                out,
                                state,
                                webhooks,
                                now,
                                "balance.depleted",
                                "depleted:" + m.currency() + ":" + a.slots().size(),
                                Map.of("currency", m.currency(), "available", available));
                    }
                } else if (m.type() == EntryType.EXPIRE) {
                    for (Movement mv : m.movements()) {
                        if (mv.grantId() != null && mv.amount().signum() < 0) {
                            raise(
                                    out,
                                    state,
                                    webhooks,
                                    now,
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
            } else if (e instanceof JournalEntry.GrantCreated g
                    && g.grant().source().equals("recharge")) {
                raise(
                        out,
                        state,
                        webhooks,
                        now,
                        "credits.recharged",
                        "recharged:" + g.grant().id(),
                        Map.of(
                                "currency",
                                g.grant().currency(),
                                "grantId",
                                g.grant().id(),
                                "amount",
                                g.grant().amount(),
                                "costBasis",
                                g.grant().costBasis(),
                                "charge",
                                g.grant().amount().multiply(g.grant().costBasis()),
                                "trigger",
                                String.valueOf(g.grant().reference())));
            }
        }
        return new ArrayList<>(out.values());
    }

    /** {@code budget.threshold}: every budget on the path of {@code scope} at or past one of its alert fractions. */
    private static void budgetThresholds(
            Map<String, Alert> out,
            CustomerState state,
            Collection<Webhook> webhooks,
            Instant now,
            @Nullable String from,
            Instant occurredAt) {
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
                                out,
                                state,
                                webhooks,
                                now,
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

    private static void raise(
            Map<String, Alert> out,
            CustomerState state,
            Collection<Webhook> webhooks,
            Instant now,
            String type,
            String dedupKey,
            Map<String, Object> data) {
        if (state.firedAlerts.contains(dedupKey) || out.containsKey(dedupKey)) {
            return;
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
