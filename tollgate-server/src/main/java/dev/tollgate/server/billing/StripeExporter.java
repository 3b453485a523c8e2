package dev.tollgate.server.billing;

import dev.tollgate.core.billing.BillingPeriod;
import dev.tollgate.core.billing.ExportItem;
import dev.tollgate.core.billing.OutboxEntry;
import dev.tollgate.core.billing.OutboxEntry.Status;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.store.ExportOutbox;
import dev.tollgate.core.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every closed billing period's usage and recharges to Stripe, exactly once, from the store's outbox.
 *
 * <p>Enqueue: once a period is closed ({@link BillingPeriod#closesAt}, by the engine's clock), its lines are read from
 * the store customer by customer ({@link Engine#readPeriod}) and each becomes {@link ExportItem}s in the outbox: a
 * meter event per feature line with usage, an invoice item per recharge. Item ids derive from the records, so
 * enqueuing again (after a crash in the middle, or on every server of a cluster) adds nothing; the setting {@code
 * stripe.enqueued} then names the period, and the next one is enqueued once it closes. The first period exported is the
 * month in which the exporter first ran ({@code stripe.since}, kept in the store), so that turning it on never
 * re-bills the past.
 *
 * <p>Send: one item at a time is claimed ({@link ExportOutbox#claim}, a {@value #LEASE_SECONDS} s lease: on PostgreSQL
 * with {@code FOR UPDATE SKIP LOCKED}, so the servers of a cluster share the work and never send one item at once),
 * sent ({@link StripeCalls}, with the item's key as idempotency key) and settled: sent, refused for good (a 4xx: its
 * reason kept and shown by {@code GET /v1/billing/exports}), skipped (the customer has no {@code stripeCustomerId} in
 * its metadata), or retried after {@link #backoff} (429, 5xx, no answer). The outbox is in the store, so a restart
 * resumes where it stopped; a send whose answer was lost to a crash is repeated with the same idempotency key, which
 * Stripe answers with the first answer.
 *
 * <p>Threads: one of its own; {@link #close} lets the item in flight finish and be settled.
 */
public final class StripeExporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StripeExporter.class);
    static final long LEASE_SECONDS = 60;
    static final String SINCE = "stripe.since";
    static final String ENQUEUED = "stripe.enqueued";

    /** The metadata key of a customer that holds its Stripe customer id. */
    public static final String CUSTOMER_KEY = "stripeCustomerId";

    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private static final Duration IDLE = Duration.ofMillis(500);

    private final Engine engine;
    private final Store store;
    private final ExportOutbox outbox;
    private final StripeCalls stripe;
    private final InstantSource wall;
    private final String claimer;
    private final Thread thread;
    private volatile boolean stopping;

    private StripeExporter(Engine engine, Store store, StripeSettings settings, String node) {
        this.engine = engine;
        this.store = store;
        this.outbox = store.outbox();
        this.stripe = new StripeCalls(settings);
        this.wall = InstantSource.system();
        this.claimer = node + "/" + UUID.randomUUID();
        this.thread = new Thread(this::run, "tollgate-stripe-exporter");
        this.thread.setDaemon(true);
    }

    /**
     * Starts exporting.
     *
     * @param node this server's name, in claims and logs
     */
    public static StripeExporter start(Engine engine, Store store, StripeSettings settings, String node) {
        StripeExporter exporter = new StripeExporter(engine, store, settings, node);
        exporter.thread.start();
        return exporter;
    }

    /** The delay before the next attempt after {@code attempts} failures that may pass: 1 s doubling, at most 5 min. */
    static Duration backoff(int attempts) {
        if (attempts >= 20) {
            return MAX_BACKOFF;
        }
        Duration d = FIRST_BACKOFF.multipliedBy(1L << attempts);
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    private void run() {
        Instant nextCheck = Instant.MIN;
        while (!stopping) {
            boolean busy = false;
            try {
                if (!wall.instant().isBefore(nextCheck)) {
                    enqueueClosed();
                    nextCheck = wall.instant().plus(IDLE);
                }
                busy = sendOne();
            } catch (RuntimeException e) {
                LOG.warn("event=stripe_export_failed error=\"{}\"", e.getMessage());
            }
            if (!busy) {
                sleep(IDLE);
            }
        }
    }

    /** Enqueues every closed period from {@code stripe.since} on that is not enqueued yet. */
    private void enqueueClosed() {
        Instant now = engine.now();
        BillingPeriod since = BillingPeriod.parse(
                outbox.putSetting(SINCE, BillingPeriod.containing(now).toString(), true));
        String done = outbox.setting(ENQUEUED);
        BillingPeriod next = done == null ? since : BillingPeriod.parse(done).next();
        while (!stopping && next.closedAt(now)) {
            BillingPeriod period = next;
            List<ExportItem> items = new ArrayList<>();
            int[] added = {0};
            engine.readPeriod(period, null, lines -> {
                items.addAll(ExportItem.of(period, lines));
                if (items.size() >= 500) {
                    added[0] += outbox.enqueue(items, wall.instant());
                    items.clear();
                }
                return !stopping;
            });
            if (stopping) {
                return;
            }
            added[0] += outbox.enqueue(items, wall.instant());
            outbox.putSetting(ENQUEUED, period.toString(), false);
            LOG.info("event=stripe_period_enqueued period={} items={}", period, added[0]);
            next = period.next();
        }
    }

    /** Claims, sends and settles one due item; tells whether there was one. */
    private boolean sendOne() {
        List<OutboxEntry> claimed = outbox.claim(claimer, wall.instant(), Duration.ofSeconds(LEASE_SECONDS), 1);
        if (claimed.isEmpty()) {
            return false;
        }
        OutboxEntry entry = claimed.get(0);
        ExportItem item = entry.item();
        String stripeCustomer = stripeCustomer(item.customerId());
        if (stripeCustomer == null) {
            settle(item, Status.SKIPPED, null, "the customer has no metadata." + CUSTOMER_KEY, entry.attempts());
            return true;
        }
        StripeCalls.Outcome outcome = stripe.send(item, stripeCustomer);
        switch (outcome.kind()) {
            case SENT -> settle(item, Status.SENT, outcome.detail(), null, entry.attempts());
            case REFUSED -> {
                LOG.warn("event=stripe_refused item={} error=\"{}\"", item.id(), outcome.detail());
                settle(item, Status.FAILED, null, outcome.detail(), entry.attempts());
            }
            case RETRY -> {
                LOG.info(
                        "event=stripe_retry item={} attempts={} error=\"{}\"",
                        item.id(),
                        entry.attempts() + 1,
                        outcome.detail());
                settle(item, Status.PENDING, null, outcome.detail(), entry.attempts());
            }
        }
        return true;
    }

    private void settle(ExportItem item, Status status, @Nullable String result, @Nullable String error, int attempts) {
        Instant now = wall.instant();
        if (!outbox.settle(item.id(), claimer, status, now, now.plus(backoff(attempts)), result, error)) {
            LOG.warn(
                    "event=stripe_claim_lost item={} reason=\"the claim ran out and another sender took it\"",
                    item.id());
        }
    }

    /** The customer's Stripe id: {@code metadata.stripeCustomerId} of its latest profile, read from the store. */
    private @Nullable String stripeCustomer(String customerId) {
        JournalEntry.CustomerUpserted profile = store.profile(customerId);
        if (profile != null && profile.metadata().get(CUSTOMER_KEY) instanceof String id && !id.isBlank()) {
            return id;
        }
        return null;
    }

    private void sleep(Duration d) {
        try {
            TimeUnit.MILLISECONDS.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    /** Stops after the item in flight is settled (waiting at most 40 s: a send's timeouts). */
    @Override
    public void close() {
        stopping = true;
        try {
            thread.join(40_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
