package dev.tollgate.core.catalog;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One published version of an add-on.
 *
 * @param key the add-on key
 * @param version the add-on's own version, starting at 1
 * @param name a display name, or {@code null}
 * @param entitlements feature key to entitlement and mode
 * @param price the list price per unit, or {@code null}
 * @param credits recurring credit allotments per unit
 */
public record AddonVersion(
        String key,
        int version,
        @Nullable String name,
        Map<String, AddonEntitlement> entitlements,
        @Nullable Price price,
        List<CreditAllotment> credits) {

    AddonVersion withVersion(int newVersion) {
        return new AddonVersion(key, newVersion, name, entitlements, price, credits);
    }

    boolean sameContent(AddonVersion other) {
        return entitlements.equals(other.entitlements)
                && Objects.equals(price, other.price)
                && credits.equals(other.credits)
                && Objects.equals(name, other.name);
    }
}
