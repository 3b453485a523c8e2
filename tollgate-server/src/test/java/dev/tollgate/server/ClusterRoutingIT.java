package dev.tollgate.server;

import static dev.tollgate.server.JvmCluster.alive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.server.JvmCluster.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three servers on one PostgreSQL schema, in this JVM: any of them answers any request, forwarding to the owner; a
 * batch of events naming customers of several owners is split and merged; the customer list and the alert log span
 * them; any node streams the changes of every customer, each from its owner, and a stream resumes on another node; a
 * server that leaves hands its customers over with their usage and keys.
 * (Faults with real processes: {@code ClusterIT}.)
 */
final class ClusterRoutingIT {
    private static final List<String> CUSTOMERS = List.of("acme", "globex", "initech", "umbrella", "hooli", "stark");

    private JvmCluster cluster;
    private List<Node> clients;

    @BeforeEach
    void start() throws Exception {
        cluster = JvmCluster.start(3);
        clients = cluster.nodes();
        assertThat(clients.get(0).applySampleCatalog().status()).isEqualTo(200);
        for (int i = 0; i < CUSTOMERS.size(); i++) {
            Node via = clients.get(i % 3);
            String c = CUSTOMERS.get(i);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(via.put("/v1/customers/" + c, Map.of("name", c))
                                    .status())
                            .isEqualTo(200));
            await().atMost(Duration.ofSeconds(10)) // the catalog reaches every node within 2 s
                    .untilAsserted(() -> assertThat(
                                    via.put("/v1/customers/" + c + "/subscription", Map.of("plan", "free"))
                                            .status())
                            .isEqualTo(200));
        }
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<String> owned(Node c) {
        return ((Map<String, Object>) c.get("/v1/cluster").body().get("epochs")).keySet();
    }

