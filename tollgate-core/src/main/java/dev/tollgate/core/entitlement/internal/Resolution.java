package dev.tollgate.core.entitlement.internal;

import dev.tollgate.core.entitlement.EffectiveEntitlement;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The effective entitlements at one instant and how long they stay valid.
 *
 * @param entitlements feature key to effective entitlement
 * @param computedAt the instant they were computed for
 * @param validUntil the next instant at which a source starts or ends, or {@code null} if none is scheduled; the
 *     resolution holds for every instant in {@code [computedAt, validUntil)} under the same catalog and sources
 */
public record Resolution(
        Map<String, EffectiveEntitlement> entitlements,
        Instant computedAt,
        @Nullable Instant validUntil) {

    /** Tells whether this resolution may answer for {@code t}. */
    public boolean validAt(Instant t) {
        return !t.isBefore(computedAt) && (validUntil == null || t.isBefore(validUntil));
    }
}
