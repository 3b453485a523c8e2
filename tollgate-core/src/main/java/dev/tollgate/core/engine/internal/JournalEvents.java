package dev.tollgate.core.engine.internal;

import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogReader;
import dev.tollgate.core.commit.GroupCommitJournal;
import dev.tollgate.core.journal.JournalEntry;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the durable shadows current, restores state after a failed commit, and resynchronises in-doubt customers
 * once the store is back; forwards to the observer. Runs on the journal's follow-up thread.
 */
final class JournalEvents implements GroupCommitJournal.Listener {
    private final EngineContext ctx;
    private final GroupCommitJournal.@Nullable Listener observer;

    JournalEvents(EngineContext ctx, GroupCommitJournal.@Nullable Listener observer) {
        this.ctx = ctx;
        this.observer = observer;
    }

    @Override
    public void committed(int commands, List<JournalEntry> entries, long nanos) {
        for (JournalEntry e : entries) {
            if (e instanceof JournalEntry.CatalogPublished c) {
                ctx.durableCatalog = Objects.requireNonNull(ctx.publishedCatalogs.remove(c.version()));
            } else {
                CustomerState state = ctx.customers.get(Objects.requireNonNull(e.customerId()));
                if (state != null) { // null: a node of a cluster dropped the customer while its commit was in flight
                    Objects.requireNonNull(state.durable).apply(e, EngineContext.DONE);
                }
            }
        }
        if (observer != null) {
            observer.committed(commands, entries, nanos);
        }
    }

    @Override
    public void failed(List<JournalEntry> entries, RuntimeException cause) {
        for (JournalEntry e : entries) {
            ctx.inDoubt.add(e.customerId() == null ? EngineContext.CATALOG : e.customerId());
        }
        restore(entries);
        if (observer != null) {
            observer.failed(entries, cause);
        }
    }

    /** Not in doubt: nothing of the command is stored, and its customers' durable shadows are exact. */
    @Override
    public void refused(List<JournalEntry> entries, RuntimeException cause) {
        restore(entries);
        if (observer != null) {
            observer.refused(entries, cause);
        }
    }

    /** Takes back from memory the effects of {@code entries} and of everything applied on top of them. */
    void restore(List<JournalEntry> entries) {
        boolean catalogLost = false;
        for (JournalEntry e : entries) {
            CustomerState state = e.customerId() == null ? null : ctx.customers.get(e.customerId());
            catalogLost |= e.customerId() == null;
            if (state != null) {
                synchronized (state) {
                    state.epoch++;
                    state.copyFrom(Objects.requireNonNull(state.durable));
                }
            }
        }
        if (catalogLost) {
            synchronized (ctx.catalogLock) {
                ctx.publishedCatalogs.clear();
                int version = ctx.durableCatalog.version();
                ctx.catalog = ctx.durableCatalog;
                ctx.catalogHistory.removeIf(v -> v.version() > version);
                ctx.catalogVersions.keySet().removeIf(v -> v > version);
            }
        }
    }

    @Override
    public void recovered() {
        for (String id : List.copyOf(ctx.inDoubt)) {
            if (id.equals(EngineContext.CATALOG)) {
                synchronized (ctx.catalogLock) {
                    Catalog[] latest = {Catalog.empty()};
                    ctx.catalogHistory.clear();
                    ctx.catalogVersions.clear();
                    ctx.store.replay(e -> {
                        if (e instanceof JournalEntry.CatalogPublished c) {
                            latest[0] = latest[0].publish(
                                    CatalogReader.read(c.document()), c.document(), c.at(), c.author());
                            ctx.recordHistory(latest[0], c.origin());
                        }
                    });
                    ctx.catalog = latest[0];
                    ctx.durableCatalog = latest[0];
                }
            } else if (ctx.customers.get(id) == null) {
                ctx.inDoubt.remove(id); // dropped by a node of a cluster: its next owner loads it from the store
                continue;
            } else {
                CustomerState state = Objects.requireNonNull(ctx.customers.get(id));
                List<JournalEntry> stored = ctx.store.entries(id);
                synchronized (state) {
                    state.epoch++;
                    CustomerState shadow = Objects.requireNonNull(state.durable);
                    shadow.clear();
                    stored.forEach(e -> shadow.apply(e, EngineContext.DONE));
                    state.copyFrom(shadow);
                }
            }
            ctx.inDoubt.remove(id);
        }
        if (observer != null) {
            observer.recovered();
        }
    }
}
