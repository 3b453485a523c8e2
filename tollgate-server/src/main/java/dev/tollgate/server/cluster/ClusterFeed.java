package dev.tollgate.server.cluster;

import dev.tollgate.core.json.Json;
import dev.tollgate.core.store.Ownership;
import dev.tollgate.server.feed.FeedStream;
import dev.tollgate.server.feed.Interest;
import dev.tollgate.server.http.EventSink;
import dev.tollgate.server.http.StreamHandler;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change feed of a whole cluster for one subscriber, served by whichever node it connected to: that node reads the
 * feed of every live node (each speaks for the customers it holds, {@link FeedUpstream}) and merges them into one
 * stream of Server-Sent Events, in the form a server alone writes.
 *
 * <p>Why the node merges, rather than the client following every owner: a client then needs one address (a load
 * balancer's), any language's SSE client works unchanged, the owners' addresses need not be reachable from clients,
 * and moves stay inside the cluster; the cost is one hop and one upstream connection per live node and subscriber
 * ({@code docs/operating/cluster.md}, "The change feed across the cluster").
 *
 * <p>Cursor: each event's {@code id} (and {@code cursor}) is a {@link FeedCursor}, every node's cursor up to which this
 * subscriber was sent everything. Each node's events are written in that node's cursor order, so a subscriber that
 * reconnects (to any node) with its last cursor resumes each node's feed where it stood and misses nothing; a node not
 * in the cursor (one that joined, or a new process of a node, whose cursors are not those of the old one) starts with
 * a snapshot of what it holds.
 *
 * <p>Moves: the node that takes a customer over sends its state as loaded, at the fencing epoch it took it at; the node
 * that gave it up no longer speaks for it. Each event says its customer's {@code epoch}, its {@code owner} and the
 * owner's own cursor ({@code ownerCursor}): the customer's version, which only grows from one owner to the next. An
 * event whose version is not above the last one this stream sent for its customer (a late event of a previous owner,
 * or one sent again after an upstream reconnected) is not written: per customer, states go out in commit order and never
 * an older after a newer one; a state may go out again at a higher version (across a move, the new owner's first event
 * repeats the state the previous owner last sent; an owner renders its state again after a batch that changed nothing).
 *
 * <p>Back-pressure and failures: events are written only as fast as the subscriber reads; while too many wait, the
 * upstreams stop being read (and their owners coalesce). A subscriber that has not caught up for {@code cutOff} while
 * events wait is disconnected, as by a server alone. An upstream that ends or is silent longer than {@code silence} is
 * connected again after {@code retry}, from its cursor; one of a node no longer live is closed (its customers come from
 * their new owners), and its position leaves the cursor.
 *
 * <p>Thread-safety: the state is confined to the sink's thread; upstream events arrive on the HTTP client's threads
 * through a queue.
 */
final class ClusterFeed implements StreamHandler, FeedUpstream.Receiver {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterFeed.class);

    /** Events waiting to be written beyond which the upstreams stop being read, and the count below which they go on. */
    static final int HIGH = 256;

    static final int LOW = 64;

    /**
     * Timings.
     *
     * @param keepAlive how often a comment line is written to an idle subscriber
     * @param cutOff how long a subscriber may stay behind while events wait
     * @param retry how long after an upstream ended it is connected again
     * @param silence how long an upstream may send nothing (not even a keep-alive) before it is taken for dead
     * @param headTimeout how long an upstream's answer may take to start
     */
    record Settings(Duration keepAlive, Duration cutOff, Duration retry, Duration silence, Duration headTimeout) {
        static final Settings DEFAULT = new Settings(
                Duration.ofSeconds(15),
                Duration.ofSeconds(30),
                Duration.ofSeconds(1),
                Duration.ofSeconds(45),
                Duration.ofSeconds(5));
    }

    /** A customer's version: the epoch its owner holds it at, then that owner's cursor. */
    record Version(long epoch, long cursor) {
        boolean after(Version o) {
            return epoch > o.epoch || (epoch == o.epoch && cursor > o.cursor);
        }
    }

    private record Arrived(FeedUpstream from, long cursor, String data) {}

    private final ClusterNode node;
    private final HttpClient client;
    private final String query;
    private final String authorization;
    private final NodeMark mark;
    private final BooleanSupplier inForce;
    private final Settings settings;
    private final ConcurrentLinkedQueue<Arrived> arrived = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Map<String, FeedUpstream> upstreams = new HashMap<>();
    private final Map<String, String> upstreamUrls = new HashMap<>();
    private final Map<String, Long> retryAtNanos = new HashMap<>();
    private final Map<String, Version> sent = new HashMap<>();
    private FeedCursor cursor;
    private volatile @Nullable EventSink sink;
    private long behindSince;
    private long lastWriteNanos = System.nanoTime();
    private boolean closed;

    /**
     * @param client the node's client for upstream feeds (shared)
     * @param interest the customers followed, or {@code null} for every customer
     * @param since where the subscriber stands
     * @param authorization the subscriber's {@code Authorization} header, sent upstream
     * @param mark this node's id and proof, sent upstream
     * @param inForce whether the subscriber's credential is still accepted, asked on the sink's thread before each
     *     write: once it is not, the stream is closed and nothing more sent
     */
    ClusterFeed(
            ClusterNode node,
            HttpClient client,
            @Nullable Interest interest,
            FeedCursor since,
            String authorization,
            NodeMark mark,
            BooleanSupplier inForce,
            Settings settings) {
        this.node = node;
        this.mark = mark;
        this.inForce = inForce;
        this.client = client;
        this.query = interest == null
                ? ""
                : "customers="
                        + URLEncoder.encode(
                                String.join(",", new TreeSet<>(interest.customers())), StandardCharsets.UTF_8);
        this.cursor = since;
        this.authorization = authorization;
        this.settings = settings;
    }

    @Override
    public void started(EventSink s) {
        this.sink = s;
        s.write(": tollgate change feed (cluster)\n\n");
        s.flush();
        reconcile();
        s.every(settings.retry(), this::tick);
    }

    @Override
    public void writable() {
        drain();
    }

    @Override
    public void closed() {
        closed = true;
        upstreams.values().forEach(FeedUpstream::close);
        upstreams.clear();
    }

    @Override
    public void event(FeedUpstream from, long at, String data) {
        arrived.add(new Arrived(from, at, data));
        waiting.incrementAndGet();
        wake();
    }

    @Override
    public boolean room() {
        return waiting.get() < HIGH;
    }

    @Override
    public void ended(FeedUpstream from, String why) {
        EventSink s = sink;
        if (s == null) {
            return;
        }
        s.execute(() -> {
            if (upstreams.get(from.nodeId()) == from) {
                upstreams.remove(from.nodeId());
                retryAtNanos.put(
                        from.nodeId(), System.nanoTime() + settings.retry().toNanos());
                LOG.debug("event=feed_upstream_ended node={} why=\"{}\"", from.nodeId(), why);
            }
        });
    }

    private void wake() {
        EventSink s = sink;
        if (s != null && drainScheduled.compareAndSet(false, true)) {
            s.execute(this::drain);
        }
    }

    /** Opens an upstream to every live node that has none (when due), closes those of nodes no longer live. */
    private void reconcile() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        Map<String, String> live = new HashMap<>();
        List<Ownership.Member> members = node.liveMembers();
        members.forEach(m -> live.put(m.nodeId(), m.url()));
        if (!live.isEmpty()) {
            cursor = cursor.retain(live.keySet());
        }
        for (Map.Entry<String, FeedUpstream> e : List.copyOf(upstreams.entrySet())) {
            String id = e.getKey();
            FeedUpstream u = e.getValue();
            boolean silent = now - u.lastLineNanos() > settings.silence().toNanos();
            String url = live.get(id);
            if (url == null || !url.equals(upstreamUrls.get(id)) || silent) {
                u.close();
                upstreams.remove(id);
                if (silent) {
                    LOG.info(
                            "event=feed_upstream_silent node={} seconds={}",
                            id,
                            settings.silence().toSeconds());
                }
            }
        }
        for (Map.Entry<String, String> m : live.entrySet()) {
            Long retryAt = retryAtNanos.get(m.getKey());
            if (!upstreams.containsKey(m.getKey()) && (retryAt == null || now - retryAt >= 0)) {
                open(m.getKey(), m.getValue());
            }
        }
    }

    private void open(String nodeId, String url) {
        FeedUpstream u = new FeedUpstream(nodeId, this);
        upstreams.put(nodeId, u);
        upstreamUrls.put(nodeId, url);
        retryAtNanos.remove(nodeId);
        Long at = cursor.of(nodeId);
        String q = at == null ? query : query + (query.isEmpty() ? "" : "&") + "since=" + at;
        u.open(client, url, q, authorization, mark, settings.headTimeout());
    }

    /** Whether the subscriber's credential was revoked (or expired): then the stream is closed, nothing more sent. */
    private boolean revoked(EventSink s) {
        return FeedStream.closedIfRevoked(s, inForce);
    }

    private void tick() {
        EventSink s = sink;
        if (s == null || closed || revoked(s)) {
            return;
        }
        long now = System.nanoTime();
        if (behindSince != 0 && now - behindSince > settings.cutOff().toNanos()) {
            LOG.info(
                    "event=feed_subscriber_cut_off queued={} hint=\"the client read too slowly; it resumes from its"
                            + " last cursor\"",
                    waiting.get());
            s.close();
            return;
        }
        reconcile();
        if (s.writable() && now - lastWriteNanos > settings.keepAlive().toNanos()) {
            s.write(": keep-alive\n\n");
            s.flush();
            lastWriteNanos = now;
        }
        drain();
    }

    private void drain() {
        drainScheduled.set(false);
        EventSink s = sink;
        if (s == null || closed || revoked(s)) {
            return;
        }
        boolean wrote = false;
        while (s.writable()) {
            Arrived a = arrived.poll();
            if (a == null) {
                break;
            }
            waiting.decrementAndGet();
            String event = merge(a);
            if (event != null) {
                s.write(event);
                wrote = true;
            }
        }
        if (wrote) {
            s.flush();
            lastWriteNanos = System.nanoTime();
        }
        if (waiting.get() < LOW) {
            upstreams.values().forEach(FeedUpstream::resume);
        }
        behindSince = s.writable() || arrived.isEmpty() ? 0 : behindSince == 0 ? System.nanoTime() : behindSince;
    }

    /**
     * The event to write for one upstream event, or {@code null} when its customer was already sent at this version
     * or a later one. Either way the subscriber's cursor now stands past it.
     */
    private @Nullable String merge(Arrived a) {
        Object tree;
        try {
            tree = Json.parse(a.data());
        } catch (RuntimeException e) {
            LOG.warn(
                    "event=feed_upstream_unreadable node={} error=\"{}\"",
                    a.from().nodeId(),
                    e.getMessage());
            return null;
        }
        if (!(tree instanceof Map<?, ?> state) || !(state.get("customerId") instanceof String customerId)) {
            return null;
        }
        cursor = cursor.with(a.from().nodeId(), a.cursor());
        long epoch = state.get("epoch") instanceof Number n ? n.longValue() : 0;
        Version version = new Version(epoch, a.cursor());
        Version prior = sent.get(customerId);
        if (prior != null && !version.after(prior)) {
            return null;
        }
        sent.put(customerId, version);
        String id = cursor.encode();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("customerId", customerId);
        data.put("cursor", id);
        data.put("owner", a.from().nodeId());
        data.put("epoch", epoch);
        data.put("ownerCursor", Long.toString(a.cursor()));
        state.forEach((k, v) -> {
            String key = String.valueOf(k);
            if (!data.containsKey(key)) {
                data.put(key, v);
            }
        });
        return "id: " + id + "\nevent: state\ndata: " + Json.write(data) + "\n\n";
    }
}
