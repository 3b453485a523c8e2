package dev.tollgate.core.credit;

import dev.tollgate.core.catalog.CreditAllotment;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import org.jspecify.annotations.Nullable;

/**
 * A recurring grant a customer receives now: a plan's or an add-on's {@link CreditAllotment}, from the moment the
 * subscription took it until it ends.
 *
 * @param source stable name of where it comes from ({@code plan:pro@2#0}); part of each grant's id
 * @param spec what is granted, how often
 * @param multiplier the add-on quantity (1 for plans)
 * @param from the first period issued is the one containing this instant
 * @param until no period starting at or after this instant is issued, or {@code null}
 * @param anchor periods are anchored here (the subscription start)
 * @param zone the customer's zone for period boundaries
 */
public record Allotment(
        String source,
        CreditAllotment spec,
        BigDecimal multiplier,
        Instant from,
        @Nullable Instant until,
        Instant anchor,
        ZoneId zone) {}
