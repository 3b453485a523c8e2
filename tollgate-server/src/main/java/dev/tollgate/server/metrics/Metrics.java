package dev.tollgate.server.metrics;

import dev.tollgate.core.Reason;
import dev.tollgate.core.commit.GroupCommitJournal;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.journal.JournalEntry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prometheus metrics: requests and latency per endpoint, decisions by reason, journal batch sizes and commit
 * latency.
 *
 * <p>Thread-safe: Micrometer meters are.
 */
public final class Metrics {
    private static final Logger LOG = LoggerFactory.getLogger(Metrics.class);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final DistributionSummary batchCommands = DistributionSummary.builder("tollgate.journal.batch.commands")
            .description("commands per committed journal batch")
            .register(registry);
    private final DistributionSummary batchEntries = DistributionSummary.builder("tollgate.journal.batch.entries")
            .description("records per committed journal batch")
            .register(registry);
    private final Timer commit = Timer.builder("tollgate.journal.commit")
            .description("time to commit one journal batch (one transaction, one fsync)")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    private final Counter commitFailures = Counter.builder("tollgate.journal.failures")
            .description("journal batches that failed to commit")
            .register(registry);

    /**
     * The meters of one route, made once when the API is built: the request path finds a status's timer by index
     * instead of building a key and looking it up on every answer.
     *
     * @param method the route's HTTP method
     * @param route the route's template ({@code /v1/customers/{customerId}})
     */
    public RouteMeters route(String method, String route) {
        return new RouteMeters(method, route);
    }

    /** The decision counters of {@code endpoint} ({@code check}, {@code consume}), made once by its routes. */
    public DecisionMeters decisions(String endpoint) {
        return new DecisionMeters(endpoint);
    }

    /**
     * Counts and times the answered requests of one route by status; each status's timer is registered the first time
     * it is answered. Thread-safe: a race registers the same meter twice, and Micrometer returns the one it has.
     */
    public final class RouteMeters {
        private final String method;
        private final String route;
        private final AtomicReferenceArray<Timer> byStatus = new AtomicReferenceArray<>(600);

        private RouteMeters(String method, String route) {
            this.method = method;
            this.route = route;
        }

        /** Counts and times one answer of {@code status} that took {@code nanos}. */
        public void record(int status, long nanos) {
            boolean kept = status >= 0 && status < byStatus.length();
            Timer timer = kept ? byStatus.get(status) : null;
            if (timer == null) {
                timer = Timer.builder("tollgate.http.requests")
                        .description("HTTP requests by endpoint and status")
                        .tag("method", method)
                        .tag("route", route)
                        .tag("status", Integer.toString(status))
                        .register(registry);
                if (kept) {
                    byStatus.set(status, timer);
                }
            }
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Counts one endpoint's decisions by outcome and reason; each pair's counter is registered the first time it is
     * counted. Thread-safe, as {@link RouteMeters}.
     */
    public final class DecisionMeters {
        /** An allowed decision without a reason, then a denied one without, then one of each per reason. */
        private static final int SLOTS = 2 + 2 * Reason.values().length;

        private final String endpoint;
        private final AtomicReferenceArray<Counter> counters = new AtomicReferenceArray<>(SLOTS);

        private DecisionMeters(String endpoint) {
            this.endpoint = endpoint;
        }

        /** Counts {@code d} by outcome and reason. */
        @SuppressWarnings("EnumOrdinal") // an index into this process's own array, never stored
        public void count(Decision d) {
            Reason reason = d.reason();
            int slot = (reason == null ? 0 : 2 + 2 * reason.ordinal()) + (d.allowed() ? 0 : 1);
            Counter counter = counters.get(slot);
            if (counter == null) {
                counter = Counter.builder("tollgate.decisions")
                        .description("check and consume decisions by outcome")
                        .tag("endpoint", endpoint)
                        .tag("outcome", d.allowed() ? "allowed" : "denied")
                        .tag("reason", reason == null ? "NONE" : reason.name())
                        .register(registry);
                counters.set(slot, counter);
            }
            counter.increment();
        }
    }

    /** What the journal tells of its batches: sizes, commit times, failures, refusals and recovery. */
    public GroupCommitJournal.Listener journalListener() {
        return new GroupCommitJournal.Listener() {
            @Override
            public void committed(int commands, List<JournalEntry> entries, long nanos) {
                batchCommands.record(commands);
                batchEntries.record(entries.size());
                commit.record(nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void failed(List<JournalEntry> entries, RuntimeException cause) {
                commitFailures.increment();
                LOG.warn(
                        "event=commit_failed records={} writes=paused error=\"{}\"",
                        entries.size(),
                        cause.getCause() == null
                                ? cause.getMessage()
                                : cause.getCause().getMessage());
            }

            @Override
            public void refused(List<JournalEntry> entries, RuntimeException cause) {
                LOG.warn(
                        "event=record_refused records={} customer={} error=\"{}\"",
                        entries.size(),
                        entries.isEmpty() ? null : entries.get(0).customerId(),
                        cause.getCause() == null
                                ? cause.getMessage()
                                : cause.getCause().getMessage());
            }

            @Override
            public void recovered() {
                LOG.info("event=store_recovered writes=resumed");
            }
        };
    }

    /** The Prometheus text of every meter. */
    /** A counter registered under {@code name} (dots, as Micrometer names go), for a component's own events. */
    public Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    /** A gauge registered under {@code name} that reads {@code value} at each scrape. */
    public void gauge(String name, String description, java.util.function.Supplier<Number> value) {
        io.micrometer.core.instrument.Gauge.builder(name, value)
                .description(description)
                .register(registry);
    }

    public String scrape() {
        return registry.scrape();
    }
}
