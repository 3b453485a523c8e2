package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.core.cluster.Rendezvous;
import dev.tollgate.core.store.Ownership;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 19: three servers on one PostgreSQL are one cluster, and still exact when one dies and another freezes.
 *
 * <p>Three nodes ({@link Cluster}) on a fresh schema, lease 3 s. Six customers, two owned by each node at the start,
 * each capped by its plan's hard limit, a hard team budget or a hard credit balance ({@link ClusterAccount}). 64
 * client threads spread over the three nodes consume, quantity 1 and a fresh key each, retrying 503 and 504 with the
 * same key ({@link ClusterLoad}, {@link ClusterClient}). Once a fifth of the caps is admitted, {@code n2} is killed
 * with SIGKILL; once {@code n1} has answered for its customers, {@code n3} is frozen with SIGSTOP until {@code n1} sees
 * it dead (past its lease) and has answered for its customers too, then resumed with SIGCONT: the writes it held when
 * it froze must fail. The load runs until every cap has refused.
 *
 * <p>Then ({@link ClusterAudit}): every acknowledged write answers a resend as a replay of its first answer; each
 * customer's usage, read through each remaining node (entitlements, a check, its budget or balance), equals the
 * admissions the clients were told of (no lost write, none twice) and its cap exactly (no over-admission, no spurious
 * refusal); and {@code verify} over the stopped cluster's store finds no difference.
 *
 * <p>{@code -Dtollgate.seed=...} replays the clients' choices (the faults' moments depend on timing too); {@code
 * -Dtollgate.cluster.scale=X} multiplies the budgets and grants (default 1: caps of about 3400 admissions). The nodes'
 * logs are in {@code target/cluster-it/seed-<seed>/}.
 */
final class ClusterIT {
    private static final int THREADS = 64;

    @Test
    void three_servers_admit_exactly_through_a_kill_9_and_a_sigstop_past_the_lease() throws Exception {
        long seed = Long.getLong("tollgate.seed", System.nanoTime());
        double scale = Double.parseDouble(System.getProperty("tollgate.cluster.scale", "1"));
        Path logs = Path.of("target", "cluster-it", "seed-" + seed).toAbsolutePath();
        System.out.println("ClusterIT seed=" + seed + " logs=" + logs);
        try (Cluster cluster = Cluster.start(3, logs)) {
            run(cluster, seed, scale);
        } catch (AssertionError e) {
            throw new AssertionError(
                    "ClusterIT failed with seed=" + seed + "; nodes' logs in " + logs + ": " + e.getMessage(), e);
        }
    }

    /**
     * Regression (found by the test above, which set customers up through every node): a catalog published through one
     * node is in force on every node once its {@code PUT} has answered. Right after it, a subscription to one of its
     * plans, sent through the node that owns the customer but not the catalog, was refused {@code 400 PLAN_NOT_FOUND}
     * until that node read the new version from the store (every 2 s), a definite refusal that a client does not
     * retry.
     */
    @Test
    void a_catalog_published_through_one_node_is_in_force_on_every_node_when_its_put_answers() {
        Path logs =
                Path.of("target", "cluster-it", "catalog-" + System.nanoTime()).toAbsolutePath();
        try (Cluster cluster = Cluster.start(3, logs)) {
            cluster.awaitMembership();
            List<String> all = cluster.ids();
            String catalogOwner = Rendezvous.owner(Ownership.GLOBAL, all).orElseThrow();
            List<String> others =
                    all.stream().filter(n -> !n.equals(catalogOwner)).toList();
            ClusterClient client = new ClusterClient(cluster);
            for (int version = 1; version <= 2; version++) {
                String plan = "plan-" + version;
                ApiClient.Reply catalog = definite(client.send(
                        List.of(others.get(0)), "PUT", "/v1/catalog", catalogUpTo(version), ClusterClient.LOAD));
                assertThat(catalog.status()).as(catalog.text()).isEqualTo(200);
                for (String node : others) {
                    String customer = ClusterAccount.named("v" + version + "-on-" + node, node, all);
                    List<String> through = List.of(node);
                    ApiClient.Reply created = definite(client.send(
                            through, "PUT", "/v1/customers/" + customer, Map.of("name", customer), ClusterClient.LOAD));
                    assertThat(created.status()).as(created.text()).isEqualTo(200);
                    ApiClient.Reply subscribed = definite(client.send(
                            through,
                            "PUT",
                            "/v1/customers/" + customer + "/subscription",
                            Map.of("plan", plan),
                            ClusterClient.LOAD));
                    assertThat(subscribed.status())
                            .as(
                                    "%s subscribed to %s of catalog version %d through %s (the catalog's owner is %s): %s",
                                    customer, plan, version, node, catalogOwner, subscribed.text())
                            .isEqualTo(200);
                }
            }
        } catch (AssertionError e) {
            throw new AssertionError("nodes' logs in " + logs + ": " + e.getMessage(), e);
        }
    }

