package dev.tollgate.core.credit.internal;

import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CreditAllotment;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.Subscription;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The recurring grants a subscription gives: its plan's and add-ons' {@link CreditAllotment}s, each as an {@link
 * Allotment} with its family across the versions of its plan or add-on. Pure and stateless.
 */
public final class Allotments {
    private Allotments() {}

    /**
     * The allotments a customer receives under {@code subscription}: from when it was set until it is cancelled.
     *
     * @param setAt when the subscription was set: its allotments start with the period containing this instant
     * @param zone the customer's zone for period boundaries
     * @return unmodifiable, plan first, then add-ons in the subscription's order
     */
    public static List<Allotment> of(Catalog catalog, Subscription subscription, Instant setAt, ZoneId zone) {
        List<Allotment> out = new ArrayList<>();
        Terms terms = new Terms(setAt, subscription.cancelAt(), subscription.startAt(), zone);
        catalog.planVersion(subscription.plan().key(), subscription.plan().version())
                .ifPresent(plan -> {
                    List<List<CreditAllotment>> versions = new ArrayList<>();
                    catalog.planHistory().getOrDefault(plan.key(), List.of()).forEach(v -> versions.add(v.credits()));
                    Owner owner = new Owner("plan:" + plan.key(), plan.version(), BigDecimal.ONE, versions);
                    add(out, owner, plan.credits(), terms);
                });
        for (AddonRef ref : subscription.addons()) {
            catalog.addonVersion(ref.key(), ref.version()).ifPresent(addon -> {
                List<List<CreditAllotment>> versions = new ArrayList<>();
                catalog.addonHistory().getOrDefault(addon.key(), List.of()).forEach(v -> versions.add(v.credits()));
                Owner owner = new Owner(
                        "addon:" + addon.key(), addon.version(), BigDecimal.valueOf(ref.quantity()), versions);
                add(out, owner, addon.credits(), terms);
            });
        }
        return List.copyOf(out);
    }

    /**
     * A plan or add-on version that gives credits.
     *
     * @param name {@code plan:<key>} or {@code addon:<key>}
     * @param version its version
     * @param multiplier the add-on quantity (1 for plans)
     * @param versions the credits of each version of it, version 1 first
     */
    private record Owner(String name, int version, BigDecimal multiplier, List<List<CreditAllotment>> versions) {}

    /** What every allotment of one subscription shares: see {@link Allotment}'s fields of the same names. */
    private record Terms(Instant from, @Nullable Instant until, Instant anchor, ZoneId zone) {}

    private static void add(List<Allotment> out, Owner owner, List<CreditAllotment> credits, Terms terms) {
        for (int i = 0; i < credits.size(); i++) {
            out.add(new Allotment(
                    owner.name() + "@" + owner.version() + "#" + i,
                    credits.get(i),
                    owner.multiplier(),
                    terms.from(),
                    terms.until(),
                    terms.anchor(),
                    terms.zone(),
                    family(owner, credits.get(i))));
        }
    }

    /**
     * The sources ({@code <owner>@<version>#<index>}) of every allotment of the same currency and cadence as {@code
     * spec} in any version of its plan or add-on.
     */
    private static Set<String> family(Owner owner, CreditAllotment spec) {
        Set<String> out = new HashSet<>();
        for (int v = 0; v < owner.versions().size(); v++) {
            List<CreditAllotment> credits = owner.versions().get(v);
            for (int i = 0; i < credits.size(); i++) {
                CreditAllotment other = credits.get(i);
                if (other.currency().equals(spec.currency()) && other.every() == spec.every()) {
                    out.add(owner.name() + "@" + (v + 1) + "#" + i);
                }
            }
        }
        return out;
    }
}
