package dev.tollgate.core.credit.internal;

import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.period.internal.Window;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Turns a price into ledger changes: the rules of charging credits, without state or records.
 *
 * <p>Burn order: a charge takes from the grants spendable now in {@link BurnOrder} and what they cannot cover becomes
 * overdraft (a movement without a grant), for hard and soft currencies alike: whether a hard currency may be charged
 * past its balance is decided before (a consume is refused {@code INSUFFICIENT_CREDITS}; reported usage already
 * happened and is charged in full).
 *
 * <p>Auto-recharge: after a charge, a recharge grant is due when {@link AutoRecharge#due} says so for the balance left
 * and what was recharged in the current month; its id ties it to the charge, so that a charge is recharged at most
 * once. The overdraft it pays back is {@link Housekeeping#repay}'s.
 *
 * <p>Thread-safety: stateless; the accounts passed in are read only.
 */
public final class Charging {
    private Charging() {}

    /**
     * The movements that charge {@code credits} to an account at {@code now}: burn order, then overdraft.
     *
     * @return the movements, empty for a charge of zero
     */
    public static List<Movement> burn(CreditAccount account, BigDecimal credits, Instant now) {
        BurnOrder.Allocation taken = BurnOrder.allocate(account.burnable(now), credits);
        List<Movement> movements = new ArrayList<>(taken.movements());
        if (taken.shortfall().signum() > 0) {
            movements.add(new Movement(null, taken.shortfall().negate()));
        }
        return movements;
    }

    /**
     * The auto-recharge grant due after a charge, or {@code null}.
     *
     * @param account the account with the charge applied
     * @param config the currency's auto-recharge
     * @param month the current month of the customer's billing anchor (recharge caps count within it)
     * @param chargeKey the idempotency key of the charge, which names the grant
     */
    public static @Nullable Grant recharge(
            CreditAccount account, AutoRecharge config, Window month, String chargeKey, Instant now) {
        int count = 0;
        BigDecimal money = BigDecimal.ZERO;
        for (CreditAccount.Slot s : account.slots()) {
            Grant g = s.grant();
            if (g.source().equals("recharge") && !g.effectiveAt().isBefore(month.start())) {
                count++;
                money = money.add(g.amount().multiply(g.costBasis()));
            }
        }
        BigDecimal size = config.due(account.available(now), count, money);
        String id = "recharge:" + chargeKey;
        if (size == null || account.slot(id) != null) {
            return null;
        }
        return new Grant(id, account.currency(), size, false, config.costBasis(), 0, now, null, "recharge", chargeKey);
    }
}
