package dev.tollgate.server.feed;

import dev.tollgate.core.commit.GroupCommitJournal;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.journal.JournalEntry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Which customers changed, in commit order: the source of the change feed.
 *
 * <p>It observes the journal ({@link GroupCommitJournal.Listener}, on the follow-up thread, after memory has the
 * change): each customer with a record in a committed batch gets a new <em>cursor</em> and is offered to every
 * subscriber that follows it. A failed or refused batch counts as a change too (memory was restored), and so does the
 * resynchronisation after an outage, for the customers whose commit was in doubt. A catalog publication changes every
 * customer's entitlements, so every known customer gets a cursor.
 *
 * <p><b>Cursors</b> increase strictly, also across restarts: each is the larger of the previous one plus one and the
 * wall clock in microseconds. A process knows the latest cursor of each customer changed since it started ({@link
 * #bootCursor} and after). A subscriber that resumes from a cursor at or after the boot cursor is sent exactly the
 * customers changed after it; one that resumes from an earlier cursor (or a cursor of an earlier process) cannot be told
 * what it missed and is sent every customer it follows again, as on a first connection. Snapshot events of customers
 * unchanged since the start carry {@code bootCursor - 1}, so a connection lost during the snapshot resumes with a full
 * snapshot. The clock only makes cursors of a new process start above those of the last one; if it was set back,
 * resuming clients get a full snapshot, never a gap.
 *
 * <p>In a cluster ({@link #attach}) the feed speaks only for the customers this node holds: a snapshot names only
 * those, a catalog change changes only those, and a customer this node takes over ({@link #taken}) is a change: its
 * state as loaded from the store is sent again by its new owner, with the new fencing epoch ({@link #epoch}), so that
 * a subscriber following every node misses nothing the previous owner committed.
 *
 * <p>Thread-safe. Memory: one cursor per customer changed since the start, and each subscriber's queue, at most one
 * entry per customer it follows ({@link FeedSubscription}).
 */
public final class ChangeFeed implements GroupCommitJournal.Listener {
    private final InstantSource clock;
    private final long bootCursor;
    private long last;
    private final Map<String, Long> latest = new ConcurrentHashMap<>();
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private final Set<FeedSubscription> subscribers = ConcurrentHashMap.newKeySet();
    /** The customers this node holds, in a cluster; {@code null} on a server alone, which holds every customer. */
    private volatile @Nullable Residency residency;
    /** Customers of failed batches since the last recovery: the resynchronisation may change them again. */
    private final Set<String> inDoubt = new HashSet<>();

    /** @param clock the wall clock, read for the first cursor of each change */
    public ChangeFeed(InstantSource clock) {
        this.clock = clock;
        this.bootCursor = next();
    }

    /** The first cursor of this process: a resume from an earlier cursor gets a full snapshot. */
    public long bootCursor() {
        return bootCursor;
    }

    /** Adds customers that exist already (those of the store at start-up), for snapshots of every customer. */
    public void seed(Collection<String> customerIds) {
        known.addAll(customerIds);
    }

    /**
     * Makes this the feed of a node of a cluster: from now on it speaks only for the customers {@code residency} holds.
     * Call once, before the node takes any customer.
     */
    public void attach(Residency residency) {
        this.residency = residency;
    }

    /**
     * The fencing epoch at which this server holds a customer: {@code 0} on a server alone (every customer, no epoch),
     * {@link Residency#NOT_HELD} for a customer a node of a cluster does not hold.
     */
    public long epoch(String customerId) {
        Residency r = residency;
        return r == null ? 0 : r.epoch(customerId);
    }

    /** This node has just taken the customer over and loaded it: its state is a change for every subscriber. */
    public void taken(String customerId) {
        if (!Engine.SYSTEM.equals(customerId)) {
            changed(customerId);
        }
    }

    /** This node has read a catalog another node published: every customer it holds changed. */
    public void catalogFollowed() {
        for (String customerId : held()) {
            changed(customerId);
        }
    }

    /** The customers this server speaks for: every known one alone, those it holds in a cluster. */
    private Collection<String> held() {
        Residency r = residency;
        return r == null ? known : r.held();
    }

    /**
     * Starts a subscription and queues what the subscriber must be sent first: every customer it follows, or, when
     * {@code since} is at or after {@link #bootCursor}, those changed after {@code since}. Changes committed from now on
     * are queued as they come.
     *
     * @param interest the customers followed, or {@code null} for all of them
     * @param since the last cursor the subscriber saw, or {@code null} on a first connection
     * @param wake called (on any thread, must not block) whenever something is queued
     */
    public FeedSubscription subscribe(@Nullable Interest interest, @Nullable Long since, Runnable wake) {
        FeedSubscription s = new FeedSubscription(this, interest, wake);
        subscribers.add(s);
        boolean resumable = since != null && since >= bootCursor;
        Collection<String> followed = interest != null ? interest.customers() : resumable ? latest.keySet() : held();
        for (String customerId : followed) {
            Long at = latest.get(customerId);
            if (epoch(customerId) == Residency.NOT_HELD) {
                continue; // its owner speaks for it
            }
            if (!resumable) {
                s.offer(customerId, at == null ? bootCursor - 1 : at);
            } else if (at != null && since != null && at > since) {
                s.offer(customerId, at);
            }
        }
        return s;
    }

    /** Subscriptions open now. */
    public int subscribers() {
        return subscribers.size();
    }

    void remove(FeedSubscription s) {
        subscribers.remove(s);
    }

    @Override
    public void committed(int commands, List<JournalEntry> entries, long nanos) {
        changed(entries);
    }

    @Override
    public void failed(List<JournalEntry> entries, RuntimeException cause) {
        for (JournalEntry e : entries) {
            if (e.customerId() != null) {
                inDoubt.add(e.customerId());
            }
        }
        changed(entries);
    }

    @Override
    public void refused(List<JournalEntry> entries, RuntimeException cause) {
        changed(entries);
    }

    @Override
    public void recovered() {
        for (String customerId : inDoubt) {
            changed(customerId);
        }
        inDoubt.clear();
    }

    private void changed(List<JournalEntry> entries) {
        Set<String> customers = new HashSet<>();
        boolean catalog = false;
        for (JournalEntry e : entries) {
            String customerId = e.customerId();
            if (customerId == null) {
                catalog = true;
            } else if (!Engine.SYSTEM.equals(customerId) && customers.add(customerId)) {
                changed(customerId);
            }
        }
        if (catalog) {
            for (String customerId : held()) {
                changed(customerId);
            }
        }
    }

    /** Synchronized: the journal's thread, take-overs and catalog reads change customers, each cursor latest once. */
    private synchronized void changed(String customerId) {
        known.add(customerId);
        long cursor = next();
        latest.put(customerId, cursor);
        for (FeedSubscription s : subscribers) {
            if (s.follows(customerId)) {
                s.offer(customerId, cursor);
            }
        }
    }

    private synchronized long next() {
        Instant now = clock.instant();
        long micros = Math.multiplyExact(now.getEpochSecond(), 1_000_000L) + now.getNano() / 1_000;
        last = Math.max(last + 1, micros);
        return last;
    }
}
