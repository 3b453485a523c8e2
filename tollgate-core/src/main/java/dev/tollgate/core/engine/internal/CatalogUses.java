package dev.tollgate.core.engine.internal;

import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.catalog.AddonVersion;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogUse;
import dev.tollgate.core.catalog.CreditAllotment;
import dev.tollgate.core.catalog.PlanVersion;
import dev.tollgate.core.credit.internal.CreditAccount;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gathers what one customer uses of the catalog ({@link CatalogUse}) from its state, for {@link
 * dev.tollgate.core.catalog.CatalogInUse}.
 *
 * <p>In use: a subscription that has not ended (scheduled ones too) uses its plan and add-ons, and the features and
 * currencies of the versions it is pinned to; a running trial, its plan likewise. An unexpired promotion uses its
 * feature; a budget its feature or currency; an open session what it holds. A currency is in use while the customer
 * has a non-zero balance or overdraft in it, an unexpired grant with credits remaining, or an auto-recharge setting. Usage history
 * alone (past windows, ended subscriptions, expired promotions, spent grants) uses nothing.
 *
 * <p>Not thread-safe: the caller holds the customer's section.
 */
final class CatalogUses {
    private CatalogUses() {}

    static CatalogUse of(CustomerState state, Catalog catalog, Instant now) {
        Set<String> plans = new HashSet<>();
        Set<String> addons = new HashSet<>();
        Set<String> features = new HashSet<>();
        Set<String> currencies = new HashSet<>();
        Subscription sub = state.subscription;
        if (sub != null && (sub.cancelAt() == null || now.isBefore(sub.cancelAt()))) {
            plans.add(sub.plan().key());
            catalog.planVersion(sub.plan().key(), sub.plan().version()).ifPresent(p -> plan(p, features, currencies));
            for (AddonRef a : sub.addons()) {
                addons.add(a.key());
                catalog.addonVersion(a.key(), a.version()).ifPresent(v -> addon(v, features, currencies));
            }
            if (sub.trial() != null && now.isBefore(sub.trial().endsAt())) {
                plans.add(sub.trial().plan().key());
                catalog.planVersion(sub.trial().plan().key(), sub.trial().plan().version())
                        .ifPresent(p -> plan(p, features, currencies));
            }
        }
        for (Promotion p : state.promotions) {
            if (p.expiresAt() == null || now.isBefore(p.expiresAt())) {
                features.add(p.feature());
            }
        }
        for (Map<String, Budget> byKey : state.budgets.values()) {
            for (Budget b : byKey.values()) {
                addIfPresent(features, b.feature());
                addIfPresent(currencies, b.currency());
            }
        }
        for (SessionState s : state.sessions.open.values()) {
            if (s.holdsAt(now)) {
                addIfPresent(features, s.session.feature());
                addIfPresent(currencies, s.session.heldCurrency());
            }
        }
        for (CreditAccount account : state.accounts.values()) {
            if (account.balance().signum() != 0
                    || account.overdraft().signum() != 0
                    || account.slots().stream().anyMatch(slot -> remains(slot, now))) {
                currencies.add(account.currency());
            }
        }
        currencies.addAll(state.recharges.keySet());
        return new CatalogUse(plans, addons, features, currencies);
    }

    /** A grant neither voided nor expired, with credits left: pending grants count too. */
    private static boolean remains(CreditAccount.Slot slot, Instant now) {
        Instant expiresAt = slot.grant().expiresAt();
        return !slot.voided()
                && !slot.expired()
                && slot.remaining().signum() > 0
                && (expiresAt == null || now.isBefore(expiresAt));
    }

    private static void plan(PlanVersion plan, Set<String> features, Set<String> currencies) {
        features.addAll(plan.entitlements().keySet());
        allotments(plan.credits(), currencies);
    }

    private static void addon(AddonVersion addon, Set<String> features, Set<String> currencies) {
        features.addAll(addon.entitlements().keySet());
        allotments(addon.credits(), currencies);
    }

    private static void allotments(List<CreditAllotment> credits, Set<String> currencies) {
        credits.forEach(c -> currencies.add(c.currency()));
    }

    private static void addIfPresent(Set<String> into, @org.jspecify.annotations.Nullable String key) {
        if (key != null) {
            into.add(key);
        }
    }
}
