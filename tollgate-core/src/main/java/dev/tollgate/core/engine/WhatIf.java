package dev.tollgate.core.engine;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.WhatIfReport;
import dev.tollgate.core.api.WhatIfRequest;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogDefinition;
import dev.tollgate.core.catalog.CatalogException;
import dev.tollgate.core.catalog.CatalogReader;
import dev.tollgate.core.engine.internal.WhatIfReplay;
import dev.tollgate.core.journal.JournalEntry;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pricing what-if on the pure core: recorded requests replayed against a draft catalog, with no store and no
 * engine state involved ({@code docs/finance-margin.md}). {@link Engine#whatIf} feeds it the store's records; a
 * benchmark or a test may feed it records of its own.
 *
 * <p>Thread-safe: stateless; each call works on its own replay.
 */
public final class WhatIf {
    private WhatIf() {}

    /** Where a what-if's records come from. */
    @FunctionalInterface
    public interface Records {
        /**
         * Gives every record of the customers concerned to {@code sink}, in append order (customers may interleave);
         * called once, on the calling thread.
         */
        void feed(Sink sink);
    }

    /** What takes a what-if's records. Not thread-safe. */
    public interface Sink {
        /** Replays one record. */
        void add(JournalEntry record);

        /**
         * Tells that every record of a customer has been given, so that its replayed state can be dropped: a source
         * that gives one customer after another keeps one customer's state in memory at a time. Optional.
         */
        void finished(String customerId);
    }

    /**
     * Replays records against a draft.
     *
     * @param base the catalog in force, which the draft is laid over (its plan versions continue the base's history)
     * @param request the draft, the range, the customers, the plan mapping and the sample size
     * @param records gives every record of the customers concerned (all records, or those of {@code
     *     request.customers()}) in append order
     * @return what the range did as recorded and would have done under the draft
     * @throws CatalogException if the draft is not a valid catalog (every error listed)
     * @throws TollgateException {@code INVALID_QUERY} if {@code from} is not before {@code to}; {@code
     *     INVALID_PLAN_MAPPING} if {@code plans} maps to a plan the draft lacks; {@code PLAN_NOT_MAPPED} if a recorded
     *     subscription's plan is missing from the draft and {@code plans} does not say where it goes; {@code
     *     CUSTOMER_NOT_FOUND} for a customer named in {@code customers} without a record
     */
    public static WhatIfReport run(Catalog base, WhatIfRequest request, Records records) {
        if (!request.from().isBefore(request.to())) {
            throw TollgateException.invalid("INVALID_QUERY", "from must be before to", "to");
        }
        CatalogDefinition definition = CatalogReader.read(request.draft());
        Catalog draft = base.publish(definition, request.draft(), request.from(), "what-if");
        WhatIfReplay replay = new WhatIfReplay(
                draft, request.plans(), request.from(), request.to(), request.customers(), request.sample());
        records.feed(new Sink() {
            @Override
            public void add(JournalEntry record) {
                replay.add(record);
            }

            @Override
            public void finished(String customerId) {
                replay.finished(customerId);
            }
        });
        Map<String, Set<String>> unmapped = replay.unmappedPlans();
        if (!unmapped.isEmpty()) {
            StringBuilder message = new StringBuilder("the draft has no plan for ");
            unmapped.forEach((plan, customers) -> message.append("'")
                    .append(plan)
                    .append("' (")
                    .append(customers.size())
                    .append(customers.size() == 1 ? " customer), " : " customers), "));
            message.setLength(message.length() - 2);
            message.append(": map each in plans to a plan of the draft, or to null for none");
            String first = unmapped.keySet().iterator().next();
            throw TollgateException.invalid("PLAN_NOT_MAPPED", message.toString(), "plans." + first);
        }
        List<String> named = request.customers();
        if (named != null) {
            Set<String> replayed = replay.customers();
            for (int i = 0; i < named.size(); i++) {
                if (!replayed.contains(named.get(i))) {
                    throw TollgateException.notFound(
                            "CUSTOMER_NOT_FOUND", "no customer '" + named.get(i) + "'", "customers[" + i + "]");
                }
            }
        }
        return replay.report(base.version());
    }
}
