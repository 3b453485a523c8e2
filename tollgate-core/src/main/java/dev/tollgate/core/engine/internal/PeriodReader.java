package dev.tollgate.core.engine.internal;

import dev.tollgate.core.billing.BillingPeriod;
import dev.tollgate.core.billing.PeriodExport;
import dev.tollgate.core.billing.PeriodLines;
import dev.tollgate.core.store.Store;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Reads a period's lines customer by customer from the store, the source of truth whichever server asks: it never
 * reads a server's memory, so every server of a cluster answers the same. Customers come in the order of their ids,
 * {@value #CHUNK} ids per read, and each customer's lines are computed from its records ({@link PeriodExport}) and
 * handed on before the next customer is read: memory holds one chunk of ids and one customer's records at a time,
 * never the fleet.
 *
 * <p>Customers with nothing to bill in the period (no plan in force, no usage, credits or recharge) are passed over,
 * so the sequence is the same whenever it is read once the period is closed: a customer created since has no record
 * in the period.
 *
 * <p>Here rather than in {@code billing}: it reads the store, and {@code store} names {@code billing}'s items, so
 * {@code billing} reading {@code store} would be a package cycle.
 *
 * <p>Thread-safe if the store is.
 */
public final class PeriodReader {
    /** How many customer ids one read of the store fetches. */
    static final int CHUNK = 500;

    private final Store store;

    public PeriodReader(Store store) {
        this.store = store;
    }

    /**
     * Hands each customer's lines after {@code after} to {@code sink}, in id order, until {@code sink} answers
     * {@code false} or the customers run out.
     *
     * @param after start after this customer id, or {@code null} for the first
     * @param sink takes the lines of one customer; answers whether to go on
     * @return whether the customers ran out (rather than the sink stopping)
     * @throws dev.tollgate.core.store.StoreException if the store cannot be read
     */
    public boolean read(BillingPeriod period, @Nullable String after, Predicate<PeriodLines> sink) {
        String last = after;
        while (true) {
            List<String> ids = store.customerIds(last, CHUNK);
            for (String id : ids) {
                PeriodLines lines =
                        PeriodExport.lines(id, period, store.billingEntries(id, period.from(), period.to()));
                if (!lines.isEmpty() && !sink.test(lines)) {
                    return false;
                }
            }
            if (ids.size() < CHUNK) {
                return true;
            }
            last = ids.get(ids.size() - 1);
        }
    }
}
