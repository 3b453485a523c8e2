package dev.tollgate.client;

import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The answer to a check or a consume, field for field the JSON answer of {@code POST /v1/check} and {@code POST
 * /v1/consume}, plus where it came from. Immutable.
 *
 * @param allowed whether the request is (was) admitted
 * @param reason the stable reason code of a refusal ({@code LIMIT_EXCEEDED}, {@code NOT_ENTITLED}, ...), else
 *     {@code null}; a fallback refusal says {@code UNAVAILABLE} (fail-closed) or {@code LIMIT_EXCEEDED} (past the
 *     fallback limit)
 * @param boundBy what refused or flagged it, or {@code null}
 * @param limit the feature's limit in units, or {@code null} (unlimited, not metered, or not known)
 * @param used units used in the current period (0 for boolean and config features)
 * @param held units held by open sessions (leases among them)
 * @param remaining units left ({@code limit - used - held}, at least 0), or {@code null} without a limit
 * @param unlimited whether the feature has no limit
 * @param overage whether this request went past a soft limit
 * @param overageQuantity the part of the quantity beyond a soft limit, or {@code null}
 * @param resetsAt when the period's usage starts again from zero, or {@code null}
 * @param value a config feature's value, or {@code null}
 * @param currency the currency a priced feature is charged in, or {@code null}
 * @param credits the price of the quantity in {@code currency}, or {@code null}
 * @param balance the available balance of {@code currency}, or {@code null}
 * @param recorded for a consume: whether the server recorded it ({@code false} for a refusal, and for a fallback
 *     admission, whose usage is reported, spooled if need be, and recorded once the server is back); {@code null}
 *     for a check
 * @param source where the answer came from
 */
public record Decision(
        boolean allowed,
        @Nullable String reason,
        @Nullable BoundBy boundBy,
        @Nullable BigDecimal limit,
        BigDecimal used,
        BigDecimal held,
        @Nullable BigDecimal remaining,
        boolean unlimited,
        boolean overage,
        @Nullable BigDecimal overageQuantity,
        @Nullable Instant resetsAt,
        @Nullable BigDecimal value,
        @Nullable String currency,
        @Nullable BigDecimal credits,
        @Nullable BigDecimal balance,
        @Nullable Boolean recorded,
        Source source) {

    /** This decision, said to come from {@code from}. */
    public Decision withSource(Source from) {
        return new Decision(
                allowed,
                reason,
                boundBy,
                limit,
                used,
                held,
                remaining,
                unlimited,
                overage,
                overageQuantity,
                resetsAt,
                value,
                currency,
                credits,
                balance,
                recorded,
                from);
    }
}
