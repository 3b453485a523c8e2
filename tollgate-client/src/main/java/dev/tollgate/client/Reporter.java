package dev.tollgate.client;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Sends usage events in batches ({@code POST /v1/events}) from one background thread, and delivers the spool.
 *
 * <p>Batching: an event waits at most the linger for others to share its POST, which carries at most the batch size.
 * {@link #flushAsync} puts a marker in the queue that completes once everything before it was sent or spooled.
 *
 * <p>Two kinds of events share the queue. A <em>report</em> (usage the application reported, or a fallback admission)
 * that cannot reach the server is spooled, and its outcome is {@code SPOOLED}. A <em>lease event</em> (a consume
 * admitted against a lease) is never spooled: the lease's close carries the total it admitted, so an event that did not
 * arrive is counted by the close's settlement instead (see {@link Leases}); the reporter only tells the lease that the
 * event's fate is settled.
 *
 * <p>Backlog: lease events are bounded ({@code maxQueuedLeaseEvents}). An application that admits against its leases
 * faster than the server takes their events (one thread sends them, a batch at a time) would otherwise grow the queue
 * without bound, and {@link #close} would spend as long delivering it. Past the bound an admission's event is
 * <em>folded</em>: not queued, its fate settled at once, so the lease's close counts its units (exactly, as for an
 * event lost in an outage). What folding costs is only what the event alone brings: the server sees those units when
 * the lease closes instead of within the linger, and does not know their idempotency keys (a repeat through this
 * client is still answered from its memory of recent keys). Reports are never folded.
 *
 * <p>Idempotency: a report is sent as the application made it, so that a repeat of it (through this client again,
 * or straight to the server) is the same request and answers {@code duplicate}. Only a report that goes to the spool
 * is stamped, with the time it was reported (kept in the spool beside it), so that it counts in the period it
 * happened in, whenever it is delivered. A stamped report the server refuses as a reuse of its key
 * ({@code IDEMPOTENCY_KEY_REUSED}) is asked again as it was made: the first send reached the server after all (its
 * answer was lost), and the repeat answers {@code duplicate}.
 *
 * <p>Failure modes: an event the server rejected with {@code STORE_UNAVAILABLE} is treated as unreachable; a whole
 * batch refused with a {@code 4xx} fails its reports with that error. The spool is delivered by this thread when it is
 * idle, at most once a second while the server stays unreachable, and by {@link #drainSpool} on demand.
 *
 * <p>Thread-safe: any thread enqueues; one thread sends.
 */
final class Reporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reporter.class);
    private static final long SPOOL_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** An event to send (with when it was reported, and its lease or its outcome), or a flush marker. */
    private record Pending(
            @Nullable UsageEvent event,
            @Nullable Instant madeAt,
            @Nullable Lease lease,
            @Nullable CompletableFuture<EventOutcome> outcome,
            @Nullable CompletableFuture<Void> marker) {}

    private final Http http;
    private final @Nullable Spool spool;
    private final int batchSize;
    private final long lingerNanos;
    private final int maxQueuedLeaseEvents;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedLeaseEvents = new AtomicInteger();
    private final LongAdder foldedLeaseEvents = new LongAdder();
    private final Object draining = new Object();
    private final Thread thread;
    private volatile boolean running = true;
    private long nextDrainNanos;

    /**
     * @param batchSize the most events in one {@code POST /v1/events}
     * @param linger how long an event waits for others to share its batch
     * @param maxQueuedLeaseEvents the most lease events waiting to be sent; more are folded into their leases' closes
     */
    Reporter(Http http, @Nullable Spool spool, int batchSize, Duration linger, int maxQueuedLeaseEvents) {
        this.http = http;
        this.spool = spool;
        this.batchSize = batchSize;
        this.lingerNanos = linger.toNanos();
        this.maxQueuedLeaseEvents = maxQueuedLeaseEvents;
        this.thread = new Thread(this::run, "tollgate-reporter");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues a report, sent as it is; completes with its outcome. */
    CompletableFuture<EventOutcome> report(UsageEvent event) {
        CompletableFuture<EventOutcome> outcome = new CompletableFuture<>();
        queue.add(new Pending(event, event.timestamp() == null ? Instant.now() : null, null, outcome, null));
        return outcome;
    }

    /**
     * Queues a lease event, or folds it into the lease's close when {@code maxQueuedLeaseEvents} are waiting already.
     * Call {@link Lease#eventQueued()} before; the reporter calls {@link Lease#eventDone()} (at once when folded).
     */
    void leaseEvent(UsageEvent event, Lease lease) {
        if (queuedLeaseEvents.incrementAndGet() > maxQueuedLeaseEvents) {
            queuedLeaseEvents.decrementAndGet();
            foldedLeaseEvents.increment();
            lease.eventDone();
            return;
        }
        queue.add(new Pending(event, null, lease, null, null));
    }

    /** How many lease events were folded into their leases' closes so far (see the class comment). */
    long foldedLeaseEvents() {
        return foldedLeaseEvents.sum();
    }

    /** Completes once every event queued before it was sent or spooled. */
    CompletableFuture<Void> flushAsync() {
        CompletableFuture<Void> marker = new CompletableFuture<>();
        if (!thread.isAlive()) {
            marker.complete(null);
            return marker;
        }
        queue.add(new Pending(null, null, null, null, marker));
        return marker;
    }

    /**
     * Spools the close of a lease's session (the server was unreachable when it was closed).
     *
     * @return whether it was spooled (false without a spool, or when it is full)
     */
    boolean spoolClose(String sessionId, BigDecimal used) {
        if (spool == null) {
            return false;
        }
        try {
            spool.append(List.of(new Spool.CloseEntry(sessionId, used)));
            return true;
        } catch (RuntimeException e) {
            LOG.warn("event=lease_close_not_spooled session={} used={} error=\"{}\"", sessionId, used, e.toString());
            return false;
        }
    }

    /**
     * Delivers the spool, batch by batch, until it is empty or the server cannot be reached.
     *
     * @return whether the spool is empty now
     */
    boolean drainSpool() {
        if (spool == null) {
            return true;
        }
        synchronized (draining) {
            try {
                while (true) {
                    Spool.Batch b = spool.read(batchSize);
                    if (b.entries().isEmpty()) {
                        spool.commit(b.end());
                        return true;
                    }
                    deliverSpooled(b.entries());
                    spool.commit(b.end());
                }
            } catch (TollgateUnavailableException e) {
                return false;
            }
        }
    }

    private void deliverSpooled(List<Spool.Entry> entries) {
        List<Spool.EventEntry> events = new ArrayList<>();
        for (Spool.Entry e : entries) {
            if (e instanceof Spool.EventEntry ev) {
                events.add(ev);
            }
        }
        List<UsageEvent> placed = new ArrayList<>(events.size());
        events.forEach(e -> placed.add(e.placed()));
        List<EventOutcome> outcomes = sendSpooled(placed);
        List<UsageEvent> asMade = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            EventOutcome o = outcomes.get(i);
            if ("IDEMPOTENCY_KEY_REUSED".equals(o.reason()) && events.get(i).madeAt() != null) {
                asMade.add(events.get(i).event());
            } else if (o.status() == EventOutcome.Status.REJECTED) {
                LOG.warn("event=spooled_event_rejected key={} reason={}", o.idempotencyKey(), o.reason());
            }
        }
        for (EventOutcome o : sendSpooled(asMade)) {
            if (o.status() == EventOutcome.Status.REJECTED) {
                LOG.warn("event=spooled_event_rejected key={} reason={}", o.idempotencyKey(), o.reason());
            } else {
                LOG.debug("event=spooled_event_delivered_before key={}", o.idempotencyKey());
            }
        }
        for (Spool.Entry e : entries) {
            if (e instanceof Spool.CloseEntry c) {
                Http.Reply reply =
                        http.send("POST", "/v1/sessions/" + c.sessionId() + "/close", Map.of("used", c.used()));
                if (!reply.ok()) {
                    LOG.warn(
                            "event=spooled_close_refused session={} error=\"{}\"",
                            c.sessionId(),
                            reply.error().getMessage());
                }
            }
        }
    }

    /**
     * Sends spooled events; their outcomes in order, none if there were none or the server refused the whole batch
     * (logged: nothing will make it accept them).
     *
     * @throws TollgateUnavailableException if the server cannot be reached or could not store one of them
     */
    private List<EventOutcome> sendSpooled(List<UsageEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        Http.Reply reply = http.send("POST", "/v1/events", body(events));
        if (!reply.ok()) {
            LOG.warn(
                    "event=spool_batch_refused events={} error=\"{}\"",
                    events.size(),
                    reply.error().getMessage());
            return List.of();
        }
        JsonNode results = reply.body().path("results");
        List<EventOutcome> outcomes = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            EventOutcome o = outcome(events.get(i), results.path(i));
            if ("STORE_UNAVAILABLE".equals(o.reason())) {
                throw new TollgateUnavailableException("STORE_UNAVAILABLE", 200, "an event was not stored");
            }
            outcomes.add(o);
        }
        return outcomes;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    idle();
                    continue;
                }
                batch.add(first);
                long until = System.nanoTime() + lingerNanos;
                while (batch.size() < batchSize && batch.get(batch.size() - 1).marker() == null) {
                    long wait = until - System.nanoTime();
                    Pending p = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
                    if (p == null) {
                        break;
                    }
                    batch.add(p);
                }
                send(batch);
            } catch (InterruptedException e) {
                running = false;
            } catch (RuntimeException e) {
                LOG.error("event=reporter_failed", e);
                failAll(batch, e);
            } finally {
                batch.clear();
            }
        }
    }

    private void idle() {
        if (spool != null && System.nanoTime() - nextDrainNanos >= 0 && !spool.isEmpty()) {
            if (!drainSpool()) {
                nextDrainNanos = System.nanoTime() + SPOOL_RETRY_NANOS;
            }
        }
    }

    private void send(List<Pending> batch) {
        List<Pending> events = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            if (p.event() != null) {
                events.add(p);
            }
        }
        try {
            if (!events.isEmpty()) {
                deliver(events);
            }
        } finally {
            for (Pending p : batch) {
                if (p.marker() != null) {
                    p.marker().complete(null);
                }
            }
        }
    }

    private void deliver(List<Pending> events) {
        List<UsageEvent> list = new ArrayList<>(events.size());
        events.forEach(p -> list.add(p.event()));
        List<Pending> unsent = new ArrayList<>();
        TollgateUnavailableException down = null;
        try {
            Http.Reply reply = http.send("POST", "/v1/events", body(list));
            if (!reply.ok()) {
                failAll(events, reply.error());
                return;
            }
            JsonNode results = reply.body().path("results");
            for (int i = 0; i < events.size(); i++) {
                Pending p = events.get(i);
                EventOutcome o = outcome(list.get(i), results.path(i));
                if ("STORE_UNAVAILABLE".equals(o.reason())) {
                    unsent.add(p);
                } else {
                    settle(p, o);
                }
            }
        } catch (TollgateUnavailableException e) {
            down = e;
            unsent.addAll(events);
        }
        if (!unsent.isEmpty()) {
            unreachable(
                    unsent,
                    down != null
                            ? down
                            : new TollgateUnavailableException(
                                    "STORE_UNAVAILABLE", 200, "the server could not store the events"));
        }
    }

    /** Events the server could not take: reports to the spool (or failed), lease events left to the lease's close. */
    private void unreachable(List<Pending> events, TollgateUnavailableException cause) {
        List<Pending> reports = new ArrayList<>();
        for (Pending p : events) {
            if (p.lease() != null) {
                leaseSettled(p.lease());
            } else {
                reports.add(p);
            }
        }
        if (reports.isEmpty()) {
            return;
        }
        if (spool == null) {
            failAll(reports, cause);
            return;
        }
        List<Spool.Entry> entries = new ArrayList<>(reports.size());
        reports.forEach(p -> entries.add(new Spool.EventEntry(Objects.requireNonNull(p.event()), p.madeAt())));
        try {
            spool.append(entries);
        } catch (RuntimeException e) {
            failAll(reports, e);
            return;
        }
        nextDrainNanos = System.nanoTime() + SPOOL_RETRY_NANOS;
        for (Pending p : reports) {
            settle(
                    p,
                    new EventOutcome(
                            Objects.requireNonNull(p.event()).idempotencyKey(),
                            EventOutcome.Status.SPOOLED,
                            null,
                            false));
        }
    }

    private void leaseSettled(Lease lease) {
        queuedLeaseEvents.decrementAndGet();
        lease.eventDone();
    }

    private void settle(Pending p, EventOutcome o) {
        if (p.lease() != null) {
            if (o.status() == EventOutcome.Status.REJECTED) {
                LOG.debug("event=lease_event_rejected key={} reason={}", o.idempotencyKey(), o.reason());
            }
            leaseSettled(p.lease());
        } else if (p.outcome() != null) {
            p.outcome().complete(o);
        }
    }

    private void failAll(List<Pending> batch, Throwable cause) {
        for (Pending p : batch) {
            if (p.lease() != null) {
                leaseSettled(p.lease());
            } else if (p.outcome() != null) {
                p.outcome().completeExceptionally(cause);
            } else if (p.marker() != null) {
                p.marker().complete(null);
            }
        }
    }

    private static EventOutcome outcome(UsageEvent e, JsonNode r) {
        String status = r.path("status").asString("rejected");
        return new EventOutcome(
                e.idempotencyKey(),
                switch (status) {
                    case "accepted" -> EventOutcome.Status.ACCEPTED;
                    case "duplicate" -> EventOutcome.Status.DUPLICATE;
                    default -> EventOutcome.Status.REJECTED;
                },
                Wire.text(r, "reason"),
                r.path("overage").asBoolean(false));
    }

    private static Map<String, Object> body(List<UsageEvent> events) {
        List<Object> list = new ArrayList<>(events.size());
        events.forEach(e -> list.add(Wire.event(e)));
        return Map.of("events", list);
    }

    /** Sends what is queued (or spools it), then stops the thread. Blocks until it has stopped. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
