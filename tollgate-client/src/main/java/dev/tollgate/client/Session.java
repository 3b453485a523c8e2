package dev.tollgate.client;

import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A session as the server answered it: opened (or refused, with the refusal), or closed. Immutable.
 *
 * @param opened {@code false} when opening was refused: {@code refusal} says why and the other fields but
 *     {@code customerId} are {@code null} or zero
 * @param sessionId the session's id ({@code <customerId>@s<n>}), or {@code null} if refused
 * @param customerId the customer
 * @param status {@code open}, {@code closed} or {@code expired}, or {@code null} if refused
 * @param amount what it holds
 * @param consumed what was consumed in it (after a close: its total)
 * @param held what it still holds
 * @param overage whether its close went beyond the hold
 * @param excess the total beyond the hold after such a close, else {@code null}
 * @param expiresAt its deadline, or {@code null} if refused
 * @param refusal the refusal of a session not opened, else {@code null}
 */
public record Session(
        boolean opened,
        @Nullable String sessionId,
        String customerId,
        @Nullable String status,
        BigDecimal amount,
        BigDecimal consumed,
        BigDecimal held,
        boolean overage,
        @Nullable BigDecimal excess,
        @Nullable Instant expiresAt,
        @Nullable Decision refusal) {}
