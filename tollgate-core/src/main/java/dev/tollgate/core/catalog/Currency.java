package dev.tollgate.core.catalog;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * A kind of credit.
 *
 * @param key the stable key ({@code credits})
 * @param hardDepletion {@code true} if a consumption the balance cannot cover is refused, {@code false} if the balance
 *     may go negative (overdraft)
 * @param name a display name, or {@code null}
 * @param lowBalance the available balance under which a consumption raises {@code balance.low}, or {@code null} for no
 *     such alert
 */
public record Currency(
        String key,
        boolean hardDepletion,
        @Nullable String name,
        @Nullable BigDecimal lowBalance) {}
