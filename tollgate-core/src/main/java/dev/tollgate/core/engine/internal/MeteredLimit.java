package dev.tollgate.core.engine.internal;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.Reason;
import dev.tollgate.core.catalog.Enforcement;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.period.internal.Window;
import java.math.BigDecimal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The decision at a metered limit (SPEC §4).
 *
 * <p>Boundary: a quantity {@code q} fits when {@code used + held + q <= limit}, exactly, in decimals. A check without
 * a quantity asks whether any room is left: {@code used + held < limit}.
 *
 * <p>Hard limits refuse what does not fit, whole (nothing partial is taken). Soft limits admit it and report the part
 * beyond the limit as overage. Reported usage ({@link Mode#REPORT}) already happened, so it is never refused for lack
 * of room: past a hard limit it is admitted and flagged as overage too.
 *
 * <p>Thread-safe: stateless and pure.
 */
final class MeteredLimit {
    /** Whether the quantity is being asked about, consumed, or reported after the fact. */
    public enum Mode {
        CHECK,
        CONSUME,
        REPORT
    }

    private MeteredLimit() {}

    /**
     * Where a feature's counter stands in its current window.
     *
     * @param window the current window
     * @param used usage recorded in the window
     * @param held quantity held by open sessions
     */
    public record Standing(Window window, BigDecimal used, BigDecimal held) {}

    /**
     * Decides one metered request.
     *
     * @param entitlement the effective entitlement (metered)
     * @param at where its counter stands
     * @param quantity the quantity, or {@code null} (checks only) for "any room left?"
     * @param mode check, consume or report
     * @return the decision; for an admitted consume or report, {@code used} includes {@code quantity}
     */
    public static Decision decide(
            EffectiveEntitlement entitlement, Standing at, @Nullable BigDecimal quantity, Mode mode) {
        BigDecimal q = quantity == null ? BigDecimal.ZERO : quantity;
        BigDecimal usedAfter = mode != Mode.CHECK ? at.used().add(q) : at.used();
        if (entitlement.unlimited()) {
            return unlimited(at, usedAfter);
        }
        BigDecimal limit = entitlement.limit();
        BigDecimal committed = at.used().add(at.held());
        boolean fits = quantity == null
                ? committed.compareTo(limit) < 0
                : committed.add(q).compareTo(limit) <= 0;
        if (!fits && entitlement.enforcement() == Enforcement.HARD && mode != Mode.REPORT) {
            return refused(entitlement, at);
        }
        BigDecimal overageQuantity = Decimals.normalize(
                Decimals.max(BigDecimal.ZERO, committed.add(q).subtract(limit))
                        .subtract(Decimals.max(BigDecimal.ZERO, committed.subtract(limit))));
        return admitted(entitlement, at, usedAfter, overageQuantity, !fits);
    }

    private static Decision unlimited(Standing at, BigDecimal usedAfter) {
        return new Decision(
                true,
                null,
                null,
                null,
                Decimals.normalize(usedAfter),
                at.held(),
                null,
                true,
                false,
                BigDecimal.ZERO,
                at.window().end(),
                null,
                false,
                null);
    }

    /** A hard limit refuses the quantity whole. */
    private static Decision refused(EffectiveEntitlement entitlement, Standing at) {
        BigDecimal limit = Objects.requireNonNull(entitlement.limit(), "a metered entitlement that is not unlimited");
        return new Decision(
                false,
                Reason.LIMIT_EXCEEDED,
                BoundBy.feature(entitlement.feature()),
                limit,
                Decimals.normalize(at.used()),
                at.held(),
                remaining(limit, at.used(), at.held()),
                false,
                false,
                BigDecimal.ZERO,
                at.window().end(),
                null,
                false,
                null);
    }

    /**
     * The quantity admitted; past the limit (a soft one, or any for reported usage) the part beyond is overage.
     *
     * @param overageQuantity the part of the quantity beyond the limit
     * @param overage whether the quantity did not fit (with no room left, also for a quantity of none)
     */
    private static Decision admitted(
            EffectiveEntitlement entitlement,
            Standing at,
            BigDecimal usedAfter,
            BigDecimal overageQuantity,
            boolean overage) {
        BigDecimal limit = Objects.requireNonNull(entitlement.limit(), "a metered entitlement that is not unlimited");
        return new Decision(
                true,
                null,
                overage ? BoundBy.feature(entitlement.feature()) : null,
                limit,
                Decimals.normalize(usedAfter),
                at.held(),
                remaining(limit, usedAfter, at.held()),
                false,
                overage,
                overageQuantity,
                at.window().end(),
                null,
                false,
                null);
    }

    /**
     * The figures {@link #decide} answers in {@link Mode#CHECK} for {@code quantity}, from its answer in {@link
     * Mode#CONSUME} when the limit admitted the quantity and so counted it: {@code used} without it, {@code remaining}
     * from that. Exact: the decimals are exact and normalised alike.
     *
     * @param admitted the consumption's decision at this limit (or a refusal of it by a later step, with its figures)
     * @param quantity the quantity it counted
     */
    static Decision uncounted(Decision admitted, BigDecimal quantity) {
        BigDecimal used = Decimals.normalize(admitted.used().subtract(quantity));
        BigDecimal limit = admitted.limit();
        return new Decision(
                admitted.allowed(),
                admitted.reason(),
                admitted.boundBy(),
                limit,
                used,
                admitted.held(),
                limit == null ? null : remaining(limit, used, admitted.held()),
                admitted.unlimited(),
                false,
                BigDecimal.ZERO,
                admitted.resetsAt(),
                admitted.value(),
                admitted.recorded(),
                admitted.credit());
    }

    private static BigDecimal remaining(BigDecimal limit, BigDecimal used, BigDecimal held) {
        return Decimals.normalize(
                Decimals.max(BigDecimal.ZERO, limit.subtract(used).subtract(held)));
    }
}
