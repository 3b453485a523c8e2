package dev.tollgate.core.decision;

import dev.tollgate.core.Reason;
import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The answer to a check or a consumption.
 *
 * @param allowed whether the quantity is (or was) admitted
 * @param reason why not, or {@code null} when allowed
 * @param boundBy the limit that refused or was overrun, or {@code null}
 * @param limit the limit of the current window, or {@code null} if unlimited or not metered
 * @param used usage in the current window (after the consumption, for a recorded one)
 * @param held quantity held by open reservations in the current window
 * @param remaining {@code max(0, limit - used - held)}, or {@code null} if unlimited or not metered
 * @param unlimited whether the feature is metered without limit
 * @param overage whether this quantity passes a soft limit (or, for reported usage, a hard one)
 * @param overageQuantity the part of this quantity beyond the limit
 * @param resetsAt when the window ends, or {@code null} if it never does or the feature is not metered
 * @param value a config feature's number, or {@code null}
 * @param recorded whether the consumption was written (always {@code false} for a check)
 * @param credit the price and balance for a feature priced in credits, or {@code null}
 */
public record Decision(
        boolean allowed,
        @Nullable Reason reason,
        @Nullable BoundBy boundBy,
        @Nullable BigDecimal limit,
        BigDecimal used,
        BigDecimal held,
        @Nullable BigDecimal remaining,
        boolean unlimited,
        boolean overage,
        BigDecimal overageQuantity,
        @Nullable Instant resetsAt,
        @Nullable BigDecimal value,
        boolean recorded,
        @Nullable CreditCharge credit) {

    /** A denial with nothing else known (unknown customer or feature, no entitlement). */
    public static Decision denied(Reason reason) {
        return plain(false, reason, null, null);
    }

    /**
     * A decision without usage: boolean and config features, and denials before any limit was read.
     *
     * @param allowed whether allowed
     * @param reason why not, or {@code null}
     * @param boundBy what refused, or {@code null}
     * @param value a config feature's number, or {@code null}
     */
    public static Decision plain(
            boolean allowed, @Nullable Reason reason, @Nullable BoundBy boundBy, @Nullable BigDecimal value) {
        return new Decision(
                allowed,
                reason,
                boundBy,
                null,
                BigDecimal.ZERO,
                BigDecimal.ZERO,
                null,
                false,
                false,
                BigDecimal.ZERO,
                null,
                value,
                false,
                null);
    }

    /** This decision marked as recorded. */
    public Decision asRecorded() {
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
                true,
                credit);
    }

    /** This decision with its credit side. */
    public Decision withCredit(@Nullable CreditCharge charge) {
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
                recorded,
                charge);
    }

    /**
     * This admission flagged as passing a soft limit {@code by} (a soft budget): {@code overage} is set; the feature's
     * own {@code overageQuantity} and an earlier {@code boundBy} stay.
     */
    public Decision flagged(BoundBy by) {
        return new Decision(
                allowed,
                reason,
                boundBy == null ? by : boundBy,
                limit,
                used,
                held,
                remaining,
                unlimited,
                true,
                overageQuantity,
                resetsAt,
                value,
                recorded,
                credit);
    }

    /**
     * This refusal with the usage figures of {@code standing}, the same request decided without counting it (as a
     * check decides it). A refusal takes nothing, so it describes the state as it stands: a consumption that a
     * limit admitted and the credits, a budget, a session or the price then refused answered its quantity as used.
     */
    public Decision asItStands(Decision standing) {
        return new Decision(
                allowed,
                reason,
                boundBy,
                standing.limit,
                standing.used,
                standing.held,
                standing.remaining,
                standing.unlimited,
                false,
                BigDecimal.ZERO,
                standing.resetsAt,
                value,
                recorded,
                credit);
    }

    /** This decision turned into a refusal for {@code why}, bound by {@code by}; usage figures stay. */
    public Decision refused(Reason why, BoundBy by) {
        return new Decision(
                false,
                why,
                by,
                limit,
                used,
                held,
                remaining,
                unlimited,
                false,
                BigDecimal.ZERO,
                resetsAt,
                value,
                false,
                credit);
    }
}
