package dev.tollgate.core.journal;

import java.time.Instant;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One type of journal entry as {@link JournalCodec} stores it: the stable type name stored beside the payload, and how
 * the entry's own fields (after the common ones: {@link Head}) are written and read back.
 *
 * @param name the stable type name ({@code usage}, {@code catalog}, ...)
 * @param type the entry's class
 * @param writer puts the entry's own fields into its payload, in their stored order
 * @param reader builds the entry from its payload
 * @param <T> the entry type
 */
record EntryKind<T extends JournalEntry>(
        String name, Class<T> type, BiConsumer<T, Map<String, Object>> writer, Reader<T> reader) {

    /** Builds an entry from the common fields and the payload. */
    interface Reader<T> {
        T read(Head head, Map<String, Object> payload);
    }

    /**
     * The fields every payload starts with.
     *
     * @param customer the customer's id, or {@code null} (catalog records)
     * @param at when the change was applied
     * @param key the idempotency key, or {@code null}
     * @param request the fingerprint of the request that used the key, or {@code null}
     */
    record Head(
            @Nullable String customer,
            Instant at,
            @Nullable String key,
            @Nullable String request) {
        /** The customer's id, required. */
        String customerId() {
            return Payload.req(customer);
        }

        /** The idempotency key, required. */
        String requiredKey() {
            return Payload.req(key);
        }
    }

    /** Writes {@code entry}'s own fields; {@code entry} is of {@link #type}. */
    void write(JournalEntry entry, Map<String, Object> payload) {
        writer.accept(type.cast(entry), payload);
    }
}
