package dev.tollgate.core.api;

import dev.tollgate.core.entitlement.EffectiveEntitlement;
import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An effective entitlement with its current usage.
 *
 * @param entitlement the merged entitlement
 * @param used usage in the current window (0 for non-metered)
 * @param held quantity held by open reservations
 * @param remaining what is left, or {@code null} if unlimited or not metered
 * @param resetsAt when the window ends, or {@code null}
 * @param overage the overage quantity recorded in the current window, kept for billing (0 when none, and for
 *     non-metered features)
 * @param price what a unit costs, for a metered feature with a rate card; {@code null} for one without (and for the
 *     other types)
 */
public record EntitlementView(
        EffectiveEntitlement entitlement,
        BigDecimal used,
        BigDecimal held,
        @Nullable BigDecimal remaining,
        @Nullable Instant resetsAt,
        BigDecimal overage,
        @Nullable PriceView price) {

    /** An entitlement without a price. */
    public EntitlementView(
            EffectiveEntitlement entitlement,
            BigDecimal used,
            BigDecimal held,
            @Nullable BigDecimal remaining,
            @Nullable Instant resetsAt,
            BigDecimal overage) {
        this(entitlement, used, held, remaining, resetsAt, overage, null);
    }
}
