package dev.tollgate.server.cluster;

import dev.tollgate.core.cluster.Rendezvous;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.store.Ownership;
import dev.tollgate.core.store.StoreException;
import dev.tollgate.server.feed.ChangeFeed;
import dev.tollgate.server.feed.Residency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server as a node of a cluster: its membership, the customers it owns, and their moves.
 *
 * <p>Membership: every {@link #TICK} the node renews its lease ({@link Ownership#heartbeat}) and reads the members; the
 * live ones place every customer by {@link Rendezvous}. A node serves its customers only while its last successful
 * heartbeat is younger than {@value #SERVE_SHARE_PERCENT} % of the lease ({@link #serving}), by its own monotonic
 * clock: once paused or cut off longer than that, it stops answering for them before any other node may take them.
 * When a heartbeat comes more than a lease after the previous one (the process was paused, the store unreachable), the
 * node forgets every customer it held: others may have taken them and written since; it takes them again, from the
 * store, if placement still gives them to it.
 *
 * <p>Ownership: a customer placed on this node is taken ({@link Ownership#acquire}) and loaded from the store ({@link
 * Engine#adopt}) before its first request is served here ({@link #resident}); a node that still holds it (a planned
 * move) gives it up at its next tick, so the take waits up to {@link #TAKE_PATIENCE}. A customer placed elsewhere is
 * given up: dropped from memory once its enqueued commits are done, then released for its next owner. The fencing
 * epoch checked in every commit makes all of this safe when the timing is not what it should be: a node that lost a
 * customer can never commit for it ({@link #lost}).
 *
 * <p>The change feed: this node is the feed's {@link Residency} (it speaks for the customers held here), a customer
 * taken and loaded is a change of it ({@link ChangeFeed#taken}), and a catalog read from the store changes every
 * customer held here ({@link ChangeFeed#catalogFollowed}).
 *
 * <p>Thread-safe. Blocking work (the store) runs on the node's own threads, never on an HTTP I/O thread.
 */
public final class ClusterNode implements Residency, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    /** How often the node renews its lease and looks at the members. */
    static final Duration TICK = Duration.ofMillis(500);

    /** The share of the lease a node serves its customers after its last successful heartbeat. */
    static final int SERVE_SHARE_PERCENT = 60;

    /** How long a take waits for the previous owner to give a customer up. */
    static final Duration TAKE_PATIENCE = Duration.ofSeconds(3);

    private final Ownership ownership;
    private final Engine engine;
    private final ChangeFeed feed;
    private final String url;
    private final Duration lease;
    private final ScheduledExecutorService ticker;
    private final ExecutorService takers;
    private final ConcurrentHashMap<String, CompletableFuture<Long>> resident = new ConcurrentHashMap<>();
    /**
     * Customers being given up: done once their enqueued commits are done (and, for a move, the row released). A take
     * of the same customer waits for it, so that it never loads the customer before its last commits are stored.
     */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> leaving = new ConcurrentHashMap<>();
    /** One lock per customer ever taken here: takes of one customer run one at a time. */
    private final ConcurrentHashMap<String, Object> takeLocks = new ConcurrentHashMap<>();

    private volatile List<Ownership.Member> members = List.of();
    private volatile List<String> live = List.of();
    private volatile long lastHeartbeatNanos;
    /** When the heartbeat under way began, or 0 if none is. */
    private volatile long heartbeatSinceNanos;

    private volatile boolean lastHeartbeatFailed;
    private int ticks;
    private final AtomicLong movedIn = new AtomicLong();
    private final AtomicLong movedOut = new AtomicLong();
    private final AtomicLong fenced = new AtomicLong();

    /**
     * Joins the cluster: the first heartbeat registers this node (and fails the start-up if the store cannot be
     * reached), then the node takes what placement gives it and ticks.
     *
     * @param feed the change feed of this node: it speaks for this node's customers from now on
     * @param url where the other nodes reach this one
     * @throws StoreException if the first heartbeat fails
     */
    public ClusterNode(Ownership ownership, Engine engine, ChangeFeed feed, String url, Duration lease) {
        this.ownership = ownership;
        this.engine = engine;
        this.feed = feed;
        feed.attach(this);
        this.url = url;
        this.lease = lease;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "tollgate-cluster"));
        this.takers = Executors.newFixedThreadPool(4, r -> daemon(r, "tollgate-cluster-take"));
        long sent = System.nanoTime();
        see(ownership.heartbeat());
        lastHeartbeatNanos = sent;
        takePlaced();
        ticker.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** This node's id. */
    public String nodeId() {
        return ownership.nodeId();
    }

    /** This node's URL. */
    public String url() {
        return url;
    }

    /**
     * The live member a customer is placed on, by this node's view.
     *
     * @return the member, or empty if no member is live in this node's view (its own lease lapsed)
     */
    public Optional<Ownership.Member> ownerOf(String customerId) {
        Optional<String> id = Rendezvous.owner(customerId, live);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        for (Ownership.Member m : members) {
            if (m.nodeId().equals(id.get())) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** Whether this node may answer for its customers now: its lease is fresh by its own clock. */
    public boolean serving() {
        return System.nanoTime() - lastHeartbeatNanos < lease.toNanos() * SERVE_SHARE_PERCENT / 100;
    }

    /**
     * Whether the store cannot be reached now: the last heartbeat failed, or the one under way has waited over a
     * second. Then no node can take a customer over either (taking one is a statement in the store), so this node
     * answers for the customers it holds as a server alone does in a store outage: reads from memory, writes failing at
     * the store ({@code STORE_UNAVAILABLE}). The one case where another node could have taken them, a store cut off
     * from this node alone, is bounded by fencing for writes; reads may then be stale until the store answers again.
     */
    public boolean storeUnreachable() {
        long since = heartbeatSinceNanos;
        return lastHeartbeatFailed || (since != 0 && System.nanoTime() - since > TimeUnit.SECONDS.toNanos(1));
    }

    /** Whether this node holds the customer's state now (taken and loaded). */
    public boolean holds(String customerId) {
        CompletableFuture<Long> f = resident.get(customerId);
        return f != null && f.isDone() && !f.isCompletedExceptionally();
    }

    /**
     * The customer, taken and loaded here: completes once this node owns it and holds its state, or exceptionally if
     * another live node keeps it ({@link NotOwnerException}) or the store fails. A completed future is returned as it
     * is, so the common case costs one map read.
     */
    public CompletableFuture<Long> resident(String customerId) {
        CompletableFuture<Long> known = resident.get(customerId);
        if (known != null && !known.isCompletedExceptionally()) {
            return known;
        }
        CompletableFuture<Long> taking = new CompletableFuture<>();
        CompletableFuture<Long> raced = resident.putIfAbsent(customerId, taking);
        if (raced != null && !raced.isCompletedExceptionally()) {
            return raced;
        }
        if (raced != null) {
            resident.replace(customerId, raced, taking);
        }
        takers.execute(() -> take(customerId, taking));
        return taking;
    }

    private void take(String customerId, CompletableFuture<Long> taking) {
        // one take of a customer at a time, and only the one the map still names: two adopts of one customer would
        // each load it while the other's commands were in flight
        synchronized (takeLocks.computeIfAbsent(customerId, k -> new Object())) {
            try {
                if (resident.get(customerId) != taking) {
                    throw new NotOwnerException(customerId);
                }
                CompletableFuture<Void> left = leaving.get(customerId);
                if (left != null) {
                    left.get(TAKE_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                }
                long deadline = System.nanoTime() + TAKE_PATIENCE.toNanos();
                OptionalLong epoch = ownership.acquire(customerId);
                while (epoch.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(50); // the previous owner gives it up at its next tick
                    epoch = ownership.acquire(customerId);
                }
                if (epoch.isEmpty()) {
                    throw new NotOwnerException(customerId);
                }
                // whatever memory still holds of it is drained before it is loaded again
                engine.drop(customerId).get(TAKE_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                int catalogBefore = engine.catalog().version();
                engine.adopt(customerId);
                if (resident.get(customerId) != taking) { // forgotten meanwhile (fenced, lapsed): not served
                    engine.drop(customerId);
                    throw new NotOwnerException(customerId);
                }
                movedIn.incrementAndGet();
                LOG.info("event=customer_taken customer={} epoch={}", customerId, epoch.getAsLong());
                taking.complete(epoch.getAsLong());
                feed.taken(customerId); // once held: its new owner sends its state as loaded
                if (engine.catalog().version() != catalogBefore) {
                    feed.catalogFollowed();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                resident.remove(customerId, taking);
                taking.completeExceptionally(e);
            } catch (RuntimeException
                    | java.util.concurrent.ExecutionException
                    | java.util.concurrent.TimeoutException e) {
                resident.remove(customerId, taking);
                taking.completeExceptionally(e);
            }
        }
    }

    /** Forgets a customer here; a later take waits until its enqueued commits are done. */
    private CompletableFuture<Void> leave(String customerId) {
        CompletableFuture<Void> left = engine.drop(customerId);
        leaving.put(customerId, left);
        left.whenComplete((v, e) -> leaving.remove(customerId, left));
        return left;
    }

    /**
     * The store fenced commits for these customers: another node owns them now. They are forgotten here at once.
     *
     * @param customers the customers this node lost
     */
    public void lost(Set<String> customers) {
        for (String c : customers) {
            CompletableFuture<Long> held = resident.get(c);
            Long heldEpoch = ownership.held().get(c);
            if (held != null
                    && held.isDone()
                    && !held.isCompletedExceptionally()
                    && heldEpoch != null
                    && heldEpoch.equals(held.join())) {
                continue; // a late refusal of commands of an earlier epoch: this node took the customer again since
            }
            fenced.incrementAndGet();
            resident.remove(c);
            leave(c);
            LOG.warn("event=customer_fenced customer={}", c);
        }
    }

    private void tick() {
        try {
            long sent = System.nanoTime();
            List<Ownership.Member> seen;
            heartbeatSinceNanos = sent;
            try {
                seen = ownership.heartbeat();
            } catch (StoreException e) {
                lastHeartbeatFailed = true;
                LOG.warn("event=heartbeat_failed error=\"{}\"", e.getMessage());
                return;
            } finally {
                heartbeatSinceNanos = 0;
            }
            lastHeartbeatFailed = false;
            if (sent - lastHeartbeatNanos > lease.toNanos()) {
                LOG.warn(
                        "event=lease_lapsed since_ms={} customers={}",
                        (sent - lastHeartbeatNanos) / 1_000_000,
                        resident.size());
                forgetAll();
            }
            lastHeartbeatNanos = sent;
            boolean changed = see(seen);
            giveUpMisplaced();
            if (changed || ++ticks % 20 == 0) {
                takePlaced();
            }
            if (ticks % 4 == 0 && !resident.containsKey(Ownership.GLOBAL)) {
                followCatalogAndWebhooks();
            }
        } catch (RuntimeException e) {
            LOG.warn("event=cluster_tick_failed error=\"{}\"", e.getMessage(), e);
        }
    }

    /** Takes in the members; answers whether the set of live nodes changed. */
    private boolean see(List<Ownership.Member> seen) {
        List<String> alive = new ArrayList<>();
        for (Ownership.Member m : seen) {
            if (m.alive() || m.nodeId().equals(nodeId())) {
                alive.add(m.nodeId());
            }
        }
        boolean changed = !alive.equals(live);
        members = List.copyOf(seen);
        live = List.copyOf(alive);
        if (changed) {
            LOG.info("event=members_changed live={}", alive);
        }
        return changed;
    }

    private void forgetAll() {
        for (String c : List.copyOf(resident.keySet())) {
            resident.remove(c);
            leave(c);
        }
    }

    /** Gives up, for their new owners, the customers placement now puts elsewhere. */
    private void giveUpMisplaced() {
        for (Map.Entry<String, CompletableFuture<Long>> e : List.copyOf(resident.entrySet())) {
            String c = e.getKey();
            CompletableFuture<Long> held = e.getValue();
            if (!held.isDone() || held.isCompletedExceptionally() || placedHere(c)) {
                continue;
            }
            long epoch = held.join();
            resident.remove(c, held);
            CompletableFuture<Void> released = engine.drop(c)
                    .thenRunAsync(
                            () -> {
                                try {
                                    ownership.release(c, epoch);
                                    movedOut.incrementAndGet();
                                    LOG.info("event=customer_released customer={} epoch={}", c, epoch);
                                } catch (StoreException ex) {
                                    LOG.warn("event=release_failed customer={} error=\"{}\"", c, ex.getMessage());
                                }
                            },
                            takers);
            leaving.put(c, released);
            released.whenComplete((v, ex) -> leaving.remove(c, released));
        }
    }

    /** Takes every stored customer placement gives this node (and the catalog's owner role), in the background. */
    private void takePlaced() {
        List<String> all = new ArrayList<>(ownership.customers());
        all.add(Ownership.GLOBAL);
        for (String c : all) {
            if (placedHere(c) && !resident.containsKey(c)) {
                resident(c);
            }
        }
    }

    private boolean placedHere(String customerId) {
        return Rendezvous.owner(customerId, live).map(nodeId()::equals).orElse(false);
    }

    /**
     * Reads now the catalog and the webhooks the node owning {@link Ownership#GLOBAL} wrote (it asks every node to,
     * before it answers a change of them). Blocks on the store.
     *
     * @throws StoreException if the store cannot be read
     */
    public void followGlobals() {
        if (!holds(Ownership.GLOBAL)) {
            followCatalogAndWebhooks();
        }
    }

    private void followCatalogAndWebhooks() {
        if (engine.followCatalog()) {
            feed.catalogFollowed();
        }
        engine.followWebhooks();
    }

    @Override
    public long epoch(String customerId) {
        CompletableFuture<Long> f = resident.get(customerId);
        return f != null && f.isDone() && !f.isCompletedExceptionally() ? f.join() : NOT_HELD;
    }

    @Override
    public Collection<String> held() {
        List<String> held = new ArrayList<>();
        resident.forEach((c, f) -> {
            if (!c.equals(Ownership.GLOBAL) && f.isDone() && !f.isCompletedExceptionally()) {
                held.add(c);
            }
        });
        return held;
    }

    /** The version of the catalog in force on this node. */
    public int catalogVersion() {
        return engine.catalog().version();
    }

    /** The members alive in this node's view (this node included while it serves). */
    public List<Ownership.Member> liveMembers() {
        List<Ownership.Member> alive = new ArrayList<>();
        for (Ownership.Member m : members) {
            if (live.contains(m.nodeId())) {
                alive.add(m);
            }
        }
        return alive;
    }

    /** How many customers this node holds now. */
    public int ownedCount() {
        return owned().size();
    }

    /** The customers this node serves now (taken and loaded), with the epoch of each, by id. */
    private Map<String, Long> owned() {
        Map<String, Long> owned = new java.util.TreeMap<>();
        resident.forEach((c, f) -> {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                owned.put(c, f.join());
            }
        });
        return owned;
    }

    /** What {@code GET /v1/cluster} answers. */
    public Map<String, Object> view() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("node", nodeId());
        body.put("url", url);
        body.put("leaseSeconds", lease.toSeconds());
        body.put("serving", serving());
        List<Object> list = new ArrayList<>();
        for (Ownership.Member m : members) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("nodeId", m.nodeId());
            v.put("url", m.url());
            v.put("alive", m.alive());
            v.put("heartbeatAgeMillis", m.heartbeatAgeMillis());
            v.put("owned", m.owned());
            list.add(v);
        }
        body.put("members", list);
        Map<String, Long> held = owned();
        body.put("owned", held.size());
        body.put("epochs", held);
        body.put("movedIn", movedIn.get());
        body.put("movedOut", movedOut.get());
        body.put("fenced", fenced.get());
        return body;
    }

    /** Customers moved in, moved out and lost to fencing since start, for metrics. */
    public long[] moves() {
        return new long[] {movedIn.get(), movedOut.get(), fenced.get()};
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        takers.shutdownNow();
        ownership.close();
    }

    /** Another live node keeps the customer. */
    public static final class NotOwnerException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotOwnerException(String customerId) {
            super("customer '" + customerId + "' is held by another server; retry");
        }
    }

    /** The member, or {@code null}, for a node id. */
    Ownership.@Nullable Member member(String nodeId) {
        for (Ownership.Member m : members) {
            if (m.nodeId().equals(nodeId)) {
                return m;
            }
        }
        return null;
    }
}
