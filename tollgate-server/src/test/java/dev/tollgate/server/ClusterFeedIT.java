package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.client.CheckRequest;
import dev.tollgate.client.Decision;
import dev.tollgate.client.Entitlement;
import dev.tollgate.client.LeaseSettings;
import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 19: the change feed spans the cluster, and the SDK routes to owners and survives the loss of its node.
 *
 * <p>Three nodes ({@link Cluster}, lease 3 s) on a fresh schema; six customers, two owned by each node. The SDK's base
 * URL is {@code n2}; two raw feeds of every customer are read, one through {@code n1}, one through {@code n2}. Each
 * customer moves through plans {@code tier-1} to {@code tier-8} (feature {@code q} limited to the tier's number), one
 * change at a time: the next is written only once the SDK's cache shows the last, so that no change can be coalesced
 * into the next and every one of them must reach the SDK. After {@code tier-4}, {@code n2} is killed with SIGKILL: an
 * owner (its customers move to the others), the SDK's node (the SDK goes on through another live node, from the
 * cluster map) and the node of one raw feed (resumed through {@code n3} with its last cursor).
 *
 * <p>Then, per customer: the SDK's cache shows {@code tier-8}; in each raw feed (the one through {@code n2} joined with
 * its resumption) the states go {@code 1..8} in order, each once, except that a state may come once more only when the
 * customer's fencing epoch rose (its new owner's state as loaded), and every event's version (epoch, owner's cursor) is
 * above the last one. While {@code n2} is up, twenty server calls of the SDK for a customer owned elsewhere cost
 * {@code n2} at most one forward: the SDK learned the owner from the first answer.
 */
final class ClusterFeedIT {
    private static final int TIERS = 8;
    private static final int KILL_AFTER = 4;

    /**
     * Reads a raw feed on a thread of its own as it comes, keeping every event and each customer's last state, so that a
     * change is written only once every reader connected has its previous one (a reader behind would be sent the later
     * state alone: coalesced, as the contract allows for a subscriber that is behind).
     */
    private static final class Recorder implements AutoCloseable {
        final List<EventStream.Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Map<String, Integer> last = new java.util.concurrent.ConcurrentHashMap<>();
        private final EventStream stream;
        private final Thread thread;
        private volatile boolean stop;

        Recorder(EventStream stream) {
            this.stream = stream;
            this.thread = new Thread(this::read, "feed-recorder");
            thread.setDaemon(true);
            thread.start();
        }

