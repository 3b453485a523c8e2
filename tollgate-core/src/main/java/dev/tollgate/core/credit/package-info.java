/**
 * Credits as an append-only ledger: grants, the burn order, overdraft, expiry, void, refunds, rate-card pricing and
 * auto-recharge. Pure and deterministic: time comes in as arguments, amounts are exact decimals.
 */
@NullMarked
package dev.tollgate.core.credit;

import org.jspecify.annotations.NullMarked;
