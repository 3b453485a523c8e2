package dev.tollgate.core.engine.internal;

import dev.tollgate.core.api.MarginQuery;
import dev.tollgate.core.api.MarginReport;
import dev.tollgate.core.journal.JournalEntry;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What finance reads: the margin report ({@link Margins}) and the records a what-if replays, both from the store's
 * durable records (never the engine's memory, so any server of a cluster answers for every customer).
 *
 * <p>Thread-safe: holds only the context; each report works on its own fold.
 */
public final class Finance {
    private final EngineContext ctx;

    public Finance(EngineContext ctx) {
        this.ctx = ctx;
    }

    public MarginReport margin(MarginQuery query) {
        Margins fold = new Margins(query);
        ctx.store.replay(fold::add);
        return fold.report();
    }

    /**
     * Feeds the records of {@code customers}, or of every customer, one customer after the other (each customer's in
     * append order, {@code finished} after each), read by the store's index on the customer: the replay then holds one
     * customer's state at a time. A node of a cluster, which does not know every customer, feeds the whole journal in
     * append order instead.
     *
     * @param records called with each record
     * @param finished called with each customer once its records are given
     */
    public void records(@Nullable List<String> customers, Consumer<JournalEntry> records, Consumer<String> finished) {
        Collection<String> ids;
        if (customers != null) {
            ids = new LinkedHashSet<>(customers);
        } else if (ctx.everyCustomer) {
            ids = new TreeSet<>(ctx.customers.keySet());
            ids.remove(EngineContext.SYSTEM);
        } else {
            ctx.store.replay(records);
            return;
        }
        for (String id : ids) {
            ctx.store.entries(id).forEach(records);
            finished.accept(id);
        }
    }
}
