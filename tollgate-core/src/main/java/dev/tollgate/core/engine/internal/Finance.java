package dev.tollgate.core.engine.internal;

import dev.tollgate.core.api.MarginQuery;
import dev.tollgate.core.api.MarginReport;
import dev.tollgate.core.journal.JournalEntry;
import java.util.List;
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
     * Feeds the records of {@code customers} (each customer's in append order, one customer after the other), or of
     * every customer (the whole journal in append order), to {@code visitor}.
     */
    public void records(@Nullable List<String> customers, Consumer<JournalEntry> visitor) {
        if (customers == null) {
            ctx.store.replay(visitor);
            return;
        }
        for (String id : new java.util.LinkedHashSet<>(customers)) {
            ctx.store.entries(id).forEach(visitor);
        }
    }
}
