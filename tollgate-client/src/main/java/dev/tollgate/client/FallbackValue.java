package dev.tollgate.client;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * What the SDK answers for a feature when the server cannot be reached and nothing about the customer is cached.
 * Immutable.
 *
 * @param allowed whether checks and consumes are admitted
 * @param limit the most units one customer may consume of the feature from fallback answers of this SDK instance
 *     until the server answers again (checks asking for more are refused too), or {@code null} for no cap
 */
public record FallbackValue(boolean allowed, @Nullable BigDecimal limit) {
    /** @throws IllegalArgumentException if {@code limit} is negative */
    public FallbackValue {
        Args.quantity(limit, "limit");
    }

    /** Admit, without a cap. */
    public static FallbackValue allow() {
        return new FallbackValue(true, null);
    }

    /** Admit up to {@code units} per customer while the server is unreachable. */
    public static FallbackValue allowUpTo(long units) {
        return new FallbackValue(true, BigDecimal.valueOf(units));
    }

    /** Refuse. */
    public static FallbackValue deny() {
        return new FallbackValue(false, null);
    }
}