        private void read() {
            try {
                while (!stop) {
                    EventStream.Event e = stream.poll(Duration.ofMillis(50));
                    if (e != null) {
                        events.add(e);
                        last.put(e.customerId(), limitOf(e));
                    } else if (stream.ended()) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Whether this reader is done: its stream ended and every event it received is kept. */
        boolean finished() {
            return !thread.isAlive();
        }

        @Override
        public void close() {
            stop = true;
            stream.close();
        }
    }

    @Test
    void an_sdk_on_one_node_sees_every_change_of_every_owner_once_through_a_kill_9() throws Exception {
        Path logs = Path.of("target", "cluster-it", "feed-" + System.nanoTime()).toAbsolutePath();
        try (Cluster cluster = Cluster.start(3, logs)) {
            run(cluster);
        } catch (AssertionError e) {
            throw new AssertionError("nodes' logs in " + logs + ": " + e.getMessage(), e);
        }
    }

    private static void run(Cluster cluster) throws Exception {
        cluster.awaitMembership();
        List<String> all = cluster.ids();
        ClusterClient client = new ClusterClient(cluster);
        definite(client.send(List.of("n1"), "PUT", "/v1/catalog", catalog(), ClusterClient.LOAD), 200);
        List<String> customers = new ArrayList<>();
        for (String node : all) {
            for (int i = 0; i < 2; i++) {
                String c = ClusterAccount.named("feed-" + node + "-" + i, node, all);
                customers.add(c);
                definite(client.send(all, "PUT", "/v1/customers/" + c, Map.of("name", c), ClusterClient.LOAD), 200);
                subscribe(client, all, c, 1);
            }
        }
        ExecutorService writers = Executors.newFixedThreadPool(customers.size());
        try (Recorder viaN1 = new Recorder(EventStream.open(cluster.node("n1").port(), "/v1/stream", null));
                Recorder viaN2 =
                        new Recorder(EventStream.open(cluster.node("n2").port(), "/v1/stream", null));
                Tollgate sdk = Tollgate.builder()
                        .baseUrl("http://127.0.0.1:" + cluster.node("n2").port())
                        .apiKey(ApiClient.KEY)
                        .cacheTtl(Duration.ofHours(1)) // only the feed can change what the cache shows
                        .leases(LeaseSettings.disabled())
                        .build()) {
            for (String c : customers) {
                assertThat(limit(sdk, c)).as("%s read once", c).isEqualTo(1);
            }
            int forwards = directCalls(cluster, sdk, customers.get(customers.size() - 1)); // owned by n3

            changes(writers, client, sdk, List.of(viaN1, viaN2), customers, List.of("n1", "n2", "n3"), 2, KILL_AFTER);
            long killedAt = System.nanoTime();
            cluster.kill("n2");
            await().atMost(Duration.ofSeconds(60)).until(viaN2::finished);
            List<EventStream.Event> beforeKill = List.copyOf(viaN2.events);
            String lastId = beforeKill.get(beforeKill.size() - 1).id();
            try (Recorder resumed =
                    new Recorder(EventStream.open(cluster.node("n3").port(), "/v1/stream", lastId))) {
                changes(
                        writers,
                        client,
                        sdk,
                        List.of(viaN1, resumed),
                        customers,
                        List.of("n1", "n3"),
                        KILL_AFTER + 1,
                        TIERS);
                Duration converged = Duration.ofNanos(System.nanoTime() - killedAt);
                for (String c : customers) {
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        Decision d = sdk.check(CheckRequest.of(c, "q"));
                        assertThat(d.source())
                                .as("%s through the SDK after its node died", c)
                                .isEqualTo(Source.SERVER);
                    });
                }
                List<EventStream.Event> n2Events = new ArrayList<>(beforeKill);
                n2Events.addAll(resumed.events);
                Map<String, Integer> repeatsN1 = assertEveryChangeOnce("through n1", viaN1.events, customers);
                Map<String, Integer> repeatsN2 = assertEveryChangeOnce("through n2, then n3", n2Events, customers);
                System.out.printf(
                        "ClusterFeedIT: customers=%d changes-each=%d sdk-saw-every-change=true"
                                + " forwards-on-sdk-node-for-20-calls=%d sdk-converged-after-kill-9=%d ms"
                                + " events-through-n1=%d repeated-on-move=%s events-through-n2-then-n3=%d"
                                + " (resumed with %d) repeated-on-move=%s%n",
                        customers.size(),
                        TIERS,
                        forwards,
                        converged.toMillis(),
                        viaN1.events.size(),
                        repeatsN1,
                        n2Events.size(),
                        resumed.events.size(),
                        repeatsN2);
            }
        } finally {
            writers.shutdownNow();
        }
    }

    /**
     * Twenty server calls of the SDK for a customer its node does not own: forwarded at most once (the first, whose
     * answer names the owner), then sent straight to the owner. Answers how many the SDK's node forwarded.
     */
    private static int directCalls(Cluster cluster, Tollgate sdk, String customer) {
        double before = forwards(cluster.node("n2"));
        for (int i = 0; i < 20; i++) {
            assertThat(sdk.check(CheckRequest.of(customer, "q")).source()).isEqualTo(Source.SERVER);
        }
        int forwarded = (int) (forwards(cluster.node("n2")) - before);
        assertThat(forwarded)
                .as("calls of %s (owned by n3) forwarded by the SDK's node n2", customer)
                .isLessThanOrEqualTo(1);
        return forwarded;
    }

