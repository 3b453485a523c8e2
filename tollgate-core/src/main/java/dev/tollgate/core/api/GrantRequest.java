package dev.tollgate.core.api;

import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A grant of credits asked for through the API.
 *
 * @param currency the currency key
 * @param amount credits, {@code > 0}
 * @param promotional {@code true} for promotional, {@code false} for paid
 * @param costBasis money per credit; must be 0 for promotional credits
 * @param priority burn priority, lower first
 * @param effectiveAt from when it counts, or {@code null} for now
 * @param expiresAt when it expires, or {@code null} for never
 * @param idempotencyKey the caller's key
 */
public record GrantRequest(
        String currency,
        BigDecimal amount,
        boolean promotional,
        BigDecimal costBasis,
        int priority,
        @Nullable Instant effectiveAt,
        @Nullable Instant expiresAt,
        String idempotencyKey) {}
