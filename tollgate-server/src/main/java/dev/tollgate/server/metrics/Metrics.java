package dev.tollgate.server.metrics;

import dev.tollgate.core.commit.GroupCommitJournal;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.journal.JournalEntry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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

    /** Meters by their tag values, so that the request path looks one up instead of building and registering it. */
    private final Map<String, Timer> requestTimers = new ConcurrentHashMap<>();

    private final Map<String, Counter> decisionCounters = new ConcurrentHashMap<>();

    /** Counts and times one answered request by its route's template ({@code /v1/customers/{customerId}}). */
    public void request(String method, String route, int status, long nanos) {
        requestTimers
                .computeIfAbsent(
                        method + ' ' + route + ' ' + status,
                        k -> Timer.builder("tollgate.http.requests")
                                .description("HTTP requests by endpoint and status")
                                .tag("method", method)
                                .tag("route", route)
                                .tag("status", Integer.toString(status))
                                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts one decision of {@code endpoint} ({@code check}, {@code consume}) by outcome and reason. */
    public void decision(String endpoint, Decision d) {
        String outcome = d.allowed() ? "allowed" : "denied";
        String reason = d.reason() == null ? "NONE" : d.reason().name();
        decisionCounters
                .computeIfAbsent(
                        endpoint + ' ' + outcome + ' ' + reason,
                        k -> Counter.builder("tollgate.decisions")
                                .description("check and consume decisions by outcome")
                                .tag("endpoint", endpoint)
                                .tag("outcome", outcome)
                                .tag("reason", reason)
                                .register(registry))
                .increment();
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