    @Test
    void every_node_answers_for_every_customer_and_the_hard_limit_holds_across_them() {
        for (int i = 0; i < 12; i++) {
            ApiClient.Reply r = clients.get(i % 3).consume("acme", "agent-runs", 1, "run-" + i);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.body().get("allowed")).as("run %d", i).isEqualTo(i < 3);
        }
        ApiClient.Reply again = clients.get(2).consume("acme", "agent-runs", 1, "run-0");
        assertThat(again.replayed())
                .as("a retry through another node is a replay")
                .isTrue();
        for (Node c : clients) {
            assertThat(c.check("acme", "agent-runs").decimal("used")).isEqualByComparingTo("3");
        }
        Set<String> all = new HashSet<>();
        int total = 0;
        for (Node c : clients) {
            Set<String> mine = owned(c);
            total += mine.size();
            all.addAll(mine);
        }
        assertThat(all).as("every customer has one owner").containsAll(CUSTOMERS);
        assertThat(total).as("and only one").isEqualTo(CUSTOMERS.size() + 1); // + _system
    }

    /**
     * A request marked as relayed by a node is believed only with that node's proof, and refused without it; before,
     * a client could set the mark and be served as a node (its customer not forwarded, one node's share of a list or a
     * feed, a credential change answered before it reached every node).
     */
    @Test
    void a_request_marked_as_forwarded_by_a_node_without_its_proof_is_refused_and_nothing_is_applied() {
        Node notOwner = clients.stream()
                .filter(c -> !owned(c).contains("acme"))
                .findFirst()
                .orElseThrow();
        String key = "Bearer " + ApiClient.KEY;
        for (Map<String, String> forged : List.of(
                Map.of("Authorization", key, "X-Tollgate-Forwarded-By", "n1"),
                Map.of("Authorization", key, "X-Tollgate-Forwarded-By", "n1", "X-Tollgate-Node-Proof", "00ff"))) {
            ApiClient.Reply consume = notOwner.call(
                    "POST",
                    "/v1/consume",
                    Map.of("customerId", "acme", "feature", "agent-runs", "quantity", 1, "idempotencyKey", "forged"),
                    forged);
            assertThat(consume.status()).as("%s %s", forged, consume.text()).isEqualTo(403);
            assertThat(consume.error())
                    .containsEntry("code", "NODE_PROOF_INVALID")
                    .containsEntry("field", "X-Tollgate-Forwarded-By");
            ApiClient.Reply list = notOwner.call("GET", "/v1/customers", null, forged);
            assertThat(list.status()).as("%s %s", forged, list.text()).isEqualTo(403);
        }
        assertThat(notOwner.check("acme", "agent-runs").decimal("used"))
                .as("nothing applied")
                .isEqualByComparingTo("0");
        assertThat(notOwner.consume("acme", "agent-runs", 1, "unmarked").status())
                .as("the same request without the mark is forwarded and served")
                .isEqualTo(200);
    }

    @Test
    void an_id_that_is_no_id_is_refused_by_any_node_as_a_single_server_refuses_it() {
        for (Node c : clients) {
            ApiClient.Reply path = c.put(
                    "/v1/customers/a%00b/scopes/team/budgets/b2",
                    Map.of("feature", "ai-queries", "limit", 100, "period", "month"));
            assertThat(path.status()).as(path.text()).isEqualTo(400);
            assertThat(path.error()).containsEntry("code", "INVALID_ID");
            ApiClient.Reply body = c.post(
                    "/v1/consume",
                    Map.of("customerId", "a\u0000b", "feature", "ai-queries", "quantity", 1, "idempotencyKey", "k"));
            assertThat(body.status()).as(body.text()).isEqualTo(400);
            assertThat(body.error()).as("a NUL in a JSON string").containsEntry("code", "INVALID_STRING");
            ApiClient.Reply events = c.post(
                    "/v1/events",
                    Map.of(
                            "events",
                            List.of(
                                    Map.of(
                                            "idempotencyKey",
                                            "e",
                                            "customerId",
                                            "-x",
                                            "feature",
                                            "ai-queries",
                                            "quantity",
                                            1),
                                    Map.of(
                                            "idempotencyKey",
                                            "e",
                                            "customerId",
                                            "acme",
                                            "feature",
                                            "ai-queries",
                                            "quantity",
                                            1))));
            assertThat(events.status()).as(events.text()).isEqualTo(200);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> results = (List<Map<String, Object>>) events.get("results");
            assertThat(results.get(0))
                    .as("the event without a valid customer is rejected alone, the batch served")
                    .containsEntry("status", "rejected")
                    .containsEntry("code", "INVALID_ID");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void a_batch_of_events_of_several_owners_is_split_and_answered_in_its_order() {
        List<Object> events = new ArrayList<>();
        for (int i = 0; i < CUSTOMERS.size(); i++) {
            events.add(Map.of(
                    "idempotencyKey", "e" + i, "customerId", CUSTOMERS.get(i), "feature", "ai-queries", "quantity", 2));
        }
        events.add(Map.of("idempotencyKey", "bad", "customerId", "acme", "feature", "ai-queries", "quantity", -1));
        events.add(Map.of("idempotencyKey", "e0", "customerId", "acme", "feature", "ai-queries", "quantity", 2));
        ApiClient.Reply r = clients.get(1).post("/v1/events", Map.of("events", events));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        List<Map<String, Object>> results = (List<Map<String, Object>>) r.body().get("results");
        assertThat(results).hasSize(CUSTOMERS.size() + 2);
        for (int i = 0; i < results.size(); i++) {
            assertThat(((Number) results.get(i).get("index")).intValue()).isEqualTo(i);
        }
        assertThat(results.subList(0, CUSTOMERS.size()))
                .allSatisfy(e -> assertThat(e.get("status")).isEqualTo("accepted"));
        assertThat(results.get(CUSTOMERS.size()).get("status")).isEqualTo("rejected");
        assertThat(((Number) r.body().get("accepted")).intValue()).isEqualTo(CUSTOMERS.size());
        assertThat(((Number) r.body().get("duplicates")).intValue())
                .as("the repeated key")
                .isEqualTo(1);
        assertThat(((Number) r.body().get("rejected")).intValue()).isEqualTo(1);
        for (String c : CUSTOMERS) {
            assertThat(clients.get(0).check(c, "ai-queries").decimal("used"))
                    .as(c)
                    .isEqualByComparingTo("2");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_customer_list_spans_the_nodes_page_by_page() {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            assertThat(++pages)
                    .as("pages of 4 for %d customers", CUSTOMERS.size())
                    .isLessThanOrEqualTo(2);
            ApiClient.Reply page =
                    clients.get(2).get("/v1/customers?limit=4" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).as(page.text()).isEqualTo(200);
            for (Map<String, Object> c : (List<Map<String, Object>>) page.body().get("customers")) {
                seen.add((String) c.get("id"));
            }
            cursor = (String) page.body().get("nextCursor");
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(CUSTOMERS.stream().sorted().toList());
    }

    @Test
    void any_node_streams_every_customer_once_from_its_owner_and_resumes_across_nodes() throws Exception {
        Map<String, String> ownerOf = new java.util.HashMap<>();
        for (int n = 0; n < 3; n++) {
            for (String c : owned(clients.get(n))) {
                ownerOf.put(c, "n" + (n + 1));
            }
        }
        String elsewhere = CUSTOMERS.stream()
                .filter(c -> !ownerOf.get(c).equals("n2"))
                .findFirst()
                .orElseThrow();
        String last;
        try (EventStream all = EventStream.open(clients.get(1).port(), "/v1/stream", null)) {
            Map<String, EventStream.Event> snapshot = new java.util.HashMap<>();
            while (snapshot.size() < CUSTOMERS.size()) {
                EventStream.Event e = all.next();
                assertThat(snapshot.put(e.customerId(), e))
                        .as("each customer once in the snapshot: %s", e)
                        .isNull();
            }
            for (String c : CUSTOMERS) {
                EventStream.Event e = snapshot.get(c);
                assertThat(e.data())
                        .as("%s is sent by its owner", c)
                        .containsEntry("owner", ownerOf.get(c))
                        .containsEntry("exists", true);
                assertThat(((Number) e.data().get("epoch")).longValue()).isPositive();
            }
            assertThat(clients.get(2)
                            .consume(elsewhere, "agent-runs", 1, "feed-1")
                            .status())
                    .isEqualTo(200);
            EventStream.Event change = all.nextFor(elsewhere);
            assertThat(used(change, "agent-runs")).isEqualByComparingTo("1");
            last = change.id();
        }
        String changed =
                CUSTOMERS.stream().filter(c -> !c.equals(elsewhere)).findFirst().orElseThrow();
        assertThat(clients.get(0)
                        .consume(changed, "agent-runs", 1, "while-away")
                        .status())
                .isEqualTo(200);
        try (EventStream resumed = EventStream.open(clients.get(2).port(), "/v1/stream", last)) {
            EventStream.Event e = resumed.next();
            assertThat(e.customerId())
                    .as("resumed on another node: only what changed since, no snapshot")
                    .isEqualTo(changed);
            assertThat(used(e, "agent-runs")).isEqualByComparingTo("1");
        }
        String outsider = CUSTOMERS.stream()
                .filter(c -> !ownerOf.get(c).equals("n1"))
                .findFirst()
                .orElseThrow();
        try (EventStream one = EventStream.open(clients.get(0).port(), "/v1/stream?customers=" + outsider, null)) {
            assertThat(one.response().statusCode())
                    .as("one customer owned elsewhere: served here, merged")
                    .isEqualTo(200);
            assertThat(one.next().data())
                    .containsEntry("customerId", outsider)
                    .containsEntry("owner", ownerOf.get(outsider));
        }
        ApiClient.Reply bad = clients.get(0).get("/v1/stream?since=m%21%21");
        assertThat(bad.status()).as(bad.text()).isEqualTo(400);
        assertThat(bad.error()).containsEntry("code", "INVALID_FIELD").containsEntry("field", "since");
    }

    private static java.math.BigDecimal used(EventStream.Event e, String feature) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entitlements =
                (List<Map<String, Object>>) e.data().get("entitlements");
        return entitlements.stream()
                .filter(f -> feature.equals(f.get("feature")))
                .map(f -> new java.math.BigDecimal(String.valueOf(f.get("used"))))
                .findFirst()
                .orElseThrow();
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_alert_log_spans_the_nodes_newest_first_each_alert_once() {
        for (String c : CUSTOMERS) {
            for (int i = 0; i < 3; i++) {
                assertThat(clients.get(0)
                                .consume(c, "agent-runs", 1, c + "-log-" + i)
                                .status())
                        .isEqualTo(200);
            }
        }
        List<Object> first = null;
        for (Node via : clients) {
            ApiClient.Reply r = via.get("/v1/events/log?limit=1000");
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            List<Map<String, Object>> events =
                    (List<Map<String, Object>>) r.body().get("events");
            assertThat(events.stream().map(e -> e.get("customerId")).distinct())
                    .as("alerts of customers of every owner")
                    .containsExactlyInAnyOrderElementsOf(CUSTOMERS);
            assertThat(events.stream().map(e -> e.get("id")).distinct().count())
                    .as("each alert once")
                    .isEqualTo(events.size());
            List<String> at = events.stream().map(e -> (String) e.get("at")).toList();
            assertThat(at)
                    .as("newest first")
                    .isSortedAccordingTo(java.util.Comparator.comparing(java.time.Instant::parse)
                            .reversed());
            if (first == null) {
                first = List.copyOf(events);
            } else {
                assertThat(events).as("every node answers the same log").isEqualTo(first);
            }
        }
        ApiClient.Reply two = clients.get(1).get("/v1/events/log?limit=2");
        assertThat((List<Object>) two.body().get("events")).isEqualTo(first.subList(0, 2));
        ApiClient.Reply bad = clients.get(1).get("/v1/events/log?limit=0");
        assertThat(bad.status()).isEqualTo(400);
    }

    @Test
    void a_node_that_leaves_hands_its_customers_over_with_their_usage_and_keys() {
        for (int i = 0; i < 3; i++) {
            for (String c : CUSTOMERS) {
                assertThat(clients.get(0)
                                .consume(c, "agent-runs", 1, c + "-" + i)
                                .body()
                                .get("allowed"))
                        .isEqualTo(true);
            }
        }
        int leaving = -1;
        for (int n = 0; n < 3; n++) {
            if (owned(clients.get(n)).size() > 1) {
                leaving = n;
                break;
            }
        }
        assertThat(leaving).as("some node owns customers").isNotNegative();
        cluster.server(leaving).close();
        Node survivor = clients.get((leaving + 1) % 3);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(alive(survivor)).hasSize(2));
        for (String c : CUSTOMERS) {
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                ApiClient.Reply r = survivor.consume(c, "agent-runs", 1, c + "-0");
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                assertThat(r.replayed()).as("%s: the key survived the move", c).isTrue();
            });
            ApiClient.Reply over = survivor.consume(c, "agent-runs", 1, c + "-over");
            assertThat(over.body().get("allowed"))
                    .as("%s: the limit of 3 holds after the move", c)
                    .isEqualTo(false);
        }
    }

    @Test
    void a_catalog_change_is_in_force_on_every_node_once_it_is_answered() throws Exception {
        String sample = java.nio.file.Files.readString(ApiClient.sampleCatalog());
        assertThat(sample).contains("\nplans:\n");
        String yaml = sample.replace(
                "\nplans:\n", "\nplans:\n  - key: brand-new\n    entitlements:\n      agent-runs: { limit: 7 }\n");
        ApiClient.Reply published = clients.get(1).send("PUT", "/v1/catalog", yaml, "application/yaml", ApiClient.KEY);
        assertThat(published.status()).as(published.text()).isEqualTo(200);
        for (int i = 0; i < CUSTOMERS.size(); i++) {
            Node via = clients.get(i % 3);
            ApiClient.Reply r =
                    via.put("/v1/customers/" + CUSTOMERS.get(i) + "/subscription", Map.of("plan", "brand-new"));
            assertThat(r.status())
                    .as("%s through node %d: %s", CUSTOMERS.get(i), i % 3, r.text())
                    .isEqualTo(200);
        }
    }
}
