package dev.tollgate.server.cluster;

import dev.tollgate.core.commit.GroupCommitJournal;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.store.FencedException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Hears of commits the store fenced ({@link FencedException}: another node owns those customers now) and has the node
 * forget them. Attached to the node once it exists, since the node needs the engine that this listener is given to.
 *
 * <p>Thread-safe: called on the journal's follow-up thread.
 */
public final class FencedCommits implements GroupCommitJournal.Listener {
    private volatile @Nullable ClusterNode node;

    /** Sends later fenced commits to {@code node}. */
    public void attach(ClusterNode node) {
        this.node = node;
    }

    @Override
    public void committed(int commands, List<JournalEntry> entries, long nanos) {}

    @Override
    public void failed(List<JournalEntry> entries, RuntimeException cause) {}

    @Override
    public void refused(List<JournalEntry> entries, RuntimeException cause) {
        ClusterNode n = node;
        if (cause instanceof FencedException fenced && n != null) {
            n.lost(fenced.customers());
        }
    }
}
