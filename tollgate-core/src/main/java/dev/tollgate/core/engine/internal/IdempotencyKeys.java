package dev.tollgate.core.engine.internal;

import dev.tollgate.core.journal.JournalEntry;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A customer's idempotency keys: the first record of each recent key, and a fingerprint of every key ever used.
 *
 * <p>Why not every record: holding each key's record forever grew the heap by about half a kilobyte per write (and
 * again in the durable shadow) until the server spent its time in GC; the events benchmark found it after 1.9 million
 * writes in a 1 GB heap. Now only the last {@code recentCapacity} records are held, plus every record not yet durable
 * however many there are; of an older key only a 64-bit fingerprint is kept, 16 bytes in an open-addressing table at
 * most half full. A fingerprint without a recent record means "maybe used": the engine then reads the record from the
 * store's unique index on customer and key. Two keys with the same fingerprint (odds about n / 2<sup>64</sup>) cost
 * one read that finds nothing, never a wrong answer.
 *
 * <p>Not thread-safe: guarded like the rest of {@link CustomerState}, by the customer's section.
 */
public final class IdempotencyKeys {
    /**
     * Recent records held per customer: a retry within a few seconds of a customer writing tens of times a second finds
     * its record here; an older key is read from the store (see the class comment). Each record is a small graph of
     * objects that lives as long as the customer takes to write this many more, and a young collection copies it every
     * time until it dies or is promoted: with 1024, at 20 writes a second, records lived 51 s, were copied 15 times and
     * were three quarters of what a young pause copied (7-8 ms pauses with 10 such customers; 3.2-4.3 ms with 128). The
     * price is store reads for a retry of more than this many writes. A resent batch of events reads the keys it no
     * longer finds here in one go ({@link EngineContext#priors}): 1000 events resent after one more write, 872 keys
     * read, took 35 ms on SQLite and 48 ms on PostgreSQL, against 7 and 19 ms from memory and 149-258 ms read one key
     * at a time (medians of 10, by hand).
     */
    public static final int RECENT = 128;

    /** An idempotency key's first record and when it became durable. */
    record KeyRecord(JournalEntry entry, CompletableFuture<Void> durable) {}

    private final int recentCapacity;
    private final LinkedHashMap<String, KeyRecord> recent = new LinkedHashMap<>();
    /** Fingerprints, {@code 0} for a free slot (no fingerprint is 0); length a power of two. */
    private long[] table = new long[16];

    private int fingerprints;

    /** @param recentCapacity records kept beyond those not yet durable, at least 1 */
    IdempotencyKeys(int recentCapacity) {
        if (recentCapacity < 1) {
            throw new IllegalArgumentException("recentCapacity must be at least 1");
        }
        this.recentCapacity = recentCapacity;
    }

    /** The record of {@code key} if it is recent, else {@code null} (the key may still be older: {@link #mayHave}). */
    @Nullable
    KeyRecord recent(String key) {
        return recent.get(key);
    }

    /** Tells whether {@code key} may have been used: {@code false} means certainly not. */
    boolean mayHave(String key) {
        long f = fingerprint(key);
        return table[probe(table, f)] == f;
    }

    /**
     * Remembers the first record of {@code key}; a key already recent keeps its record. Then forgets the oldest
     * durable records beyond the capacity.
     */
    void add(String key, JournalEntry entry, CompletableFuture<Void> durable) {
        if (recent.putIfAbsent(key, new KeyRecord(entry, durable)) != null) {
            return;
        }
        insert(fingerprint(key));
        Iterator<KeyRecord> oldest = recent.values().iterator();
        while (recent.size() > recentCapacity) {
            if (!oldest.next().durable().isDone()) {
                return;
            }
            oldest.remove();
        }
    }

    /** Replaces the durability future of a recent key if it is still {@code placeholder}. */
    void settle(String key, CompletableFuture<Void> placeholder, CompletableFuture<Void> durable) {
        recent.computeIfPresent(key, (k, r) -> r.durable() == placeholder ? new KeyRecord(r.entry(), durable) : r);
    }

    /** Recent records held now. */
    int recentSize() {
        return recent.size();
    }

    /** Makes this equal to {@code other}. */
    void copyFrom(IdempotencyKeys other) {
        recent.clear();
        recent.putAll(other.recent);
        table = other.table.clone();
        fingerprints = other.fingerprints;
    }

    /** Forgets every key. */
    void clear() {
        recent.clear();
        table = new long[16];
        fingerprints = 0;
    }

    private void insert(long f) {
        int i = probe(table, f);
        if (table[i] == f) {
            return;
        }
        table[i] = f;
        if (++fingerprints * 2 > table.length) {
            long[] old = table;
            table = new long[old.length * 2];
            for (long g : old) {
                if (g != 0) {
                    table[probe(table, g)] = g;
                }
            }
        }
    }

    /** The slot of {@code t} that holds {@code f}, or else the free slot where linear probing would put it. */
    private static int probe(long[] t, long f) {
        int mask = t.length - 1;
        int i = (int) (f ^ (f >>> 32)) & mask;
        while (t[i] != 0 && t[i] != f) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** A 64-bit FNV-1a hash of the key's chars, finished with MurmurHash3's fmix64; never 0. */
    static long fingerprint(String key) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) {
            h ^= key.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }
}
