package dev.tollgate.client;

import java.math.BigDecimal;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SDK: composes the remote calls ({@link Http}), the reporter and spool ({@link Reporter}, {@link Spool}), the
 * leases ({@link Leases}), the entitlement cache ({@link EntitlementCache}, with the {@link ChangeFeed} and the shared
 * {@link RedisCache}) and the local answers ({@link LocalAnswers}).
 *
 * <p>Order of the sources of an answer: a check of a boolean or config feature without scope or session is answered
 * from the cache; every other check by the server. A consume is admitted against a lease if one can serve it, else by
 * the server. When the server cannot be reached: a check from the cache (any age), else the fallback; a consume from a
 * lease with room, else the fallback, whose admissions are reported as usage.
 *
 * <p>Thread-safe. Threads: the reporter's, the change feed's, one for maintenance (leases every 100 ms), one that
 * closes leases, and the HTTP client's.
 */
final class DefaultTollgate implements Tollgate {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultTollgate.class);
    private static final Set<String> ENTITLEMENT_REFUSALS =
            Set.of("NOT_ENTITLED", "NO_SUBSCRIPTION", "FEATURE_NOT_FOUND");

    /** How often the live servers of a cluster are read ({@link Routes}). */
    private static final long MEMBERS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** How soon a server that is no cluster (or did not answer) is asked again. */
    private static final long NOT_A_CLUSTER_NANOS = TimeUnit.MINUTES.toNanos(5);

    private final ClientSettings settings;
    private final LocalAnswers local;
    private final Http http;
    private final @Nullable Spool spool;
    private final Reporter reporter;
    private final Leases leases;
    private final @Nullable SharedCache shared;
    private final EntitlementCache cache;
    private final @Nullable ChangeFeed feed;
    private final ScheduledExecutorService maintenance;
    private volatile boolean closed;
    /** When the cluster's members are next read ({@link System#nanoTime}). */
    private volatile long nextMembersNanos = System.nanoTime();

    DefaultTollgate(ClientSettings settings) {
        this.settings = settings;
        this.local = new LocalAnswers(settings.fallback());
        this.http = new Http(
                settings.baseUrl(),
                settings.apiKey(),
                settings.timeout(),
                this::serverAnswered,
                settings.routeToOwner());
        this.spool = settings.spoolDirectory() == null
                ? null
                : Spool.open(settings.spoolDirectory(), settings.spoolMaxBytes());
        this.reporter = new Reporter(
                http, spool, settings.reportBatchSize(), settings.reportLinger(), settings.maxQueuedLeaseEvents());
        this.leases = new Leases(settings.leases(), http, reporter, settings.timeout());
        this.shared = settings.redisUrl() == null ? null : new RedisCache(settings.redisUrl(), settings.timeout());
        ChangeFeed[] feedRef = new ChangeFeed[1];
        this.cache = new EntitlementCache(
                http,
                settings.cacheTtl(),
                shared,
                InstantSource.system(),
                () -> {
                    if (feedRef[0] != null) {
                        feedRef[0].customersChanged();
                    }
                },
                e -> leases.entitlementsRead(e.customerId, e.features));
        this.feed = settings.changeFeed() ? new ChangeFeed(http, cache) : null;
        feedRef[0] = feed;
        if (feed != null) {
            feed.start();
        }
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tollgate-maintenance");
            t.setDaemon(true);
            return t;
        });
        maintenance.scheduleWithFixedDelay(this::maintain, 100, 100, TimeUnit.MILLISECONDS);
    }

    private void serverAnswered() {
        local.serverAnswered();
    }

    private void maintain() {
        try {
            leases.maintain();
            if (feed != null) {
                feed.checkAlive();
            }
            long now = System.nanoTime();
            if (now - nextMembersNanos >= 0) {
                nextMembersNanos = now + MEMBERS_EVERY_NANOS; // until the read below says what it found
                http.readMembers().thenAccept(cluster -> {
                    if (!cluster) {
                        nextMembersNanos = System.nanoTime() + NOT_A_CLUSTER_NANOS;
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.error("event=lease_maintenance_failed", e);
        }
    }

    /** As the interface's, without building a {@link CheckRequest} when the cache answers (nothing is allocated). */
    @Override
    public Decision check(String customerId, String feature) {
        Args.id(customerId, "customerId");
        Args.id(feature, "feature");
        ensureOpen();
        Decision d = fromCache(customerId, feature, null);
        return d != null ? d : check(CheckRequest.of(customerId, feature));
    }

    @Override
    public Decision check(CheckRequest r) {
        ensureOpen();
        if (r.scope() == null && r.sessionId() == null) {
            Decision d = fromCache(r.customerId(), r.feature(), r.quantity());
            if (d != null) {
                return d;
            }
        }
        try {
            Http.Reply reply = http.send("POST", "/v1/check", Wire.check(r));
            Decision d = decision(reply);
            if (!d.allowed()
                    && ENTITLEMENT_REFUSALS.contains(d.reason())
                    && r.scope() == null
                    && r.sessionId() == null) {
                EntitlementCache.Entry e = cache.any(r.customerId());
                if (e != null && !e.features.containsKey(r.feature())) {
                    e.refusals.put(r.feature(), d.withSource(Source.CACHE));
                }
            }
            return d;
        } catch (TollgateUnavailableException down) {
            EntitlementCache.Entry e = cache.any(r.customerId());
            Entitlement ent = e == null ? null : e.features.get(r.feature());
            Decision stale = ent == null ? null : LocalAnswers.fromEntitlement(ent, r.quantity(), true);
            if (stale != null) {
                return stale;
            }
            Decision refused = e == null ? null : e.refusals.get(r.feature());
            return refused != null ? refused : local.fallbackCheck(r);
        }
    }

    /**
     * A boolean or config check without scope or session from the cache (read on first use), or {@code null} when the
     * server must answer. A boolean answer, and a refusal kept for an unlisted feature, allocate nothing.
     */
    private @Nullable Decision fromCache(String customerId, String feature, @Nullable BigDecimal quantity) {
        EntitlementCache.Entry e;
        try {
            e = cache.get(customerId);
        } catch (TollgateClientException ex) {
            return null;
        }
        Entitlement ent = e.features.get(feature);
        if (ent != null) {
            return LocalAnswers.fromEntitlement(ent, quantity, false);
        }
        return e.refusals.get(feature);
    }

    @Override
    public Decision consume(ConsumeRequest r) {
        ensureOpen();
        Decision leased = leases.consume(r);
        if (leased != null) {
            return leased;
        }
        leases.sendingToServer(r);
        try {
            Http.Reply reply = http.send("POST", "/v1/consume", Wire.consume(r));
            Decision d = decision(reply);
            if (settings.leases().enabled() && Leases.eligible(r)) {
                leases.learn(r, d, () -> entitlement(r.customerId(), r.feature()));
            }
            return d;
        } catch (TollgateUnavailableException down) {
            Decision d = local.fallbackConsume(r);
            if (d.allowed()) {
                reporter.report(new UsageEvent(
                                r.idempotencyKey(),
                                r.customerId(),
                                r.feature(),
                                r.quantity(),
                                r.scope(),
                                r.sessionId(),
                                r.dimensions(),
                                null))
                        .whenComplete((o, failure) -> {
                            if (failure != null) {
                                LOG.warn(
                                        "event=fallback_usage_lost key={} error=\"{}\"",
                                        r.idempotencyKey(),
                                        failure.toString());
                            }
                        });
            }
            return d;
        }
    }

    private @Nullable Entitlement entitlement(String customerId, String feature) {
        try {
            return cache.get(customerId).features.get(feature);
        } catch (TollgateClientException e) {
            return null;
        }
    }

    private static Decision decision(Http.Reply reply) {
        if (reply.ok() || (reply.status() == 404 && reply.body().has("allowed"))) {
            return Wire.decision(reply.body(), Source.SERVER);
        }
        throw reply.error();
    }

    @Override
    public CompletableFuture<EventOutcome> report(UsageEvent event) {
        ensureOpen();
        return reporter.report(event);
    }

    @Override
    public Session openSession(SessionRequest request) {
        ensureOpen();
        Http.Reply reply = http.send("POST", "/v1/sessions", Wire.session(request));
        if (!reply.ok()) {
            throw reply.error();
        }
        return Wire.session(reply.body(), request.customerId());
    }

    @Override
    public Session closeSession(String sessionId, @Nullable BigDecimal used) {
        ensureOpen();
        Args.id(sessionId, "sessionId");
        Http.Reply reply = http.send(
                "POST", "/v1/sessions/" + sessionId + "/close", used == null ? Map.of() : Map.of("used", used));
        if (!reply.ok()) {
            throw reply.error();
        }
        return Wire.session(reply.body(), sessionId.substring(0, Math.max(0, sessionId.lastIndexOf('@'))));
    }

    @Override
    public List<Entitlement> entitlements(String customerId) {
        ensureOpen();
        Args.id(customerId, "customerId");
        EntitlementCache.Entry e;
        try {
            e = cache.get(customerId);
        } catch (TollgateUnavailableException down) {
            e = cache.any(customerId);
            if (e == null) {
                throw down;
            }
        }
        return List.copyOf(new ArrayList<>(e.features.values()));
    }

    @Override
    public void flush() {
        ensureOpen();
        await(reporter.flushAsync());
        http.probe();
        reporter.drainSpool();
    }

    private void await(CompletableFuture<Void> f) {
        try {
            f.get(settings.timeout().toMillis() * 4 + settings.reportLinger().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("event=flush_incomplete error=\"{}\"", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new TollgateClientException("CLOSED", 0, null, "this Tollgate client is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        maintenance.shutdownNow();
        leases.close();
        reporter.close();
        if (feed != null) {
            feed.close();
        }
        if (shared != null) {
            shared.close();
        }
        if (spool != null) {
            spool.close();
        }
    }
}
