package dev.tollgate.core.catalog;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One published version of a plan, flattened: its entitlements include those inherited through {@code parent}, so a
 * subscription pinned to this version keeps exactly what it bought even when a parent plan changes later.
 *
 * @param key the plan key
 * @param version the plan's own version, starting at 1, incremented each time the flattened content changes
 * @param name a display name, or {@code null}
 * @param parent the parent plan key it was flattened from, or {@code null}
 * @param entitlements feature key to entitlement, own and inherited
 * @param price the list price, or {@code null}
 * @param credits recurring credit allotments
 * @param trialDays the trial length this plan offers, or {@code null} if it offers none
 */
public record PlanVersion(
        String key,
        int version,
        @Nullable String name,
        @Nullable String parent,
        Map<String, Entitlement> entitlements,
        @Nullable Price price,
        List<CreditAllotment> credits,
        @Nullable Integer trialDays) {

    PlanVersion withVersion(int newVersion) {
        return new PlanVersion(key, newVersion, name, parent, entitlements, price, credits, trialDays);
    }

    boolean sameContent(PlanVersion other) {
        return entitlements.equals(other.entitlements)
                && java.util.Objects.equals(price, other.price)
                && credits.equals(other.credits)
                && java.util.Objects.equals(trialDays, other.trialDays)
                && java.util.Objects.equals(name, other.name);
    }
}
