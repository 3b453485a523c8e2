package dev.tollgate.client.it;

import dev.tollgate.client.ConsumeRequest;
import dev.tollgate.client.Decision;
import dev.tollgate.client.EventOutcome;
import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import dev.tollgate.client.UsageEvent;
import dev.tollgate.client.it.SidecarClient.Answer;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Applications at work while a test breaks the server: worker threads that, each iteration, check ({@code sso}) and
 * consume ({@code queries}) through the SDK and through the sidecar, report usage ({@code reports}, 2 units) through
 * both, and consume straight to the server over HTTP as an application without the SDK would. Each answer is recorded in
 * {@link Told} by client, phase and source. The test grants iterations ({@link #grant}) and waits for them
 * ({@link #done}), so the amount of traffic in each phase is bounded by count, never by time.
 *
 * <p>Rules checked on every answer (a broken one is a {@link Told#violation}): no call fails, no consume is refused (the
 * limits are far away), no report is rejected. For an iteration that began and ended while the server was down: every
 * check answers from the cache, allowed; no consume is answered by the server; every report is spooled; and the direct
 * consume gets no answer. A direct consume without an answer is in doubt: {@link #resolveUnanswered} sends it again with
 * its key once the server is back, and its answer is what the application was told.
 *
 * <p>Thread-safe: the test thread grants and reads; the workers record.
 */
final class Traffic {
    /** Where the server is, as the test moves it; read by the workers before and after each iteration. */
    enum Phase {
        BEFORE("before"),
        KILLING("before"),
        DOWN("during"),
        RESTARTING("during"),
        AFTER("after");

        final String label;

        Phase(String label) {
            this.label = label;
        }
    }

    /** An SDK report and the phase it was made in; its outcome comes later. */
    private record Report(Phase phase, String customer, String key, CompletableFuture<EventOutcome> outcome) {}

    private final Tollgate sdk;
    private final String sidecarUrl;
    private final String serverUrl;
    private final List<String> customers;
    private final String direct;
    private final Supplier<Phase> phase;
    private final Told told;
    private final Semaphore permits = new Semaphore(0);
    private final AtomicLong granted = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final ConcurrentLinkedQueue<Report> reports = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> unanswered = new ConcurrentLinkedQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running = true;

    /**
     * Starts {@code threads} workers, idle until iterations are granted.
     *
     * @param customers the customers the SDK and the sidecar work for, in turn
     * @param direct the customer of the direct consumes
     */
    Traffic(
            Tollgate sdk,
            String sidecarUrl,
            String serverUrl,
            List<String> customers,
            String direct,
            Supplier<Phase> phase,
            Told told,
            int threads) {
        this.sdk = sdk;
        this.sidecarUrl = sidecarUrl;
        this.serverUrl = serverUrl;
        this.customers = List.copyOf(customers);
        this.direct = direct;
        this.phase = phase;
        this.told = told;
        for (int w = 0; w < threads; w++) {
            int worker = w;
            Thread t = new Thread(() -> work(worker), "traffic-" + w);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
    }

    /** Grants {@code iterations} more, shared by the workers as they come. */
    void grant(int iterations) {
        granted.addAndGet(iterations);
        permits.release(iterations);
    }

    /** Whether every iteration granted so far is done. */
    boolean idle() {
        return done.get() == granted.get();
    }

    /** Iterations done so far. */
    long done() {
        return done.get();
    }

    private void work(int worker) {
        int n = 0;
        while (true) {
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                return;
            }
            if (!running) {
                return;
            }
            try {
                iterate(worker, n++);
            } catch (RuntimeException e) {
                told.violation("worker " + worker + " failed: " + e);
            } finally {
                done.incrementAndGet();
            }
        }
    }

    private void iterate(int worker, int n) {
        String customer = customers.get((worker + n) % customers.size());
        String id = worker + "-" + n;
        Phase began = phase.get();
        Decision check = call("sdk check", () -> sdk.check(customer, "sso"));
        Decision consume =
                call("sdk consume", () -> sdk.consume(ConsumeRequest.of(customer, "queries", 1, "sdk-" + id)));
        String reportKey = "sdk-r-" + id;
        CompletableFuture<EventOutcome> report =
                call("sdk report", () -> sdk.report(UsageEvent.of(reportKey, customer, "reports", 2)));
        Answer sidecarCheck = call("sidecar check", () -> sidecar("/v1/check", check(customer)));
        Answer sidecarConsume =
                call("sidecar consume", () -> sidecar("/v1/consume", consume(customer, "sidecar-" + id)));
        String eventKey = "sidecar-r-" + id;
        Answer sidecarEvents = call("sidecar events", () -> sidecar("/v1/events", event(customer, eventKey)));
        String directKey = "direct-" + id;
        Answer directConsume = directConsume(directKey);
        boolean down = began == Phase.DOWN && phase.get() == Phase.DOWN;
        String when = began.label;

        if (check != null) {
            told.count("sdk check " + when + " " + check.source());
            rule(!down || (check.allowed() && check.source() == Source.CACHE), "sdk check while down", check);
        }
        if (consume != null) {
            admitted("sdk", customer, consume.allowed(), consume.source().name(), when, down, consume);
        }
        if (report != null) {
            reports.add(new Report(began, customer, reportKey, report));
        }
        if (sidecarCheck != null) {
            JsonNode b = sidecarCheck.body();
            told.count("sidecar check " + when + " " + b.path("source").asString());
            rule(sidecarCheck.status() == 200, "sidecar check", b);
            rule(
                    !down
                            || (b.path("allowed").asBoolean()
                                    && "cache".equals(b.path("source").asString())),
                    "sidecar check while down",
                    b);
        }
        if (sidecarConsume != null) {
            JsonNode b = sidecarConsume.body();
            rule(sidecarConsume.status() == 200, "sidecar consume", b);
            admitted(
                    "sidecar",
                    customer,
                    b.path("allowed").asBoolean(),
                    b.path("source").asString().toUpperCase(Locale.ROOT),
                    when,
                    down,
                    b);
        }
        if (sidecarEvents != null) {
            JsonNode result = sidecarEvents.body().path("results").path(0);
            String status = result.path("status").asString();
            told.count("sidecar report " + when + " " + status);
            if (sidecarEvents.status() == 200 && ("accepted".equals(status) || "spooled".equals(status))) {
                told.reported(customer, eventKey, 2);
            } else {
                told.violation("sidecar report not taken: " + sidecarEvents.body());
            }
            rule(!down || "spooled".equals(status), "sidecar report while down", result);
        }
        if (directConsume == null) {
            unanswered.add(directKey);
            told.count("direct consume " + when + " unanswered");
        } else {
            rule(!down, "the killed server answered a direct consume", directConsume.body());
            rule(
                    directConsume.status() == 200
                            && directConsume.body().path("allowed").asBoolean(),
                    "direct consume",
                    directConsume.body());
            told.admitted(direct, 1);
            told.count("direct consume " + when + " acked");
        }
    }

    private void admitted(
            String client, String customer, boolean allowed, String source, String when, boolean down, Object answer) {
        if (!allowed) {
            told.violation(client + " consume refused: " + answer);
            return;
        }
        told.admitted(customer, 1);
        told.count(client + " consume " + when + " " + source);
        rule(!down || !"SERVER".equals(source), client + " consume while down", answer);
    }

    private void rule(boolean held, String what, Object answer) {
        if (!held) {
            told.violation(what + ": " + answer);
        }
    }

    private <T> @Nullable T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            told.violation(what + " threw " + e);
            return null;
        }
    }

    private Answer sidecar(String path, String json) {
        return SidecarClient.post(sidecarUrl, path, json, null);
    }

    /** A consume straight to the server; {@code null} when no answer came (the server is down, or died meanwhile). */
    private @Nullable Answer directConsume(String key) {
        try {
            return SidecarClient.post(serverUrl, "/v1/consume", consume(direct, key), OperatorClient.KEY);
        } catch (UncheckedIOException e) {
            return null;
        }
    }

    /**
     * Sends every direct consume that got no answer again, with its key, to the server that is back: the answer of one
     * the server recorded before it died is its first answer, else it is decided now. Records what each is told.
     */
    void resolveUnanswered() {
        for (String key = unanswered.poll(); key != null; key = unanswered.poll()) {
            Answer a = directConsume(key);
            if (a == null || a.status() != 200 || !a.body().path("allowed").asBoolean()) {
                told.violation("in-doubt consume " + key + " again: " + (a == null ? "no answer" : a.body()));
            } else {
                told.admitted(direct, 1);
                told.count("direct consume in doubt, admitted after");
            }
        }
    }

    /** Direct consumes in doubt so far. */
    int unansweredCount() {
        return unanswered.size();
    }

    /**
     * Records the outcome of every SDK report (waiting at most 30 s for each): accepted or spooled is reported, a
     * report made while the server was down must be spooled, anything else is a violation.
     */
    void settleReports() throws InterruptedException {
        for (Report r : reports) {
            EventOutcome o;
            try {
                o = r.outcome().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                told.violation("sdk report " + r.key() + " failed: " + e);
                continue;
            }
            told.count("sdk report " + r.phase().label + " " + o.status());
            if (o.status() == EventOutcome.Status.ACCEPTED || o.status() == EventOutcome.Status.SPOOLED) {
                told.reported(r.customer(), r.key(), 2);
            } else {
                told.violation("sdk report not taken: " + o);
            }
            rule(r.phase() != Phase.DOWN || o.status() == EventOutcome.Status.SPOOLED, "sdk report while down", o);
        }
    }

    static String check(String customer) {
        return "{\"customerId\": \"" + customer + "\", \"feature\": \"sso\"}";
    }

    static String consume(String customer, String key) {
        return "{\"customerId\": \"" + customer
                + "\", \"feature\": \"queries\", \"quantity\": 1, \"idempotencyKey\": \"" + key + "\"}";
    }

    private static String event(String customer, String key) {
        return "{\"events\": [{\"idempotencyKey\": \"" + key + "\", \"customerId\": \"" + customer
                + "\", \"feature\": \"reports\", \"quantity\": 2}]}";
    }

    /** Stops the workers after their current iteration; blocks until they have stopped. */
    void stop() throws InterruptedException {
        running = false;
        permits.release(workers.size());
        for (Thread t : workers) {
            t.join(TimeUnit.SECONDS.toMillis(60));
        }
    }
}
