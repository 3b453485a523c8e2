package dev.tollgate.core.journal;

import dev.tollgate.core.catalog.CatalogOrigin;
import dev.tollgate.core.json.IsoInstant;
import dev.tollgate.core.json.Json;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes journal entries as versioned JSON payloads and decodes them back.
 *
 * <p>Format: one JSON object per entry with {@code "v"} (the format version, {@link #FORMAT}) and the entry's fields;
 * the entry type travels beside the payload ({@link #type}) so that stores can index it. Readers accept formats
 * {@code 1..FORMAT}; a payload from a newer writer is refused rather than misread. Instants are ISO-8601 strings,
 * decimals are JSON numbers written exactly.
 *
 * <p>Format 2 leaves out of a usage record what equals its default, and readers put it back: {@code occurredAt} when
 * it is {@code at}, empty {@code dimensions}, a zero {@code overage}, and in a recorded answer a zero {@code held}, a
 * zero {@code overageQuantity} and a false {@code overage}. Usage is most of the journal, and on SQLite the group
 * commit's writer costs about in proportion to the bytes it writes: a typical usage record went from 409 to 290 bytes,
 * and in the events benchmark the writer went from 6.9-7.2 to 5.9-6.5 us an event.
 *
 * <p>The {@code settlement} record (a currency session's close beyond what was consumed in it) came later within
 * format 2: no existing record changed, and a reader that predates it refuses the unknown type rather than misreading
 * it.
 *
 * <p>A {@code denial} (a refused consume) carries, within format 2, the {@code scope}, {@code dimensions} and {@code
 * session} it was asked with, each left out when absent or empty: a denial written before reads back without them,
 * and a denial without them is written exactly as before.
 *
 * <p>A catalog record always carries {@code "origin"}: the start-up file it came from ({@code {"file", "sha256"}}, see
 * {@link CatalogOrigin}) or {@code null} for the API. A record without the key was written before origins were
 * recorded; its origin is inferred from its author ({@code startup:<file>}) and its document ({@link
 * CatalogOrigin#inferred}), so a journal written by an older build keeps knowing which versions came from a file.
 *
 * <p>A record written for a caller's idempotency key carries {@code "request"}, the fingerprint of the request that
 * used the key (see {@link JournalEntry#request}), added within format 2 too: an older reader ignores it, and a record
 * without it was written before fingerprints were kept.
 *
 * <p>The values inside a record (a decision, a grant, a subscription, a promotion, a scope, a budget, a session, a
 * webhook, auto-recharge, a catalog's origin) are written by {@code dev.tollgate.core.mapping} in its {@link
 * dev.tollgate.core.mapping.Form#JOURNAL} form: the one mapping the API's answers use too. Reading them back is this
 * package's alone ({@link ValueFields}).
 *
 * <p>Layout: the fields every payload starts with are written here; each entry type's own fields by its {@link
 * EntryKind} in {@link EntryFields}, over the tree helpers of {@link Payload}.
 *
 * <p>Thread-safe: stateless.
 */
public final class JournalCodec {
    /** The payload format this build writes. */
    public static final int FORMAT = 2;

    private static final Map<Class<?>, EntryKind<?>> BY_TYPE = new HashMap<>();
    private static final Map<String, EntryKind<?>> BY_NAME = new HashMap<>();

    static {
        for (EntryKind<?> kind : EntryFields.KINDS) {
            BY_TYPE.put(kind.type(), kind);
            BY_NAME.put(kind.name(), kind);
        }
        for (Class<? extends JournalEntry> type : JournalEntry.TYPES) {
            if (!BY_TYPE.containsKey(type)) {
                throw new IllegalStateException("no journal encoding for " + type.getName());
            }
        }
    }

    private JournalCodec() {}

    /** The stable type name stored beside the payload ({@code usage}, {@code catalog}, ...). */
    public static String type(JournalEntry entry) {
        return kind(entry).name();
    }

    private static EntryKind<?> kind(JournalEntry entry) {
        EntryKind<?> kind = BY_TYPE.get(entry.getClass());
        if (kind == null) {
            throw new IllegalArgumentException(
                    "unknown entry " + entry.getClass().getName());
        }
        return kind;
    }

    /** Encodes an entry's payload. */
    public static String encode(JournalEntry entry) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", FORMAT);
        Payload.put(m, "customerId", entry.customerId());
        m.put("at", IsoInstant.format(entry.at()));
        Payload.put(m, "key", entry.idempotencyKey());
        Payload.put(m, "request", entry.request());
        kind(entry).write(entry, m);
        return Json.write(m);
    }

    /**
     * Decodes a payload.
     *
     * @param type the type name stored beside it
     * @param payload the JSON payload
     * @return the entry
     * @throws IllegalArgumentException if the payload is malformed, of an unknown type or of a newer format
     */
    public static JournalEntry decode(String type, String payload) {
        Map<String, Object> m = Payload.map(Json.parse(payload));
        int format = Payload.integer(m, "v");
        if (format < 1 || format > FORMAT) {
            throw new IllegalArgumentException("journal format " + format + " is not in 1.." + FORMAT);
        }
        EntryKind.Head head = new EntryKind.Head(
                Payload.optStr(m, "customerId"),
                Instant.parse(Payload.str(m, "at")),
                Payload.optStr(m, "key"),
                Payload.optStr(m, "request"));
        EntryKind<?> kind = BY_NAME.get(type);
        if (kind == null) {
            throw new IllegalArgumentException("unknown journal entry type '" + type + "'");
        }
        return kind.reader().read(head, m);
    }
}