    private static double forwards(ServerProcess node) {
        return node.get("/metrics")
                .text()
                .lines()
                .filter(l -> l.startsWith("tollgate_cluster_forwards_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /**
     * Moves every customer through tiers {@code from..to}, each change only once the SDK's cache and every reader show
     * the last.
     */
    private static void changes(
            ExecutorService writers,
            ClusterClient client,
            Tollgate sdk,
            List<Recorder> readers,
            List<String> customers,
            List<String> through,
            int from,
            int to) {
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (String c : customers) {
            running.add(CompletableFuture.runAsync(
                    () -> {
                        for (int tier = from; tier <= to; tier++) {
                            subscribe(client, through, c, tier);
                            int expected = tier;
                            await().atMost(Duration.ofSeconds(60))
                                    .pollInterval(Duration.ofMillis(10))
                                    .untilAsserted(() -> {
                                        assertThat(limit(sdk, c))
                                                .as("%s in the SDK's cache", c)
                                                .isEqualTo(expected);
                                        for (Recorder r : readers) {
                                            assertThat(r.last.get(c))
                                                    .as("%s in a raw feed", c)
                                                    .isEqualTo(expected);
                                        }
                                    });
                        }
                    },
                    writers));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
    }

    private static void subscribe(ClusterClient client, List<String> through, String customer, int tier) {
        definite(
                client.send(
                        through,
                        "PUT",
                        "/v1/customers/" + customer + "/subscription",
                        Map.of("plan", "tier-" + tier),
                        ClusterClient.LOAD),
                200);
    }

    /** The limit of {@code q} in the SDK's cache (read from the server only the first time). */
    private static int limit(Tollgate sdk, String customer) {
        for (Entitlement e : sdk.entitlements(customer)) {
            if (e.feature().equals("q")) {
                BigDecimal limit = e.limit();
                assertThat(limit).as("%s: %s", customer, e).isNotNull();
                return limit.intValueExact();
            }
        }
        throw new AssertionError(customer + " has no q");
    }

    /**
     * Per customer: every version above the last, the states {@code 1..TIERS} in order with nothing missing; a state
     * may come again (a move, a write sent again), never an older one. Answers the repeats per customer.
     */
    private static Map<String, Integer> assertEveryChangeOnce(
            String feed, List<EventStream.Event> events, List<String> customers) {
        Map<String, Integer> repeats = new LinkedHashMap<>();
        for (String c : customers) {
            List<Integer> states = new ArrayList<>();
            long epoch = -1;
            long ownerCursor = -1;
            int repeated = 0;
            for (EventStream.Event e : events) {
                if (!c.equals(e.customerId())) {
                    continue;
                }
                long ep = ((Number) e.data().get("epoch")).longValue();
                long oc = Long.parseLong((String) e.data().get("ownerCursor"));
                assertThat(ep > epoch || (ep == epoch && oc > ownerCursor))
                        .as("%s, %s: version (%d, %d) after (%d, %d)", feed, c, ep, oc, epoch, ownerCursor)
                        .isTrue();
                int state = limitOf(e);
                if (!states.isEmpty() && states.get(states.size() - 1) == state) {
                    // sent again: by the new owner after a move, or by the owner after a write it answered 504 was
                    // sent again (the state is the same, its version is higher: checked above)
                    repeated++;
                } else {
                    states.add(state);
                }
                epoch = ep;
                ownerCursor = oc;
            }
            assertThat(states)
                    .as("%s, %s: every change, once, in order", feed, c)
                    .containsExactlyElementsOf(
                            IntStream.rangeClosed(1, TIERS).boxed().toList());
            repeats.put(c, repeated);
        }
        return repeats;
    }

    @SuppressWarnings("unchecked")
    private static int limitOf(EventStream.Event e) {
        for (Map<String, Object> f : (List<Map<String, Object>>) e.data().get("entitlements")) {
            if ("q".equals(f.get("feature"))) {
                return ((Number) f.get("limit")).intValue();
            }
        }
        throw new AssertionError("no q in " + e);
    }

    /** Feature {@code q}; plans {@code tier-1..tier-8}, each limiting {@code q} to its number. */
    private static Map<String, Object> catalog() {
        List<Object> plans = new ArrayList<>();
        for (int tier = 1; tier <= TIERS; tier++) {
            plans.add(Map.of("key", "tier-" + tier, "entitlements", Map.of("q", Map.of("limit", tier))));
        }
        return Map.of("features", List.of(Map.of("key", "q", "type", "metered")), "plans", plans);
    }

    private static ApiClient.Reply definite(ClusterClient.Result result, int status) {
        assertThat(result.reply())
                .as("a definite answer from %s", result.node())
                .isNotNull();
        assertThat(result.reply().status()).as(result.reply().text()).isEqualTo(status);
        return result.reply();
    }
}
