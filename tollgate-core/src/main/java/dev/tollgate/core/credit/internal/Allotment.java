package dev.tollgate.core.credit.internal;

import dev.tollgate.core.catalog.CreditAllotment;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A recurring grant a customer receives now: a plan's or an add-on's {@link CreditAllotment}, from the moment the
 * subscription took it until it ends.
 *
 * <p>Family: a period's credits are granted once per plan (or add-on) key, currency and cadence, whichever of its
 * versions the customer moves between during the period. {@code family} names the sources whose grants count
 * towards it: this allotment in every version of its plan or add-on, and any other allotment there of the same
 * currency and cadence ({@link Housekeeping} tops a period up to what the current version gives, never beyond).
 *
 * @param source stable name of where it comes from ({@code plan:pro@2#0}); part of each grant's id
 * @param spec what is granted, how often
 * @param multiplier the add-on quantity (1 for plans)
 * @param from the first period issued is the one containing this instant
 * @param until no period starting at or after this instant is issued, or {@code null}
 * @param anchor periods are anchored here (the subscription start)
 * @param zone the customer's zone for period boundaries
 * @param family the sources of its family, {@code source} among them
 */
public record Allotment(
        String source,
        CreditAllotment spec,
        BigDecimal multiplier,
        Instant from,
        @Nullable Instant until,
        Instant anchor,
        ZoneId zone,
        Set<String> family) {

    public Allotment {
        family = Set.copyOf(family);
        if (!family.contains(source)) {
            throw new IllegalArgumentException("the family of " + source + " must contain it");
        }
    }
}
