package dev.tollgate.core.credit.internal;

import dev.tollgate.core.credit.Movement;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The burn order (SPEC §5), among grants effective and not expired at the consumption time:
 *
 * <ol>
 *   <li>priority, lower number first;
 *   <li>sooner {@code expiresAt} first, grants that never expire last;
 *   <li>promotional before paid;
 *   <li>earlier {@code effectiveAt} first;
 *   <li>earlier creation first.
 * </ol>
 *
 * <p>A consumption larger than the first grant continues into the next; each grant touched gets one ledger entry.
 */
public final class BurnOrder {
    private static final Instant NEVER = Instant.MAX;

    /** The order credits are taken in. */
    public static final Comparator<CreditAccount.Slot> ORDER = Comparator.<CreditAccount.Slot>comparingInt(
                    s -> s.grant().priority())
            .thenComparing(
                    s -> s.grant().expiresAt() == null ? NEVER : s.grant().expiresAt())
            .thenComparing(s -> s.grant().promotional() ? 0 : 1)
            .thenComparing(s -> s.grant().effectiveAt())
            .thenComparingLong(CreditAccount.Slot::order);

    private BurnOrder() {}

    /**
     * How an amount is taken from grants.
     *
     * @param movements one negative movement per grant touched, in burn order
     * @param shortfall what the grants could not cover ({@code >= 0})
     */
    public record Allocation(List<Movement> movements, BigDecimal shortfall) {}

    /**
     * Takes {@code amount} from {@code slots} in the order given.
     *
     * @param slots burnable grants, already in {@link #ORDER}
     * @param amount credits to take, {@code >= 0}
     * @return the movements and the uncovered rest
     */
    public static Allocation allocate(List<CreditAccount.Slot> slots, BigDecimal amount) {
        List<Movement> movements = new ArrayList<>();
        BigDecimal left = amount;
        for (CreditAccount.Slot s : slots) {
            if (left.signum() <= 0) {
                break;
            }
            BigDecimal take = s.remaining().min(left);
            if (take.signum() > 0) {
                movements.add(new Movement(s.grant().id(), take.negate()));
                left = left.subtract(take);
            }
        }
        return new Allocation(List.copyOf(movements), left.max(BigDecimal.ZERO));
    }
}
