package dev.tollgate.server;

import dev.tollgate.core.api.CatalogFileOutcome;
import dev.tollgate.core.api.CustomerView;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogException;
import dev.tollgate.core.catalog.CatalogInUseException;
import dev.tollgate.core.catalog.CatalogReader;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.store.Ownership;
import dev.tollgate.core.store.Store;
import dev.tollgate.server.api.HttpApi;
import dev.tollgate.server.auth.ApiKeys;
import dev.tollgate.server.auth.Gate;
import dev.tollgate.server.auth.Keyring;
import dev.tollgate.server.auth.NodeProof;
import dev.tollgate.server.billing.StripeExporter;
import dev.tollgate.server.cluster.ClusterMetrics;
import dev.tollgate.server.cluster.ClusterNode;
import dev.tollgate.server.cluster.ClusterRouter;
import dev.tollgate.server.cluster.FencedCommits;
import dev.tollgate.server.cluster.Forwarder;
import dev.tollgate.server.feed.ChangeFeed;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.HttpFront;
import dev.tollgate.server.http.RouteTable;
import dev.tollgate.server.http.Service;
import dev.tollgate.server.http.Trees;
import dev.tollgate.server.metrics.Metrics;
import dev.tollgate.server.webhook.WebhookAddresses;
import dev.tollgate.server.webhook.WebhookDeliverer;
import dev.tollgate.store.postgres.PostgresStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Tollgate: store, engine and HTTP server, started and stopped together.
 *
 * <p>Start-up: make sure the port is free, open the store (for SQLite, claiming the data directory), read or create the
 * API key and the stored credentials ({@code auth/Keyring}), replay the store into the engine, apply the start-up catalog if one is configured and it changed since it
 * was last applied ({@link Engine#publishCatalogFile}: a change made through the API since is kept), then listen. A
 * sweeper records due credit expiries and allotments every second. Shutdown: stop listening, commit what the journal
 * holds, close the store.
 *
 * <p>Thread-safe: {@link #close} may be called from any thread, once or more.
 */
public final class TollgateServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TollgateServer.class);
    /** Threads for the routes that may block (reads from the store, writes other than consume and events). */
    private static final int WORKERS = 16;

    private final Store store;
    private final @Nullable ClusterNode cluster;
    private final Engine engine;
    private final HttpFront http;
    private final ExecutorService workers;
    private final ScheduledExecutorService sweeper;
    private final WebhookDeliverer webhooks;
    private final Keyring keyring;
    private final RouteTable routes;
    private final @Nullable StripeExporter stripe;
    private volatile boolean closed;

    private TollgateServer(
            Store store,
            @Nullable ClusterNode cluster,
            Engine engine,
            HttpFront http,
            ExecutorService workers,
            WebhookAddresses webhookAddresses,
            Keyring keyring,
            RouteTable routes,
            @Nullable StripeExporter stripe) {
        this.store = store;
        this.stripe = stripe;
        this.cluster = cluster;
        this.engine = engine;
        this.http = http;
        this.workers = workers;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tollgate-sweeper");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        this.keyring = keyring;
        this.routes = routes;
        long reload = Keyring.RELOAD_EVERY.toMillis();
        if (cluster != null) {
            sweeper.scheduleWithFixedDelay(this::reloadCredentials, reload, reload, TimeUnit.MILLISECONDS);
        }
        sweeper.scheduleWithFixedDelay(this::forgetExpiredPortalSessions, 1, 60, TimeUnit.MINUTES);
        this.webhooks = new WebhookDeliverer(engine, webhookAddresses);
    }

    /**
     * Reads the credentials other servers of the cluster changed, should one of them not have reached this server
     * when it asked every server to, before it answered the change.
     */
    private void reloadCredentials() {
        try {
            keyring.reload();
        } catch (RuntimeException e) {
            LOG.warn("event=credentials_reload_failed error=\"{}\"", e.getMessage());
        }
    }

    /** Deletes the portal sessions expired long enough ago ({@link Keyring#forgetExpiredPortalSessions}). */
    private void forgetExpiredPortalSessions() {
        try {
            int deleted = keyring.forgetExpiredPortalSessions();
            if (deleted > 0) {
                LOG.info("event=portal_sessions_deleted count={}", deleted);
            }
        } catch (RuntimeException e) {
            LOG.warn("event=portal_sessions_delete_failed error=\"{}\"", e.getMessage());
        }
    }

    /** Records due expiries and allotments of customers that write nothing, so the ledger shows them soon. */
    private void sweep() {
        try {
            int written = engine.sweep();
            if (written > 0) {
                LOG.info("event=sweep records={}", written);
            }
        } catch (RuntimeException e) {
            LOG.warn("event=sweep_failed error=\"{}\"", e.getMessage());
        }
    }

    /**
     * Starts a server.
     *
     * @param config the settings
     * @param clock the engine's only source of time ({@link InstantSource#system()} in production)
     * @return the running server
     * @throws IllegalArgumentException if the start-up catalog is invalid (the message lists every error) or removes what
     *     customers still use (the message names it); nothing is applied then
     * @throws IllegalStateException if the port is in use or cannot be bound
     * @throws dev.tollgate.core.store.StoreException if the store cannot be opened (a PostgreSQL that cannot be reached
     *     is retried for {@code TOLLGATE_STORE_STARTUP_TIMEOUT_SECONDS}, 60 s by default), or its data directory is in
     *     use by another process
     */
    public static TollgateServer start(ServerConfig config, InstantSource clock) {
        HttpFront.ensureFree(config.port());
        Object catalogDocument = config.catalog() == null ? null : readCatalog(config.catalog());
        Store store = Stores.openWaiting(config, Stores.startupTimeout(System.getenv()));
        Metrics metrics = new Metrics();
        // cursors come from the wall clock, whatever the engine's clock: they must grow across restarts
        ChangeFeed feed = new ChangeFeed(InstantSource.system());
        ApiKeys keys;
        Keyring keyring;
        Engine engine;
        ClusterNode cluster = null;
        FencedCommits fenced = new FencedCommits();
        try {
            keys = ApiKeys.load(
                    config.apiKey(),
                    config.dataDir(),
                    key -> System.out.println("Tollgate created a secret API key (stored in "
                            + config.dataDir().resolve(ApiKeys.FILE_NAME) + "); it is printed only this once:\n  "
                            + key));
            keyring = new Keyring(keys, store.credentials(), clock);
            JournalObservers observers = new JournalObservers(List.of(metrics.journalListener(), feed, fenced));
            if ("postgres".equals(config.store())) {
                engine = Engine.startNode(store, clock, observers);
                try {
                    cluster = joinCluster(config, store, engine, feed);
                } catch (RuntimeException e) {
                    engine.close();
                    throw e;
                }
                fenced.attach(cluster);
            } else {
                engine = Engine.start(store, clock, observers);
            }
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        try {
            feed.seed(customerIds(engine));
            if (config.catalog() != null && (cluster == null || ownsCatalog(cluster))) {
                applyCatalog(engine, config.catalog(), catalogDocument);
            } else if (config.catalog() != null) {
                LOG.info(
                        "event=catalog_left_to_owner file={} reason=\"another server of the cluster owns the"
                                + " catalog and applies its own start-up file\"",
                        config.catalog());
            }
            ExecutorService workers = Executors.newFixedThreadPool(WORKERS, new NamedThreads("tollgate-http-worker"));
            HttpFront http;
            RouteTable routes;
            try {
                HttpApi api = new HttpApi(
                        engine,
                        keyring,
                        metrics,
                        workers,
                        config.webhookAddresses(),
                        feed,
                        config.publicUrl() != null ? config.publicUrl() : config.advertiseUrl());
                routes = api.routes();
                Service served = api;
                if (cluster != null) {
                    ClusterMetrics clusterMetrics = new ClusterMetrics(metrics);
                    clusterMetrics.watch(metrics, cluster);
                    NodeProof proofs = NodeProof.under(keys);
                    served = new ClusterRouter(
                            api,
                            cluster,
                            new Forwarder(
                                    cluster.nodeId(), proofs, Duration.ofSeconds(Math.max(10, config.leaseSeconds()))),
                            clusterMetrics,
                            new ClusterRouter.Follow(keys.authorization(), keyring::reload),
                            proofs,
                            keyring);
                }
                http = HttpFront.start(frontSettings(config), new Gate(served, keyring, config.cors(), api.routes()));
            } catch (RuntimeException e) {
                workers.shutdownNow();
                throw e;
            }
            LOG.info(
                    "event=started port={} store={} location={} catalogVersion={}",
                    http.port(),
                    config.store(),
                    config.storeLocation(),
                    engine.catalog().version());
            StripeExporter stripe = config.stripe().enabled()
                    ? StripeExporter.start(
                            engine, store, config.stripe(), cluster != null ? cluster.nodeId() : "single")
                    : null;
            return new TollgateServer(
                    store, cluster, engine, http, workers, config.webhookAddresses(), keyring, routes, stripe);
        } catch (RuntimeException e) {
            if (cluster != null) {
                cluster.close();
            }
            engine.close();
            store.close();
            throw e;
        }
    }

    /**
     * Joins the cluster of the servers on the same PostgreSQL: registers this node and takes what placement gives it.
     *
     * @throws dev.tollgate.core.store.StoreException if the store cannot be reached
     */
    private static ClusterNode joinCluster(ServerConfig config, Store store, Engine engine, ChangeFeed feed) {
        String host = hostName();
        String nodeId = config.nodeId() != null ? config.nodeId() : host + ":" + config.port();
        String url = config.advertiseUrl() != null ? config.advertiseUrl() : "http://" + host + ":" + config.port();
        Duration lease = Duration.ofSeconds(config.leaseSeconds());
        ClusterNode node =
                new ClusterNode(PostgresStores.ownership(store, nodeId, url, lease), engine, feed, url, lease);
        LOG.info("event=cluster_joined node={} url={} lease_s={}", nodeId, url, config.leaseSeconds());
        return node;
    }

    /** Whether this node owns the catalog, once it has taken what placement gives it (bounded wait). */
    private static boolean ownsCatalog(ClusterNode cluster) {
        if (!cluster.ownerOf(Ownership.GLOBAL)
                .map(m -> m.nodeId().equals(cluster.nodeId()))
                .orElse(false)) {
            return false;
        }
        try {
            cluster.resident(Ownership.GLOBAL).get(30, TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    /** What the HTTP front takes from the settings. */
    /** Every customer's id, page by page. */
    private static List<String> customerIds(Engine engine) {
        List<String> ids = new ArrayList<>();
        String after = null;
        while (true) {
            List<CustomerView> page = engine.customers(null, after, 1000);
            page.forEach(c -> ids.add(c.id()));
            if (page.size() < 1000) {
                return ids;
            }
            after = page.get(page.size() - 1).id();
        }
    }

    private static HttpFront.Settings frontSettings(ServerConfig config) {
        return new HttpFront.Settings(
                config.port(),
                config.ioThreads(),
                Math.toIntExact(config.maxBodyBytes()),
                config.idleTimeoutSeconds(),
                config.headerTimeoutSeconds(),
                config.bodyTimeoutSeconds(),
                config.maxConnections());
    }

    /**
     * Reads and validates the start-up catalog before anything else starts, so that an invalid file ends the process
     * before a store is opened or a key created.
     *
     * @throws IllegalArgumentException if the file cannot be parsed, or its catalog is invalid (one line, every error)
     */
    private static @Nullable Object readCatalog(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read catalog " + file, e);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        Object document;
        try {
            document = name.endsWith(".json") ? Trees.json(bytes) : Trees.yaml(bytes);
        } catch (ApiException e) {
            throw new IllegalArgumentException("catalog " + file + ": " + e.getMessage(), e);
        }
        try {
            CatalogReader.read(document);
        } catch (CatalogException e) {
            throw invalid(file, e);
        }
        return document;
    }

    private static IllegalArgumentException invalid(Path file, CatalogException e) {
        return new IllegalArgumentException(
                "catalog " + file + " is invalid, nothing was applied: "
                        + String.join(
                                "; ", e.errors().stream().map(String::valueOf).toList()),
                e);
    }

    private static void applyCatalog(Engine engine, Path file, @Nullable Object document) {
        try {
            CatalogFileOutcome outcome = engine.publishCatalogFile(
                            document, file.getFileName().toString())
                    .get(30, TimeUnit.SECONDS);
            Catalog catalog = outcome.current();
            if (outcome.applied()) {
                LOG.info(
                        "event=catalog_applied file={} version={} summary=\"{}\" reason=\"{}\"",
                        file,
                        catalog.version(),
                        catalog.summary(),
                        outcome.reason());
            } else {
                LOG.info(
                        "event=catalog_kept file={} version={} reason=\"{}\"",
                        file,
                        catalog.version(),
                        outcome.reason());
            }
        } catch (CatalogException e) {
            throw invalid(file, e);
        } catch (CatalogInUseException e) {
            throw new IllegalArgumentException(
                    "catalog " + file + " was not applied, version "
                            + engine.catalog().version() + " stays current: " + e.getMessage(),
                    e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("catalog " + file + " could not be stored", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while applying the catalog", e);
        }
    }

    /** The port the server listens on. */
    public int port() {
        return http.port();
    }

    /** Every route of the API, for the tests that try each one. */
    public java.util.List<RouteTable.Route> routes() {
        return routes.routes();
    }

    /** The engine, for in-process embedding and tests. */
    public Engine engine() {
        return engine;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        sweeper.shutdownNow();
        webhooks.close();
        if (stripe != null) {
            stripe.close();
        }
        http.close();
        if (cluster != null) {
            cluster.close();
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        engine.close();
        store.close();
        LOG.info("event=stopped");
    }

    /** Daemon threads named {@code prefix-N}. */
    private static final class NamedThreads implements ThreadFactory {
        private final String prefix;
        private final AtomicInteger next = new AtomicInteger();

        NamedThreads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, prefix + "-" + next.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
