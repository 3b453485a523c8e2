package dev.tollgate.client;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local consumes against leases: holds on the server, admitted against in this process, exact across any number of
 * processes.
 *
 * <p>Exactness: a lease is a quoted feature session ({@code POST /v1/sessions}, {@code "quote": true}) that holds
 * {@code amount} units against the feature's limit and every feature budget on the scope's path, and for a priced
 * feature their credits at the price it fixes ({@link LeasePrice}) against the balance and every currency budget on
 * the path, atomically on the server. What a session holds counts for every other request as {@code held}, so no other
 * process (or lease) can take it. This process admits against
 * the lease with one compare-and-set ({@link Lease#tryAdmit}), never beyond {@code amount}: it can never admit what the
 * server did not hold for it. Each admission is reported as an event with the lease's {@code sessionId} and the
 * consume's idempotency key; an event in a session turns held units into used ones. When the lease is retired it is
 * sealed (the admitted count becomes final) and its session closed with {@code used} = that count: the server records
 * whatever part of it the events did not bring ({@code used - consumed}) and releases the rest. Events and the close are
 * applied one at a time per customer, so every admitted unit is counted exactly once whichever events arrived: one
 * that arrives after the close is rejected ({@code SESSION_CLOSED}) and counted by the close instead. The server
 * prices both at the session's quote, the price each local answer gave. The server's usage and credits therefore end
 * equal to the sums of what this client told the application, and nothing beyond the limit, a budget or the balance.
 *
 * <p>Price changes: each entitlement read ({@link #entitlementsRead}: the change feed, or a read from the server)
 * retires the leases whose price is no longer the feature's, and a lease whose open crossed such a change is retired
 * as it is installed ({@link LeaseSlot#stale}); a feature that can no longer be leased goes back to the server.
 *
 * <p>Falling back: when no lease can be had (the server refuses one: the limit, a budget, the credits; or it is
 * unreachable) the consume is left to the caller, who asks the server ({@code POST /v1/consume}) and gets its exact
 * answer; for the {@code cooldown} after a refusal, and while the known room is 0, consumes go to the server without
 * trying a lease. A refused lease is asked again at half the size (at most the room the refusal reports), down to the
 * consume's own quantity, so a lease that fits is found.
 *
 * <p>Sizing: a lease is sized for {@code horizon} of consumption at the recent rate (smoothed every 100 ms), at least
 * {@code initialUnits}, at most {@code maxUnits}, and at most half the room the server last reported (a fair share:
 * near the limit leases shrink, so one process does not sit on what another needs). The next lease is opened ahead when
 * the current one falls to a quarter (low water), and waits as standby until the current one is spent.
 *
 * <p>Retiring: a lease is retired when spent, after {@code maxAge}, after {@code idle} without admissions, and on
 * close. Admissions stop at {@code maxAge} (counted from when the open was sent), at most half of the session's
 * {@code ttl}, so the events and the close reach the server well before it releases the hold by itself. A close that
 * cannot reach the server is spooled (or retried); an open whose answer was lost is sent again with its key and
 * closed unused.
 *
 * <p>Thread-safe.
 */
final class Leases implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Leases.class);
    private static final long SLOT_EXPIRY_NANOS = TimeUnit.MINUTES.toNanos(10);
    /** Refusals for lack of room: the feature's limit, a budget, the credits. */
    private static final Set<String> ROOM_REFUSALS =
            Set.of("LIMIT_EXCEEDED", "BUDGET_EXCEEDED", "INSUFFICIENT_CREDITS");

    private record Key(
            String customerId, String feature, @Nullable String scope) {}

    /** A lease open whose answer never came: the session may exist; its key finds it. */
    private record Orphan(Map<String, Object> body) {}

    /** A close that could not reach the server and could not be spooled. */
    private record Unsettled(String sessionId, long used) {}

    private final LeaseSettings settings;
    private final Http http;
    private final Reporter reporter;
    private final Duration timeout;
    private final ConcurrentHashMap<Key, LeaseSlot> slots = new ConcurrentHashMap<>();
    private final RecentKeys recent = new RecentKeys(100_000);
    private final ConcurrentLinkedQueue<Orphan> orphans = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Unsettled> unsettled = new ConcurrentLinkedQueue<>();
    private final ExecutorService closer;
    private volatile boolean closed;

    Leases(LeaseSettings settings, Http http, Reporter reporter, Duration timeout) {
        this.settings = settings;
        this.http = http;
        this.reporter = reporter;
        this.timeout = timeout;
        this.closer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tollgate-lease-closer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether a consume may be served by a lease: whole units, no session, no dimensions. */
    static boolean eligible(ConsumeRequest r) {
        return r.sessionId() == null
                && r.dimensions().isEmpty()
                && r.quantity().stripTrailingZeros().scale() <= 0
                && r.quantity().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0;
    }

    /**
     * Admits {@code r} against a lease, opening one if need be.
     *
     * @return the local answer ({@link Source#CACHE}), or {@code null} when the server must decide
     */
    @Nullable
    @SuppressWarnings("ReferenceEquality") // RecentKeys.SENT is a sentinel, known by identity
    Decision consume(ConsumeRequest r) {
        if (!settings.enabled() || closed || !eligible(r)) {
            return null;
        }
        LeaseSlot slot = slots.get(new Key(r.customerId(), r.feature(), r.scope()));
        if (slot == null) {
            return null;
        }
        String key = key(r);
        CompletableFuture<@Nullable Decision> mine = new CompletableFuture<>();
        CompletableFuture<@Nullable Decision> prior = recent.claim(key, mine);
        if (prior != null) {
            Decision first = prior.join();
            return first == RecentKeys.SENT ? null : first;
        }
        Decision d = null;
        try {
            d = admit(slot, r);
        } finally {
            recent.complete(key, mine, d);
        }
        return d;
    }

    /**
     * {@code r} is about to be sent to the server: a repeat of its key goes there too, never to a lease (the server
     * recorded it, or will, even if its answer is lost).
     */
    void sendingToServer(ConsumeRequest r) {
        if (settings.enabled() && eligible(r)) {
            recent.sent(key(r));
        }
    }

    private static String key(ConsumeRequest r) {
        return r.customerId() + '\n' + r.idempotencyKey();
    }

    private @Nullable Decision admit(LeaseSlot slot, ConsumeRequest r) {
        long units = r.quantity().longValueExact();
        if (units > settings.maxUnits()) {
            return null;
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            long now = System.nanoTime();
            slot.lastUseNanos = now;
            Lease l = slot.current;
            if (l != null) {
                l.eventQueued();
                if (l.tryAdmit(units, now)) {
                    reporter.leaseEvent(
                            new UsageEvent(
                                    r.idempotencyKey(),
                                    r.customerId(),
                                    r.feature(),
                                    r.quantity(),
                                    r.scope(),
                                    l.sessionId,
                                    Map.of(),
                                    null),
                            l);
                    slot.localSince.addAndGet(units);
                    slot.admittedTotal.addAndGet(units);
                    if (l.remaining() * 4 <= l.amount) {
                        prefetch(slot);
                    }
                    return slot.admitted(units, l.price);
                }
                l.eventDone();
            }
            if (now - slot.remoteUntilNanos < 0 || slot.room == 0 || !advance(slot, l, units)) {
                if (now - slot.remoteUntilNanos >= 0) {
                    slot.remoteUntilNanos =
                            System.nanoTime() + settings.cooldown().toNanos();
                }
                return null;
            }
        }
        return null;
    }

    /** Replaces the spent lease {@code dry}: promotes the standby, or opens one and waits for it. */
    private boolean advance(LeaseSlot slot, @Nullable Lease dry, long units) {
        CompletableFuture<@Nullable Lease> opening;
        synchronized (slot) {
            Lease cur = slot.current;
            if (cur != null && cur != dry) {
                return true;
            }
            if (slot.standby != null) {
                promote(slot);
                return true;
            }
            if (slot.opening == null) {
                startOpening(slot, units);
            }
            opening = slot.opening;
        }
        if (opening == null) {
            return false;
        }
        try {
            return opening.get(timeout.toMillis() * 4, TimeUnit.MILLISECONDS) != null;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void prefetch(LeaseSlot slot) {
        if (slot.opening != null || slot.standby != null || closed) {
            return;
        }
        synchronized (slot) {
            if (slot.opening == null && slot.standby == null && slot.room != 0) {
                startOpening(slot, 1);
            }
        }
    }

    /** Under the slot's monitor. */
    private void startOpening(LeaseSlot slot, long units) {
        CompletableFuture<@Nullable Lease> f = open(slot, size(slot, units), units);
        slot.opening = f;
        f.whenComplete((lease, failure) -> install(slot, f, failure == null ? lease : null));
    }

    private long size(LeaseSlot slot, long units) {
        double rate = slot.rate;
        long s = settings.initialUnits();
        if (rate > 0) {
            double seconds = settings.horizon().toNanos() / 1e9;
            s = Math.max(s, (long) Math.ceil(Math.min(rate * seconds, (double) settings.maxUnits())));
        }
        long room = slot.room;
        if (room > 0) {
            s = Math.min(s, Math.max(1, room / 2));
        }
        return Math.min(settings.maxUnits(), Math.max(s, units));
    }

    private CompletableFuture<@Nullable Lease> open(LeaseSlot slot, long size, long units) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customerId", slot.customerId);
        if (slot.scope != null) {
            body.put("scope", slot.scope);
        }
        body.put("feature", slot.feature);
        body.put("amount", size);
        body.put("ttlSeconds", settings.ttl().toSeconds());
        body.put("quote", true);
        body.put("idempotencyKey", "tg-lease-" + UUID.randomUUID());
        long sent = System.nanoTime();
        return http.sendAsync("POST", "/v1/sessions", body)
                .handle((reply, failure) -> {
                    if (failure != null) {
                        if (!(Http.rethrow(failure) instanceof Http.NotSent)) {
                            orphans.add(new Orphan(body));
                        }
                        return CompletableFuture.<@Nullable Lease>completedFuture(null);
                    }
                    if (!reply.ok()) {
                        TollgateClientException error = reply.error();
                        LOG.warn(
                                "event=lease_refused customer={} feature={} error=\"{}\"",
                                slot.customerId,
                                slot.feature,
                                error.getMessage());
                        if ("PRICE_NOT_FLAT".equals(error.code())) {
                            // the price is no longer one a lease can fix: the server decides from now on
                            slots.remove(new Key(slot.customerId, slot.feature, slot.scope), slot);
                        }
                        return CompletableFuture.<@Nullable Lease>completedFuture(null);
                    }
                    if (reply.body().path("opened").asBoolean(false)) {
                        String sessionId = reply.body().path("sessionId").asString();
                        LeasePrice price = Wire.quote(reply.body());
                        if (price == null) {
                            LOG.warn("event=lease_not_quoted session={}", sessionId);
                            closer.execute(() -> closeSession(sessionId, 0));
                            return CompletableFuture.<@Nullable Lease>completedFuture(null);
                        }
                        long room = slot.room;
                        if (room > 0) {
                            slot.room = Math.max(0, room - size);
                        }
                        return CompletableFuture.<@Nullable Lease>completedFuture(new Lease(
                                sessionId, size, sent, sent + settings.maxAge().toNanos(), price));
                    }
                    slot.figures(Wire.decision(reply.body(), Source.SERVER));
                    long next = size / 2;
                    if (slot.room >= 0) {
                        next = Math.min(next, slot.room);
                    }
                    return next >= units && !closed
                            ? open(slot, next, units)
                            : CompletableFuture.<@Nullable Lease>completedFuture(null);
                })
                .thenCompose(f -> f);
    }

    private void install(LeaseSlot slot, CompletableFuture<@Nullable Lease> f, @Nullable Lease lease) {
        synchronized (slot) {
            if (slot.opening == f) {
                slot.opening = null;
            }
            if (lease == null) {
                return;
            }
            Lease cur = slot.current;
            if (closed || slot.stale(lease)) {
                retire(lease);
            } else if (cur == null || cur.spent(System.nanoTime())) {
                slot.current = lease;
                if (cur != null) {
                    retire(cur);
                }
            } else if (slot.standby == null) {
                slot.standby = lease;
            } else {
                retire(lease);
            }
        }
    }

    /** Under the slot's monitor. */
    private void promote(LeaseSlot slot) {
        Lease cur = slot.current;
        slot.current = slot.standby;
        slot.standby = null;
        if (cur != null) {
            retire(cur);
        }
    }

    /** Seals {@code lease} and closes its session with what it admitted, on the closer thread. */
    private void retire(Lease lease) {
        lease.seal();
        try {
            closer.execute(() -> settle(lease));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            settle(lease);
        }
    }

    private void settle(Lease lease) {
        long used = lease.seal();
        reporter.flushAsync();
        try {
            lease.drained().get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("event=lease_events_pending session={}", lease.sessionId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeSession(lease.sessionId, used);
    }

    private void closeSession(String sessionId, long used) {
        try {
            Http.Reply reply =
                    http.send("POST", "/v1/sessions/" + sessionId + "/close", Map.of("used", BigDecimal.valueOf(used)));
            if (!reply.ok()) {
                LOG.warn(
                        "event=lease_close_refused session={} used={} error=\"{}\"",
                        sessionId,
                        used,
                        reply.error().getMessage());
            }
        } catch (TollgateUnavailableException e) {
            if (!reporter.spoolClose(sessionId, BigDecimal.valueOf(used))) {
                unsettled.add(new Unsettled(sessionId, used));
            }
        }
    }

    /**
     * After a consume the server decided: keeps its figures, and starts serving the customer's feature from leases
     * when it can be (a hard-limited or unlimited metered feature, without a price or with one that is the same for
     * every unit: {@link Entitlement#leasable()}).
     *
     * @param entitlement the feature's cached entitlement ({@code null} if not known), asked only for a customer and
     *     feature not served yet
     */
    void learn(ConsumeRequest r, Decision d, Supplier<@Nullable Entitlement> entitlement) {
        if (!settings.enabled() || closed || !eligible(r)) {
            return;
        }
        Key k = new Key(r.customerId(), r.feature(), r.scope());
        LeaseSlot slot = slots.get(k);
        if (slot == null) {
            boolean roomRefusal = d.allowed() || ROOM_REFUSALS.contains(d.reason());
            if (!roomRefusal) {
                return;
            }
            Entitlement e = entitlement.get();
            if (e == null || !e.leasable() || (e.price() == null) != (d.currency() == null)) {
                // not leasable, or the cached entitlement does not know (yet) whether the feature is priced
                return;
            }
            slot = slots.computeIfAbsent(
                    k,
                    x -> new LeaseSlot(
                            r.customerId(),
                            r.feature(),
                            r.scope(),
                            LeaseSlot.Figures.of(d),
                            e.price(),
                            System.nanoTime()));
        }
        slot.figures(d);
    }

    /**
     * A customer's entitlements as just read (the change feed, or a read from the server): leases whose price is no
     * longer the feature's are retired at once (they admit nothing more; what they admitted is charged at their
     * price), and a feature no lease can serve any longer (no longer entitled, soft, priced by tiers or dimension) is
     * left to the server.
     */
    void entitlementsRead(String customerId, Map<String, Entitlement> features) {
        if (slots.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Map.Entry<Key, LeaseSlot> en : slots.entrySet()) {
            if (!en.getKey().customerId().equals(customerId)) {
                continue;
            }
            LeaseSlot slot = en.getValue();
            Entitlement e = features.get(slot.feature);
            synchronized (slot) {
                if (e == null || !e.leasable()) {
                    slots.remove(en.getKey(), slot);
                    retireAll(slot);
                    continue;
                }
                slot.priceRead(e.price(), now);
                Lease cur = slot.current;
                if (cur != null && !cur.price.current(e.price())) {
                    slot.current = null;
                    retire(cur);
                }
                Lease standby = slot.standby;
                if (standby != null && !standby.price.current(e.price())) {
                    slot.standby = null;
                    retire(standby);
                }
            }
        }
    }

    /** Under the slot's monitor: retires its current and standby leases. */
    private void retireAll(LeaseSlot slot) {
        for (Lease l : new Lease[] {slot.current, slot.standby}) {
            if (l != null) {
                retire(l);
            }
        }
        slot.current = null;
        slot.standby = null;
    }

    /** Every 100 ms: rates, retiring idle, spent and old leases, and retrying lost opens and closes. */
    void maintain() {
        long now = System.nanoTime();
        for (Map.Entry<Key, LeaseSlot> e : slots.entrySet()) {
            LeaseSlot slot = e.getValue();
            measure(slot, now);
            synchronized (slot) {
                Lease cur = slot.current;
                if (cur != null
                        && (cur.spent(now)
                                || now - cur.lastAdmitNanos() >= settings.idle().toNanos())) {
                    slot.current = null;
                    retire(cur);
                    Lease standby = slot.standby;
                    if (standby != null
                            && !cur.spent(now)
                            && now - standby.openedNanos >= settings.idle().toNanos()) {
                        slot.standby = null;
                        retire(standby);
                    } else if (standby != null) {
                        slot.current = standby;
                        slot.standby = null;
                    }
                }
                if (slot.current == null
                        && slot.standby == null
                        && slot.opening == null
                        && now - slot.lastUseNanos > SLOT_EXPIRY_NANOS) {
                    slots.remove(e.getKey(), slot);
                }
            }
        }
        retryLost();
    }

    private static void measure(LeaseSlot slot, long now) {
        long elapsed = now - slot.rateNanos;
        if (elapsed < TimeUnit.MILLISECONDS.toNanos(100)) {
            return;
        }
        long total = slot.admittedTotal.get();
        double r = (total - slot.rateTotal) / (elapsed / 1e9);
        slot.rate = slot.rate < 0 ? r : 0.5 * slot.rate + 0.5 * r;
        slot.rateTotal = total;
        slot.rateNanos = now;
    }

    private void retryLost() {
        for (int i = orphans.size(); i > 0; i--) {
            Orphan o = orphans.poll();
            if (o == null) {
                break;
            }
            try {
                Http.Reply reply = http.send("POST", "/v1/sessions", o.body());
                if (reply.ok() && reply.body().path("opened").asBoolean(false)) {
                    closeSession(reply.body().path("sessionId").asString(), 0);
                }
            } catch (TollgateUnavailableException e) {
                orphans.add(o);
                return;
            }
        }
        for (int i = unsettled.size(); i > 0; i--) {
            Unsettled u = unsettled.poll();
            if (u == null) {
                break;
            }
            closeSession(u.sessionId(), u.used());
        }
    }

    /** Retires every lease and waits (a few timeouts at most) for their closes. */
    @Override
    public void close() {
        closed = true;
        for (LeaseSlot slot : slots.values()) {
            CompletableFuture<@Nullable Lease> opening;
            synchronized (slot) {
                opening = slot.opening;
                retireAll(slot);
            }
            if (opening != null) {
                try {
                    opening.get(timeout.toMillis() * 4, TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    LOG.debug("event=lease_open_pending_at_close customer={}", slot.customerId);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        closer.shutdown();
        try {
            if (!closer.awaitTermination(timeout.toMillis() * 8, TimeUnit.MILLISECONDS)) {
                LOG.warn("event=lease_closes_pending_at_close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        retryLost();
        for (Unsettled u : unsettled) {
            LOG.warn("event=lease_not_closed session={} used={}", u.sessionId(), u.used());
        }
    }
}
