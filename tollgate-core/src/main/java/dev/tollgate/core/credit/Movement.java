package dev.tollgate.core.credit;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * One ledger entry's effect: credits into (positive) or out of (negative) a grant's remainder, or, with no grant, out
 * of (negative: overdraft grows) or into (positive: overdraft shrinks) the overdraft.
 *
 * @param grantId the grant touched, or {@code null} for the overdraft
 * @param amount the signed change of the balance
 */
public record Movement(@Nullable String grantId, BigDecimal amount) {}
