package dev.tollgate.core.credit.internal;

import dev.tollgate.core.credit.Movement;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The rule of refunds: a charge's credits go back to the grants they came from, in reverse order, except to grants
 * that have expired or been voided since; the part it overdrew reduces the overdraft, as far as there is one. Never
 * more goes back to a grant than was taken from it in all.
 *
 * <p>Thread-safety: stateless; the account is read only.
 */
public final class Refunds {
    private Refunds() {}

    /**
     * The movements that refund a charge.
     *
     * @param account the charge's account as it stands
     * @param charged the charge's movements (negative amounts)
     * @param now the refund's time
     * @return the movements back (positive amounts), possibly none
     */
    public static List<Movement> movements(CreditAccount account, List<Movement> charged, Instant now) {
        List<Movement> back = new ArrayList<>();
        BigDecimal overdraftLeft = account.overdraft();
        List<Movement> taken = new ArrayList<>(charged);
        Collections.reverse(taken);
        for (Movement m : taken) {
            BigDecimal amount = m.amount().negate();
            if (m.grantId() == null) {
                BigDecimal give = amount.min(overdraftLeft);
                if (give.signum() > 0) {
                    back.add(new Movement(null, give));
                    overdraftLeft = overdraftLeft.subtract(give);
                }
                continue;
            }
            CreditAccount.Slot s = Objects.requireNonNull(account.slot(m.grantId()));
            if (s.voided() || s.expired() || !s.grant().liveAt(now)) {
                continue;
            }
            BigDecimal give = amount.min(s.grant().amount().subtract(s.remaining()));
            if (give.signum() > 0) {
                back.add(new Movement(m.grantId(), give));
            }
        }
        return back;
    }
}
