package dev.tollgate.core.api;

import dev.tollgate.core.credit.AutoRecharge;
import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * A customer's credits in one currency.
 *
 * @param currency the currency
 * @param available what can be spent now: live grants' remainders minus overdraft minus holds
 * @param balance the ledger balance: the sum of every ledger entry (includes grants not yet effective)
 * @param held credits held by open sessions
 * @param overdraft spent beyond the grants and not yet paid back
 * @param autoRecharge the auto-recharge settings, or {@code null}
 */
public record BalanceView(
        String currency,
        BigDecimal available,
        BigDecimal balance,
        BigDecimal held,
        BigDecimal overdraft,
        @Nullable AutoRecharge autoRecharge) {}
