package dev.tollgate.server;

import dev.tollgate.core.commit.GroupCommitJournal;
import dev.tollgate.core.journal.JournalEntry;
import java.util.List;

/**
 * Several observers of the journal as one (the engine takes one): each hears every call, in the order given.
 *
 * <p>Called on the journal's follow-up thread, as {@link GroupCommitJournal.Listener} says.
 */
final class JournalObservers implements GroupCommitJournal.Listener {
    private final List<GroupCommitJournal.Listener> observers;

    JournalObservers(List<GroupCommitJournal.Listener> observers) {
        this.observers = List.copyOf(observers);
    }

    @Override
    public void committed(int commands, List<JournalEntry> entries, long nanos) {
        observers.forEach(o -> o.committed(commands, entries, nanos));
    }

    @Override
    public void failed(List<JournalEntry> entries, RuntimeException cause) {
        observers.forEach(o -> o.failed(entries, cause));
    }

    @Override
    public void recovered() {
        observers.forEach(GroupCommitJournal.Listener::recovered);
    }

    @Override
    public void refused(List<JournalEntry> entries, RuntimeException cause) {
        observers.forEach(o -> o.refused(entries, cause));
    }
}