    /** The test's catalog with plans {@code plan-1} to {@code plan-<version>} besides. */
    private static Map<String, Object> catalogUpTo(int version) {
        Map<String, Object> catalog = new LinkedHashMap<>(ClusterAccount.catalog());
        List<Object> plans = new ArrayList<>((List<?>) catalog.get("plans"));
        for (int v = 1; v <= version; v++) {
            plans.add(Map.of("key", "plan-" + v, "entitlements", Map.of("q", Map.of("limit", 10))));
        }
        catalog.put("plans", plans);
        return catalog;
    }

    private static void run(Cluster cluster, long seed, double scale) throws Exception {
        cluster.awaitMembership();
        List<String> all = cluster.ids();
        List<ClusterAccount> accounts = ClusterAccount.placed(all, scale);
        ClusterClient client = new ClusterClient(cluster);
        setUp(cluster, client, accounts);

        ClusterLoad load = new ClusterLoad(cluster, client, accounts, seed);
        load.start(THREADS);
        await().atMost(Duration.ofMinutes(2))
                .failFast("a client thread failed", () -> !load.failures().isEmpty())
                .until(() -> load.admitted() >= load.capacity() / 5);
        Map<String, Long> admittedAt = new TreeMap<>();
        admittedAt.put("1 kill -9 n2", load.admitted());

        load.phase("after kill -9 of n2");
        long killedAt = System.nanoTime();
        cluster.kill("n2");
        Duration killTakeOver = takeOver(load, placedOn("n2", all, accounts), "n1", killedAt);
        cluster.awaitMembership();
        admittedAt.put("2 SIGSTOP n3", load.admitted());

        load.phase("n3 frozen");
        long pausedAt = System.nanoTime();
        cluster.pause("n3");
        cluster.awaitMembership();
        Duration pauseTakeOver = takeOver(load, placedOn("n3", List.of("n1", "n3"), accounts), "n1", pausedAt);
        admittedAt.put("3 SIGCONT n3", load.admitted());
        load.phase("n3 resumed");
        cluster.resume("n3");
        cluster.awaitMembership();
        System.out.println("ClusterIT views after SIGCONT:\n" + cluster.describe());

        await().atMost(Duration.ofMinutes(2))
                .failFast("a client thread failed", () -> !load.failures().isEmpty())
                .until(load::everyCapReached);
        load.stop();
        admittedAt.put("4 end", load.admitted());

        ClusterAudit.Report report = new ClusterAudit(cluster, client, accounts).audit(load.writes());
        System.out.println("ClusterIT views at the end:\n" + cluster.describe() + metrics(cluster));
        cluster.stop();
        ServerProcess.Result verify = cluster.verify();

        print(seed, report, load, client, new TakeOvers(killTakeOver, pauseTakeOver, admittedAt), verify);
        assertExact(report, load, client, verify);
    }

    /**
     * What the faults took.
     *
     * @param afterKill from the SIGKILL until a survivor answered for a customer of the killed node
     * @param afterPause from the SIGSTOP until a survivor answered for a customer of the frozen node
     * @param admittedAt the admissions acknowledged at each step of the run
     */
    private record TakeOvers(Duration afterKill, Duration afterPause, Map<String, Long> admittedAt) {}

    private static void print(
            long seed,
            ClusterAudit.Report report,
            ClusterLoad load,
            ClusterClient client,
            TakeOvers takeOvers,
            ServerProcess.Result verify) {
        System.out.printf(
                "ClusterIT seed=%d: writes=%d acknowledged=%d acknowledged-admissions=%d settled-after-run=%d"
                        + " writes-found=%d over-admissions=%d lost-writes=%d extra-writes=%d"
                        + " take-over-after-kill-9=%d ms take-over-after-sigstop=%d ms forwarded-share=%s"
                        + " attempts=%d retries=%s admitted-at=%s verify-exit=%d%n",
                seed,
                report.writes(),
                report.acknowledged(),
                report.acknowledgedAdmissions(),
                report.settledAfterRun(),
                report.found(),
                report.overAdmitted(),
                report.lost(),
                report.extra(),
                takeOvers.afterKill().toMillis(),
                takeOvers.afterPause().toMillis(),
                load.forwardedShare(),
                client.attempts(),
                client.retries(),
                takeOvers.admittedAt(),
                verify.exitCode());
        report.accounts()
                .forEach(a -> System.out.printf(
                        "ClusterIT   %s (%s, cap %d): admitted %d, read back %s%n",
                        a.account().customer(),
                        a.account().binding(),
                        a.account().cap(),
                        a.admitted(),
                        a.readings()));
    }

