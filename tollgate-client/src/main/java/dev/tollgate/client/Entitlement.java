package dev.tollgate.client;

import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One effective entitlement of a customer, as {@code GET /v1/customers/{id}/entitlements} answers it. Immutable. The
 * figures ({@code used}, {@code held}, {@code remaining}) are as of when it was read: for display, never for a decision.
 *
 * @param feature the feature's key
 * @param type {@code boolean}, {@code config} or {@code metered}
 * @param source where the entitlement comes from (plan, add-on, trial, promotion)
 * @param enabled a boolean feature's value, else {@code null}
 * @param value a config feature's value, else {@code null}
 * @param limit a metered feature's limit, or {@code null} (unlimited or not metered)
 * @param unlimited whether a metered feature has no limit
 * @param used units used in the current period (metered), else {@code null}
 * @param held units held by open sessions (metered), else {@code null}
 * @param remaining units left (metered, limited), else {@code null}
 * @param enforcement {@code hard} or {@code soft} (metered), else {@code null}
 * @param resetsAt when the period's usage starts again from zero (metered), else {@code null}
 * @param price what a unit costs, for a metered feature with a rate card, else {@code null}
 */
public record Entitlement(
        String feature,
        String type,
        @Nullable String source,
        @Nullable Boolean enabled,
        @Nullable BigDecimal value,
        @Nullable BigDecimal limit,
        boolean unlimited,
        @Nullable BigDecimal used,
        @Nullable BigDecimal held,
        @Nullable BigDecimal remaining,
        @Nullable String enforcement,
        @Nullable Instant resetsAt,
        @Nullable Price price) {

    /**
     * The price of a priced metered feature. Immutable.
     *
     * @param currency the currency it is charged in
     * @param unitPrice credits per unit when every unit costs the same (no tiers, no rates by dimension), else
     *     {@code null}
     */
    public record Price(String currency, @Nullable BigDecimal unitPrice) {}

    /**
     * Whether a lease can serve it: a metered feature with a hard limit (or none), without a price or with one that is
     * the same for every unit (a lease fixes it when it opens).
     */
    boolean leasable() {
        return "metered".equals(type)
                && (unlimited || "hard".equals(enforcement))
                && (price == null || price.unitPrice() != null);
    }
}
