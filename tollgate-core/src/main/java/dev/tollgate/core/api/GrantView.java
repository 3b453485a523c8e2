package dev.tollgate.core.api;

import dev.tollgate.core.credit.Grant;
import java.math.BigDecimal;

/**
 * A grant with what remains of it.
 *
 * @param grant the grant as created
 * @param remaining credits left in it (0 once expired or voided)
 * @param status {@code active}, {@code pending} (not yet effective), {@code depleted}, {@code expired} or
 *     {@code voided}
 */
public record GrantView(Grant grant, BigDecimal remaining, String status) {}