    private static void assertExact(
            ClusterAudit.Report report, ClusterLoad load, ClusterClient client, ServerProcess.Result verify) {
        assertThat(load.failures()).as("client threads that failed").isEmpty();
        assertThat(report.unexpected())
                .as("definite answers other than 200 (%d)", report.unexpectedCount())
                .isEmpty();
        assertThat(client.retries().keySet())
                .as("a 503 of a move says when to retry")
                .doesNotContain("503 NOT_OWNER without Retry-After", "503 OWNER_UNREACHABLE without Retry-After");
        assertThat(report.replayFailures())
                .as("resends that were no replay of the first answer (%d)", report.replayFailureCount())
                .isEmpty();
        assertThat(report.found()).as("writes found").isEqualTo(report.acknowledgedAdmissions());
        assertThat(report.lost()).as("lost writes").isZero();
        assertThat(report.extra()).as("writes the clients were not told of").isZero();
        assertThat(report.overAdmitted()).as("over-admissions").isZero();
        report.accounts()
                .forEach(a -> assertThat(a.admitted())
                        .as("%s refused, so its cap was reached exactly: admitted", a.account())
                        .isEqualTo(a.account().cap()));
        assertThat(verify.output()).as("verify over the shared store").contains("\"differences\":0");
        assertThat(verify.exitCode()).as(verify.output()).isZero();
    }

    /** Publishes the catalog through n1 and sets the customers up, each through another node. */
    private static void setUp(Cluster cluster, ClusterClient client, List<ClusterAccount> accounts) {
        List<String> nodes = cluster.ids();
        ClusterClient.Result catalog =
                client.send(List.of(nodes.get(0)), "PUT", "/v1/catalog", ClusterAccount.catalog(), ClusterClient.LOAD);
        assertThat(catalog.reply()).as("the catalog through %s", nodes.get(0)).isNotNull();
        assertThat(catalog.reply().status()).as(catalog.reply().text()).isEqualTo(200);
        for (int i = 0; i < accounts.size(); i++) {
            ClusterAccount a = accounts.get(i);
            String entry = nodes.get(i % nodes.size());
            try {
                a.binding()
                        .provision(
                                r -> definite(client.send(
                                        List.of(entry), r.method(), r.path(), r.body(), ClusterClient.LOAD)),
                                a.customer(),
                                a.cap());
            } catch (AssertionError e) {
                throw new AssertionError("setting up " + a + " through " + entry + ": " + e.getMessage(), e);
            }
        }
    }

    private static ApiClient.Reply definite(ClusterClient.Result result) {
        assertThat(result.reply())
                .as("a definite answer from %s", result.node())
                .isNotNull();
        return result.reply();
    }

    /** The accounts that rendezvous placement over {@code live} gives to {@code node}; at least one. */
    private static List<ClusterAccount> placedOn(String node, List<String> live, List<ClusterAccount> accounts) {
        List<ClusterAccount> placed =
                accounts.stream().filter(a -> a.ownerAmong(live).equals(node)).toList();
        assertThat(placed).as("customers placed on %s among %s", node, live).isNotEmpty();
        return placed;
    }

    /**
     * The time from {@code sinceNanos} (a fault) until {@code survivor} answers a consume of the first of {@code
     * moved}, customers the fault took from their owner: the take-over, as a client sees it (a consume every 25 ms
     * until then). Then the survivor writes for each of them: ten consumes each, every one answered.
     */
    private static Duration takeOver(ClusterLoad load, List<ClusterAccount> moved, String survivor, long sinceNanos) {
        String key = "probe-" + survivor + "-" + sinceNanos;
        ClusterLoad.Write first = load.consume(moved.get(0), List.of(survivor), ClusterClient.PROBE, key);
        Duration took = Duration.ofNanos(System.nanoTime() - sinceNanos);
        assertThat(first.allowed())
                .as("%s answers for %s after the fault: %s", survivor, moved.get(0), first.result)
                .isNotNull();
        for (ClusterAccount account : moved) {
            for (int i = 0; i < 10; i++) {
                ClusterLoad.Write w = load.consume(
                        account, List.of(survivor), ClusterClient.LOAD, key + "-" + account.customer() + "-" + i);
                assertThat(w.allowed())
                        .as("%s writes for %s after the take-over: %s", survivor, account, w.result)
                        .isNotNull();
            }
        }
        return took;
    }

    /** The nodes' metrics of forwards, moves, owners and fencing, for the log of a run. */
    private static String metrics(Cluster cluster) {
        StringBuilder text = new StringBuilder();
        for (String id : cluster.running()) {
            String lines = cluster.node(id)
                    .get("/metrics")
                    .text()
                    .lines()
                    .filter(l -> !l.startsWith("#"))
                    .filter(l -> l.matches("(?i).*(forward|fenc|move|owner|cluster).*"))
                    .collect(Collectors.joining("\n  "));
            text.append(id).append(" metrics:\n  ").append(lines).append('\n');
        }
        return text.toString();
    }
}
