package dev.tollgate.core.api;

import dev.tollgate.core.credit.EntryType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One ledger entry as finance reads it.
 *
 * @param seq position in the customer's ledger, from 1, stable
 * @param time when it took effect (an expiry's {@code expiresAt})
 * @param type what happened
 * @param currency the currency
 * @param grantId the grant touched, or {@code null} for the overdraft
 * @param amount the signed change of the balance
 * @param balanceAfter the currency's ledger balance after this entry
 * @param idempotencyKey the consumption, grant, void or refund key it belongs to, or {@code null}
 * @param source for grants: {@code api}, {@code allotment} or {@code recharge}; else {@code null}
 * @param costBasis for grants: money per credit; else {@code null}
 * @param feature the consumed feature, or {@code null}
 * @param quantity the consumed quantity, or {@code null}
 * @param scope the consumption's scope, or {@code null}
 * @param dimensions the consumption's dimensions
 */
public record LedgerLine(
        long seq,
        Instant time,
        EntryType type,
        String currency,
        @Nullable String grantId,
        BigDecimal amount,
        BigDecimal balanceAfter,
        @Nullable String idempotencyKey,
        @Nullable String source,
        @Nullable BigDecimal costBasis,
        @Nullable String feature,
        @Nullable BigDecimal quantity,
        @Nullable String scope,
        Map<String, String> dimensions) {}
