package dev.tollgate.server;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The load of the cluster test: client threads that consume, quantity 1 and a fresh idempotency key each, against the
 * caps of the {@link ClusterAccount}s, through a {@link ClusterClient}. Thread {@code i} enters the cluster at node
 * {@code i mod n} and stays with the node that answered it last (it moves on only when its node cannot be reached).
 * Four times in five a thread picks an account that has not refused yet, so that every cap is reached.
 *
 * <p>Every write is kept with what its client learned ({@link Write}), for the audit after the run; each keeps the
 * phase of the run it was sent in, which the test names ({@link #phase}).
 *
 * <p>Thread-safe.
 */
final class ClusterLoad {
    /** One consume and what its client learned of it. */
    static final class Write {
        final ClusterAccount account;
        final String key;
        final String phase;
        volatile ClusterClient.@Nullable Result result;

        Write(ClusterAccount account, String key, String phase) {
            this.account = account;
            this.key = key;
            this.phase = phase;
        }

        /** The request, the same on every send. */
        Map<String, Object> body() {
            return account.binding().consume(account.customer(), key);
        }

        /** Whether the client had a definite answer, of any status; false while in flight or when retries ran out. */
        boolean definite() {
            ClusterClient.Result r = result;
            return r != null && r.definite();
        }

        /** The client's definite answer {@code 200}'s {@code allowed}; null without one. */
        @Nullable
        Boolean allowed() {
            ClusterClient.Result r = result;
            if (r == null || r.reply() == null || r.reply().status() != 200) {
                return null;
            }
            return (Boolean) r.reply().get("allowed");
        }
    }

    private final Cluster cluster;
    private final ClusterClient client;
    private final List<ClusterAccount> accounts;
    private final long seed;
    private final List<Thread> workers = new ArrayList<>();
    private final ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final LongAdder admitted = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final LongAdder forwarded = new LongAdder();
    private volatile String phase = "start";
    private volatile boolean stopping;

    ClusterLoad(Cluster cluster, ClusterClient client, List<ClusterAccount> accounts, long seed) {
        this.cluster = cluster;
        this.client = client;
        this.accounts = List.copyOf(accounts);
        this.seed = seed;
    }

    /** Starts {@code threads} client threads. */
    void start(int threads) {
        for (int i = 0; i < threads; i++) {
            int thread = i;
            Thread t = new Thread(() -> run(thread), "cluster-client-" + i);
            t.setDaemon(true);
            workers.add(t);
        }
        workers.forEach(Thread::start);
    }

    private void run(int thread) {
        Random random = new Random(seed + thread);
        List<String> ids = cluster.ids();
        int home = thread % ids.size();
        try {
            for (long n = 0; !stopping; n++) {
                List<String> order = new ArrayList<>();
                for (int k = 0; k < ids.size(); k++) {
                    order.add(ids.get((home + k) % ids.size()));
                }
                Write w = consume(pick(random), order, ClusterClient.LOAD, "t" + thread + "-" + n);
                home = ids.indexOf(w.result == null ? order.get(0) : w.result.node());
            }
        } catch (RuntimeException | AssertionError e) {
            failures.add(e);
        }
    }

    private ClusterAccount pick(Random random) {
        List<ClusterAccount> open =
                accounts.stream().filter(a -> !refused.contains(a.customer())).toList();
        List<ClusterAccount> from = open.isEmpty() || random.nextInt(5) == 0 ? accounts : open;
        return from.get(random.nextInt(from.size()));
    }

    /**
     * Sends one consume of {@code account} until a definite answer or the policy's end, and keeps it.
     *
     * @param nodes where to send it, the first preferred
     * @param key unique within the run
     */
    Write consume(ClusterAccount account, List<String> nodes, ClusterClient.Policy policy, String key) {
        Write w = new Write(account, key, phase);
        writes.add(w);
        ClusterClient.Result result = client.send(nodes, "POST", "/v1/consume", w.body(), policy);
        w.result = result;
        if (result.definite()) {
            answered.increment();
            if (!result.node().equals(account.ownerAmong(cluster.running()))) {
                forwarded.increment();
            }
        }
        Boolean allowed = w.allowed();
        if (Boolean.TRUE.equals(allowed)) {
            admitted.increment();
        } else if (Boolean.FALSE.equals(allowed)) {
            refused.add(account.customer());
        }
        return w;
    }

    /** Names the phase of the run that the writes sent from now on belong to. */
    void phase(String name) {
        phase = name;
    }

    /** The admissions the clients have been told of so far. */
    long admitted() {
        return admitted.sum();
    }

    /** The sum of the accounts' caps. */
    long capacity() {
        return accounts.stream().mapToLong(ClusterAccount::cap).sum();
    }

    /** Whether every account has refused a consume: every cap has been reached. */
    boolean everyCapReached() {
        return refused.size() == accounts.size();
    }

    /**
     * The share of definite answers that came from a node other than the customer's owner by placement among the
     * running nodes, i.e. that the node forwarded (approximate around a move).
     */
    BigDecimal forwardedShare() {
        long all = answered.sum();
        return all == 0
                ? BigDecimal.ZERO
                : BigDecimal.valueOf(forwarded.sum()).divide(BigDecimal.valueOf(all), 3, RoundingMode.HALF_UP);
    }

    /** Stops the threads after their current write (which may retry for a while) and waits for them. */
    void stop() throws InterruptedException {
        stopping = true;
        for (Thread t : workers) {
            t.join();
        }
    }

    /** Every write so far, in the order they were started. */
    List<Write> writes() {
        return List.copyOf(writes);
    }

    /** What went wrong in a client thread (it then stopped): should be nothing. */
    List<Throwable> failures() {
        return List.copyOf(failures);
    }
}
