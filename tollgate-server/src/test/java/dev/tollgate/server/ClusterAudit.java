package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Compares, after a run of {@link ClusterLoad}, what the clients were told with what the cluster holds, through the
 * nodes still running:
 *
 * <ol>
 *   <li>every write the load left without a definite answer is sent again (same key) until it has one, so that
 *       afterwards the outcome of every write is known;
 *   <li>every write is sent once more: it must answer {@code 200} as a replay ({@code Idempotent-Replay: true}) with
 *       the {@code allowed} of its first answer: an acknowledged admission is there, exactly once;
 *   <li>each account's usage is read back through every running node and compared with the admissions the clients
 *       were told of, and with the cap.
 * </ol>
 *
 * <p>Not thread-safe; runs once, from the test's thread, with the load stopped.
 */
final class ClusterAudit {
    /** Problems kept in full in the report; the rest are only counted. */
    private static final int SHOWN = 20;

    /**
     * What the audit found for one account.
     *
     * @param admitted admissions the clients were told of, including those settled by the audit's resends
     * @param readings by node, each reading of the account's binding (e.g. {@code q used}) as that node answered
     */
    record AccountFigures(ClusterAccount account, long admitted, Map<String, Map<String, BigDecimal>> readings) {
        /** Admissions the clients were told of that the store does not hold, by the lowest reading. */
        long lost() {
            return Math.max(0, admitted - lowest().longValueExact());
        }

        /** Usage the store holds beyond what the clients were told of (a write applied twice, or never answered). */
        long extra() {
            return Math.max(0, highest().longValueExact() - admitted);
        }

        /** Admissions beyond the cap, by the clients' count or the store's, whichever is higher. */
        long overAdmitted() {
            return Math.max(0, Math.max(admitted, highest().longValueExact()) - account.cap());
        }

        private BigDecimal lowest() {
            return all().stream().min(BigDecimal::compareTo).orElseThrow();
        }

        private BigDecimal highest() {
            return all().stream().max(BigDecimal::compareTo).orElseThrow();
        }

        private List<BigDecimal> all() {
            List<BigDecimal> all = new ArrayList<>();
            readings.values().forEach(r -> all.addAll(r.values()));
            return all;
        }
    }

    /**
     * The audit's findings.
     *
     * @param writes every consume the load sent
     * @param acknowledged writes with a definite answer during the run
     * @param acknowledgedAdmissions of those, the admissions ({@code allowed: true})
     * @param settledAfterRun writes without a definite answer during the run, settled by the audit's resends
     * @param found acknowledged admissions that answered a resend as a replay of an admission
     * @param replayFailures resends that did not answer as a replay of the first answer (the first {@value #SHOWN})
     * @param replayFailureCount how many did not
     * @param unexpected definite answers other than 200 (the first {@value #SHOWN})
     * @param unexpectedCount how many
     * @param accounts per account: admissions and readings
     */
    record Report(
            long writes,
            long acknowledged,
            long acknowledgedAdmissions,
            long settledAfterRun,
            long found,
            List<String> replayFailures,
            long replayFailureCount,
            List<String> unexpected,
            long unexpectedCount,
            List<AccountFigures> accounts) {
        long lost() {
            return accounts.stream().mapToLong(AccountFigures::lost).sum();
        }

        long extra() {
            return accounts.stream().mapToLong(AccountFigures::extra).sum();
        }

        long overAdmitted() {
            return accounts.stream().mapToLong(AccountFigures::overAdmitted).sum();
        }
    }

    private final Cluster cluster;
    private final ClusterClient client;
    private final List<ClusterAccount> accounts;

    ClusterAudit(Cluster cluster, ClusterClient client, List<ClusterAccount> accounts) {
        this.cluster = cluster;
        this.client = client;
        this.accounts = List.copyOf(accounts);
    }

