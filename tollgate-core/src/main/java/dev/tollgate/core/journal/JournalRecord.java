package dev.tollgate.core.journal;

import java.util.ArrayList;
import java.util.List;

/**
 * A journal entry with its stored form: the type name and the encoded payload a store writes.
 *
 * <p>Design: the group commit encodes each entry on the thread that appends it ({@link #of}), so that the one writer
 * thread only binds and commits; encoding was the larger half of its work per record.
 *
 * @param entry the entry
 * @param type {@link JournalCodec#type}
 * @param payload {@link JournalCodec#encode}
 */
public record JournalRecord(JournalEntry entry, String type, String payload) {

    /** Encodes one entry. */
    public static JournalRecord of(JournalEntry entry) {
        return new JournalRecord(entry, JournalCodec.type(entry), JournalCodec.encode(entry));
    }

    /** Encodes entries, keeping their order. */
    public static List<JournalRecord> all(List<? extends JournalEntry> entries) {
        List<JournalRecord> records = new ArrayList<>(entries.size());
        for (JournalEntry e : entries) {
            records.add(of(e));
        }
        return records;
    }
}
