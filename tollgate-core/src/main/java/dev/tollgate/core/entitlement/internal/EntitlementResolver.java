package dev.tollgate.core.entitlement.internal;

import dev.tollgate.core.catalog.AddonEntitlement;
import dev.tollgate.core.catalog.AddonMode;
import dev.tollgate.core.catalog.AddonVersion;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.Enforcement;
import dev.tollgate.core.catalog.Entitlement;
import dev.tollgate.core.catalog.Feature;
import dev.tollgate.core.catalog.FeatureType;
import dev.tollgate.core.catalog.PlanVersion;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.customer.Trial;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Merges a customer's entitlement sources into effective entitlements (SPEC §3).
 *
 * <p>Sources: the pinned plan version (already flattened through its parents), add-ons, the trial, promotions. A
 * source counts only inside its own interval, evaluated at the instant asked, so a trial or a promotion stops counting
 * exactly at its end without any job having run; {@link Resolution#validUntil()} tells the caller when to resolve
 * again.
 *
 * <p>Most generous wins:
 *
 * <ul>
 *   <li>boolean: granted if any source grants it;
 *   <li>metered: the additive candidate is {@code plan limit + Σ(increment × quantity)} (0 where the plan lacks the
 *       feature, unlimited if the plan is); every overriding source (override add-ons, trial, promotions) is another
 *       candidate; the highest wins and unlimited beats every number. On a tie, soft beats hard, then the earlier
 *       source in the order above wins;
 *   <li>config: the same, with values instead of limits;
 *   <li>enforcement and reset come from the winning source.
 * </ul>
 *
 * <p>Features missing from the current catalog (withdrawn since a plan version was published) are left out.
 *
 * <p>Thread-safe: stateless and pure.
 */
public final class EntitlementResolver {
    private EntitlementResolver() {}

    /** One candidate value for a feature, with the source that offers it. */
    private record Candidate(Entitlement entitlement, String source) {}

    /**
     * Resolves the effective entitlements at {@code t}.
     *
     * @param catalog the catalog, for plan and add-on versions and feature definitions
     * @param subscription the subscription, or {@code null}
     * @param promotions the customer's promotions, active or not
     * @param t the instant
     * @return the effective entitlements and how long they hold
     */
    public static Resolution resolve(
            Catalog catalog, @Nullable Subscription subscription, List<Promotion> promotions, Instant t) {
        Sources sources = new Sources(catalog, t);
        if (subscription != null) {
            sources.subscription(subscription);
        }
        for (Promotion p : promotions) {
            sources.promotion(p);
        }
        return new Resolution(Map.copyOf(sources.winners()), t, sources.validUntil);
    }

    /**
     * The candidates of one resolution, gathered source by source: the plan's entitlements (the additive base), the
     * add-ons' increments and overrides, the trial's and the promotions' overrides, and the earliest instant after
     * {@code t} at which a source starts or stops counting. One instance per {@link #resolve}.
     */
    private static final class Sources {
        private final Catalog catalog;
        private final Instant t;
        private final Map<String, Candidate> base = new LinkedHashMap<>();
        private final Map<String, List<BigDecimal>> increments = new HashMap<>();
        private final Map<String, Candidate> incrementTemplate = new HashMap<>();
        private final Map<String, List<Candidate>> overrides = new LinkedHashMap<>();
        private final Set<String> features = new LinkedHashSet<>();
        private @Nullable Instant validUntil;

        Sources(Catalog catalog, Instant t) {
            this.catalog = catalog;
            this.t = t;
        }

        void subscription(Subscription subscription) {
            validUntil = earliestAfter(t, validUntil, subscription.startAt());
            validUntil = earliestAfter(t, validUntil, subscription.cancelAt());
            if (subscription.trial() != null) {
                validUntil = earliestAfter(t, validUntil, subscription.trial().endsAt());
            }
            if (subscription.activeAt(t)) {
                PlanVersion plan = catalog.planVersion(
                                subscription.plan().key(), subscription.plan().version())
                        .orElse(null);
                if (plan != null) {
                    String source = "plan:" + plan.key() + "@" + plan.version();
                    plan.entitlements().forEach((f, e) -> {
                        base.put(f, new Candidate(e, source));
                        features.add(f);
                    });
                }
                for (AddonRef ref : subscription.addons()) {
                    catalog.addonVersion(ref.key(), ref.version()).ifPresent(addon -> addon(addon, ref.quantity()));
                }
            }
            Trial trial = subscription.trial();
            if (trial != null && subscription.trialActiveAt(t)) {
                PlanVersion trialPlan = catalog.planVersion(
                                trial.plan().key(), trial.plan().version())
                        .orElse(null);
                if (trialPlan != null) {
                    String source = "trial:" + trialPlan.key() + "@" + trialPlan.version();
                    trialPlan.entitlements().forEach((f, e) -> {
                        features.add(f);
                        overrides.computeIfAbsent(f, k -> new ArrayList<>()).add(new Candidate(e, source));
                    });
                }
            }
        }

        private void addon(AddonVersion addon, int quantity) {
            String source = "addon:" + addon.key() + "@" + addon.version();
            for (Map.Entry<String, AddonEntitlement> e : addon.entitlements().entrySet()) {
                features.add(e.getKey());
                Entitlement ent = e.getValue().entitlement();
                if (e.getValue().mode() == AddonMode.INCREMENT) {
                    BigDecimal per = amountOf(ent);
                    if (per != null) {
                        increments
                                .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                                .add(per.multiply(BigDecimal.valueOf(quantity)));
                        incrementTemplate.putIfAbsent(e.getKey(), new Candidate(ent, source));
                    }
                } else {
                    overrides
                            .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                            .add(new Candidate(ent, source));
                }
            }
        }

        void promotion(Promotion p) {
            validUntil = earliestAfter(t, validUntil, p.startsAt());
            validUntil = earliestAfter(t, validUntil, p.expiresAt());
            if (p.activeAt(t)) {
                features.add(p.feature());
                overrides
                        .computeIfAbsent(p.feature(), k -> new ArrayList<>())
                        .add(new Candidate(p.entitlement(), "promotion:" + p.id()));
            }
        }

        /** The winning candidate of every feature the current catalog still has, as an effective entitlement. */
        Map<String, EffectiveEntitlement> winners() {
            Map<String, EffectiveEntitlement> result = new LinkedHashMap<>();
            for (String key : features) {
                Feature feature = catalog.feature(key).orElse(null);
                if (feature == null) {
                    continue;
                }
                List<Candidate> candidates = new ArrayList<>();
                Candidate additive = additive(base.get(key), increments.get(key), incrementTemplate.get(key));
                if (additive != null) {
                    candidates.add(additive);
                }
                candidates.addAll(overrides.getOrDefault(key, List.of()));
                Candidate winner = null;
                for (Candidate c : candidates) {
                    if (c.entitlement().type() == feature.type() && (winner == null || moreGenerous(c, winner))) {
                        winner = c;
                    }
                }
                if (winner != null) {
                    result.put(key, effective(feature, winner));
                }
            }
            return result;
        }
    }

    private static @Nullable Candidate additive(
            @Nullable Candidate plan, @Nullable List<BigDecimal> increments, @Nullable Candidate template) {
        if (increments == null || increments.isEmpty()) {
            return plan;
        }
        BigDecimal sum = increments.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        Candidate shape = plan != null ? plan : template;
        if (shape == null) {
            return null;
        }
        String source = plan != null ? plan.source() + "+addons" : shape.source();
        Entitlement e = shape.entitlement();
        if (e instanceof Entitlement.Metered m) {
            BigDecimal baseLimit = plan == null ? BigDecimal.ZERO : m.limit();
            BigDecimal limit = baseLimit == null ? null : baseLimit.add(sum);
            Enforcement enforcement = plan == null ? Enforcement.HARD : m.enforcement();
            return new Candidate(new Entitlement.Metered(limit, enforcement, m.reset(), m.calendar()), source);
        }
        if (e instanceof Entitlement.Config c) {
            BigDecimal baseValue = plan == null ? BigDecimal.ZERO : c.value();
            return new Candidate(new Entitlement.Config(baseValue.add(sum)), source);
        }
        return plan;
    }

    private static @Nullable BigDecimal amountOf(Entitlement e) {
        if (e instanceof Entitlement.Metered m) {
            return m.limit();
        }
        if (e instanceof Entitlement.Config c) {
            return c.value();
        }
        return null;
    }

    private static boolean moreGenerous(Candidate challenger, Candidate holder) {
        Entitlement c = challenger.entitlement();
        Entitlement h = holder.entitlement();
        if (c instanceof Entitlement.Toggle ct && h instanceof Entitlement.Toggle ht) {
            return ct.enabled() && !ht.enabled();
        }
        if (c instanceof Entitlement.Config cc && h instanceof Entitlement.Config hc) {
            return cc.value().compareTo(hc.value()) > 0;
        }
        if (c instanceof Entitlement.Metered cm && h instanceof Entitlement.Metered hm) {
            if (hm.unlimited()) {
                return cm.unlimited() && cm.enforcement() == Enforcement.SOFT && hm.enforcement() == Enforcement.HARD;
            }
            if (cm.unlimited()) {
                return true;
            }
            int cmp = Objects.requireNonNull(cm.limit()).compareTo(hm.limit());
            return cmp > 0
                    || (cmp == 0 && cm.enforcement() == Enforcement.SOFT && hm.enforcement() == Enforcement.HARD);
        }
        return false;
    }

    private static EffectiveEntitlement effective(Feature feature, Candidate winner) {
        Entitlement e = winner.entitlement();
        if (e instanceof Entitlement.Toggle t) {
            return new EffectiveEntitlement(
                    feature.key(),
                    FeatureType.BOOLEAN,
                    t.enabled(),
                    null,
                    null,
                    Enforcement.HARD,
                    feature.reset(),
                    false,
                    winner.source());
        }
        if (e instanceof Entitlement.Config c) {
            return new EffectiveEntitlement(
                    feature.key(),
                    FeatureType.CONFIG,
                    true,
                    c.value(),
                    null,
                    Enforcement.HARD,
                    feature.reset(),
                    false,
                    winner.source());
        }
        Entitlement.Metered m = (Entitlement.Metered) e;
        return new EffectiveEntitlement(
                feature.key(),
                FeatureType.METERED,
                true,
                null,
                m.limit(),
                m.enforcement(),
                m.reset(),
                m.calendar(),
                winner.source());
    }

    private static @Nullable Instant earliestAfter(Instant t, @Nullable Instant current, @Nullable Instant candidate) {
        if (candidate == null || !candidate.isAfter(t)) {
            return current;
        }
        return current == null || candidate.isBefore(current) ? candidate : current;
    }
}