    /** Audits the writes of a stopped load. */
    Report audit(List<ClusterLoad.Write> writes) throws Exception {
        List<String> nodes = cluster.running();
        assertThat(nodes).as("a node to audit through").isNotEmpty();
        List<ClusterLoad.Write> acknowledged =
                writes.stream().filter(ClusterLoad.Write::definite).toList();
        long acknowledgedAdmissions = acknowledged.stream()
                .filter(w -> Boolean.TRUE.equals(w.allowed()))
                .count();
        List<ClusterLoad.Write> open =
                writes.stream().filter(w -> !w.definite()).toList();
        Set<ClusterLoad.Write> settled = Collections.newSetFromMap(new IdentityHashMap<>());
        settled.addAll(open);

        forEach(open, nodes, (w, node) -> {
            w.result = client.send(rotated(nodes, node), "POST", "/v1/consume", w.body(), ClusterClient.LOAD);
            assertThat(w.definite())
                    .as("write %s settled after the run: %s", w.key, w.result)
                    .isTrue();
        });

        List<String> unexpected = new ArrayList<>();
        for (ClusterLoad.Write w : writes) {
            ApiClient.Reply reply = w.result == null ? null : w.result.reply();
            if (reply != null && reply.status() != 200) {
                unexpected.add(w.key + " (" + w.account.customer() + ", " + w.phase + ", via " + w.result.node() + "): "
                        + reply.status() + " " + reply.text());
            }
        }

        List<String> replayFailures = new ArrayList<>();
        AtomicInteger replayFailureCount = new AtomicInteger();
        LongAdder found = new LongAdder();
        List<ClusterLoad.Write> answered200 =
                writes.stream().filter(w -> w.allowed() != null).toList();
        forEach(answered200, nodes, (w, node) -> {
            ClusterClient.Result again =
                    client.send(rotated(nodes, node), "POST", "/v1/consume", w.body(), ClusterClient.LOAD);
            ApiClient.Reply reply = again.reply();
            boolean same = reply != null
                    && reply.status() == 200
                    && reply.replayed()
                    && w.allowed().equals(reply.get("allowed"));
            if (same && Boolean.TRUE.equals(w.allowed()) && !settled.contains(w)) {
                found.increment();
            }
            if (!same && replayFailureCount.incrementAndGet() <= SHOWN) {
                synchronized (replayFailures) {
                    replayFailures.add(w.key + " (" + w.account.customer() + ", " + w.phase + ", first allowed="
                            + w.allowed() + " via " + w.result.node() + "): resend via " + again.node() + " answered "
                            + (reply == null
                                    ? "nothing definite"
                                    : reply.status() + " replay=" + reply.replayed() + " " + reply.text()));
                }
            }
        });

        List<AccountFigures> figures = new ArrayList<>();
        for (ClusterAccount account : accounts) {
            long admitted = writes.stream()
                    .filter(w -> w.account.equals(account) && Boolean.TRUE.equals(w.allowed()))
                    .count();
            Map<String, Map<String, BigDecimal>> readings = new LinkedHashMap<>();
            for (String node : nodes) {
                readings.put(
                        node, account.binding().readBack(r -> read(nodes, node, r), account.customer(), account.cap()));
            }
            figures.add(new AccountFigures(account, admitted, readings));
        }
        return new Report(
                writes.size(),
                acknowledged.size(),
                acknowledgedAdmissions,
                open.size(),
                found.sum(),
                List.copyOf(replayFailures),
                replayFailureCount.get(),
                unexpected.stream().limit(SHOWN).toList(),
                unexpected.size(),
                figures);
    }

    /** A read through {@code node} (another if it cannot be reached), retried through a move. */
    private ApiClient.Reply read(List<String> nodes, String node, ClusterAccount.Request request) {
        ClusterClient.Result r =
                client.send(rotated(nodes, node), request.method(), request.path(), request.body(), ClusterClient.LOAD);
        assertThat(r.reply()).as("%s via %s: a definite answer", request, node).isNotNull();
        return r.reply();
    }

    private static List<String> rotated(List<String> nodes, String first) {
        List<String> order = new ArrayList<>(nodes);
        Collections.rotate(order, -order.indexOf(first));
        return order;
    }

    /** What the audit does to one write through one node. */
    private interface Step {
        void apply(ClusterLoad.Write w, String node) throws Exception;
    }

    /** Runs {@code step} for every write, 16 at a time, spread over {@code nodes}; rethrows the first failure. */
    private static void forEach(List<ClusterLoad.Write> writes, List<String> nodes, Step step) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int i = 0; i < writes.size(); i++) {
                ClusterLoad.Write w = writes.get(i);
                String node = nodes.get(i % nodes.size());
                done.add(pool.submit(() -> {
                    step.apply(w, node);
                    return null;
                }));
            }
            for (Future<Void> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
    }
}
