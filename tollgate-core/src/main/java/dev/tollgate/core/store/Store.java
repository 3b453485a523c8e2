package dev.tollgate.core.store;

import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The storage SPI: an append-only journal of {@link JournalEntry records}. Every algorithm stays in the core; a store
 * only keeps records durable, in order, and reads them back.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #append} is atomic and durable: when it returns, every entry of the batch and every counter value
 *       survives a crash of the process (and, for SQLite, of the machine, with {@code synchronous=FULL}); when it
 *       throws {@link StoreException}, none was stored, except for {@link CommitInDoubtException}: then the store
 *       could not tell. A store that meets an error after it sent the commit asks itself whether the batch is stored
 *       before it answers (and returns normally if it is), so that "not stored" is never a guess. After a crash, the
 *       counters are exactly what the stored records fold to.
 *   <li>Entries are read back in the order they were appended.
 *   <li>An idempotency key is unique per customer: a batch that repeats one fails as a whole.
 * </ul>
 *
 * <p>Implementations are thread-safe. {@link #append} is called by one writer thread at a time.
 */
public interface Store extends AutoCloseable {

    /**
     * Appends a batch of entries and upserts the counter values they produced, in one transaction.
     *
     * @param batch entries in apply order, already encoded (a store writes {@link JournalRecord#payload} as it is and
     *     decodes it with {@link dev.tollgate.core.journal.JournalCodec#decode}), not empty
     * @param counters the new value of every counter the batch changed, at most one per {@link CounterValue#key()}
     * @throws RecordRefusedException if a constraint refused a record (a customer's idempotency key stored already);
     *     nothing of the batch was stored
     * @throws CommitInDoubtException if the store cannot tell whether the batch was stored
     * @throws StoreException if the batch could not be committed; then nothing of it was stored
     */
    void append(List<JournalRecord> batch, List<CounterValue> counters);

    /**
     * The usage rows of a customer in a time range, oldest first, from an index on customer and time (never a scan of
     * every record). The store writes one row for each record it appends that has one ({@link UsageRow#from}: usage
     * and sessions' settlements), in the same transaction.
     *
     * @param from inclusive
     * @param to exclusive
     * @throws StoreException if the store cannot be read
     */
    List<UsageRow> usage(String customerId, Instant from, Instant to);

    /**
     * Visits every stored counter value, in no particular order, for verification.
     *
     * @param visitor called once per counter, on the calling thread
     * @throws StoreException if the store cannot be read
     */
    void counters(Consumer<CounterValue> visitor);

    /**
     * Visits every stored entry in append order, for start-up and verification.
     *
     * @param visitor called once per entry, on the calling thread
     * @throws StoreException if the store cannot be read
     */
    void replay(Consumer<JournalEntry> visitor);

    /**
     * The catalog's records (those without a customer) in append order, for a node of a cluster that follows the
     * catalog another node publishes. The default visits every record; a store with an index on the customer reads
     * only these.
     *
     * @throws StoreException if the store cannot be read
     */
    default List<JournalEntry> catalogEntries() {
        List<JournalEntry> catalog = new java.util.ArrayList<>();
        replay(e -> {
            if (e.customerId() == null) {
                catalog.add(e);
            }
        });
        return catalog;
    }

    /**
     * Reads one customer's entries in append order, to rebuild its state after a failed commit.
     *
     * @param customerId the customer
     * @return the entries, possibly empty
     * @throws StoreException if the store cannot be read
     */
    List<JournalEntry> entries(String customerId);

    /**
     * The record of a customer that carries an idempotency key, from the unique index on customer and key (never a
     * scan), to answer a replay of a key the engine no longer holds in memory.
     *
     * @return the record, or {@code null} if no stored record of the customer carries the key
     * @throws StoreException if the store cannot be read
     */
    @Nullable
    JournalEntry entry(String customerId, String idempotencyKey);

    /**
     * The records of a customer that carry any of {@code idempotencyKeys}: {@link #entry} for many keys at once, for a
     * resent batch of events whose keys the engine no longer holds (thousands at most). A store reads them from the same
     * unique index in as few queries as it can; this default asks {@link #entry} once a key.
     *
     * @param idempotencyKeys the keys, possibly empty, possibly repeated
     * @return each key that a stored record of the customer carries, with that record; no other key
     * @throws StoreException if the store cannot be read
     */
    default Map<String, JournalEntry> entriesByKey(String customerId, Collection<String> idempotencyKeys) {
        Map<String, JournalEntry> found = new HashMap<>();
        for (String key : idempotencyKeys) {
            JournalEntry e = entry(customerId, key);
            if (e != null) {
                found.put(key, e);
            }
        }
        return found;
    }

    /**
     * The customer's records just before and just after the one that carries an idempotency key, in append order,
     * from the unique index on customer and key (never a scan): what {@link #charge} looks at.
     *
     * @return at most two records; empty if no record of the customer carries the key
     * @throws StoreException if the store cannot be read
     */
    List<JournalEntry> besideKey(String customerId, String idempotencyKey);

    /**
     * The credit movement that charged a priced consumption (or a session's close), for a refund of a consumption the
     * engine no longer holds in memory. The engine stores a charge right next to the record that carries the key (just
     * after a usage record, just before a session's closing record), so it is one of {@link #besideKey}.
     *
     * @param consumptionKey the consumption's idempotency key
     * @return the customer's {@code CONSUME} movement whose reference is the key, or {@code null} if there is none
     * @throws StoreException if the store cannot be read
     */
    default JournalEntry.@Nullable CreditsMoved charge(String customerId, String consumptionKey) {
        for (JournalEntry r : besideKey(customerId, consumptionKey)) {
            if (r instanceof JournalEntry.CreditsMoved m
                    && m.type() == EntryType.CONSUME
                    && customerId.equals(m.customerId())
                    && consumptionKey.equals(m.reference())) {
                return m;
            }
        }
        return null;
    }

    /**
     * The credentials (API keys, portal sessions) kept in this store's database, beside the journal: see {@link
     * CredentialStore}. The same object on every call; valid until {@link #close}.
     */
    CredentialStore credentials();

    /**
     * What a billing period's export reads of one customer ({@code dev.tollgate.core.billing.PeriodExport}): its
     * subscription records ({@code subscription}, {@code cancellation}) applied before {@code to}, and its usage, credit
     * and grant records ({@code usage}, {@code credits}, {@code grant}) applied in {@code [from, to)}, in append order.
     * The ranged part comes from an index on customer and time, never a scan of the customer's whole history. The
     * default filters {@link #entries}.
     *
     * @throws StoreException if the store cannot be read
     */
    default List<JournalEntry> billingEntries(String customerId, Instant from, Instant to) {
        List<JournalEntry> out = new java.util.ArrayList<>();
        for (JournalEntry e : entries(customerId)) {
            boolean history =
                    e instanceof JournalEntry.SubscriptionSet || e instanceof JournalEntry.SubscriptionCancelled;
            boolean ranged = e instanceof JournalEntry.UsageRecorded
                    || e instanceof JournalEntry.CreditsMoved
                    || e instanceof JournalEntry.GrantCreated;
            if ((history && e.at().isBefore(to)) || (ranged && !e.at().isBefore(from) && e.at().isBefore(to))) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * The ids of the customers that have records, in the order of their UTF-8 bytes (ids are ASCII: their natural
     * order), a page at a time. The default reads every record.
     *
     * @param after only ids after this one, or {@code null} to start at the first
     * @param limit at most this many, {@code >= 1}
     * @throws StoreException if the store cannot be read
     */
    default List<String> customerIds(@Nullable String after, int limit) {
        java.util.TreeSet<String> ids = new java.util.TreeSet<>();
        replay(e -> {
            String c = e.customerId();
            if (c != null && (after == null || c.compareTo(after) > 0)) {
                ids.add(c);
            }
        });
        return ids.stream().limit(limit).toList();
    }

    /**
     * The customer's latest profile record (name, metadata, time zone), for an exporter that maps the customer to a
     * billing provider's id whichever server it runs on. The default filters {@link #entries}.
     *
     * @return the record, or {@code null} if the customer has none
     * @throws StoreException if the store cannot be read
     */
    default JournalEntry.@Nullable CustomerUpserted profile(String customerId) {
        JournalEntry.CustomerUpserted last = null;
        for (JournalEntry e : entries(customerId)) {
            if (e instanceof JournalEntry.CustomerUpserted c) {
                last = c;
            }
        }
        return last;
    }

    /**
     * The store's outbox for billing exports.
     *
     * @throws UnsupportedOperationException if this store keeps none (stores written for one test)
     */
    default ExportOutbox outbox() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no export outbox");
    }

    /** Tells whether the store answers right now (readiness). Never throws. */
    boolean ping();

    /** Releases connections and files. Idempotent. */
    @Override
    void close();
}
