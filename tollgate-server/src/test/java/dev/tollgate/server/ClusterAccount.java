package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.cluster.Rendezvous;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A customer of the cluster test and the hard cap its consumes run into: its plan's limit, a team budget, or its
 * credit balance ({@link Binding}). A binding knows how to set the customer up, what a consume of it looks like and how
 * to read back what it admitted.
 *
 * <p>Customers are named so that each node owns two of them at the start ({@link #placed}): the placement is rendezvous
 * hashing over the node ids ({@link Rendezvous}), the same that the servers compute, so the test knows which customers
 * move when a node dies or freezes.
 *
 * @param customer the customer id
 * @param binding what caps its consumes
 * @param cap the cap, in units of quantity 1 consumes: at most this many are admitted
 */
record ClusterAccount(String customer, Binding binding, int cap) {
    /** The limit of the {@code q} feature in plan {@code capped}. */
    static final int PLAN_LIMIT = 600;

    /** What caps a customer's consumes. */
    enum Binding {
        /** Plan {@code capped}: a hard limit of {@link #PLAN_LIMIT} on feature {@code q}. */
        PLAN_LIMIT("q") {
            @Override
            void provision(Function<Request, ApiClient.Reply> send, String customer, int cap) {
                subscribe(send, customer, "capped");
            }

            @Override
            Map<String, Object> consume(String customer, String key) {
                return Map.of("customerId", customer, "feature", "q", "quantity", 1, "idempotencyKey", key);
            }

            @Override
            Map<String, BigDecimal> extraReadings(Function<Request, ApiClient.Reply> send, String customer, int cap) {
                return Map.of();
            }
        },
        /** Plan {@code open} (no limit on {@code q}); consumes in scope {@code team}, whose hard budget is the cap. */
        TEAM_BUDGET("q") {
            @Override
            void provision(Function<Request, ApiClient.Reply> send, String customer, int cap) {
                subscribe(send, customer, "open");
                expect(
                        send,
                        new Request("PUT", "/v1/customers/" + customer + "/scopes/team", Map.of("kind", "team")),
                        200);
                expect(
                        send,
                        new Request(
                                "PUT",
                                "/v1/customers/" + customer + "/scopes/team/budgets/cap",
                                Map.of("feature", "q", "limit", cap, "period", "never", "enforcement", "hard")),
                        200);
            }

            @Override
            Map<String, Object> consume(String customer, String key) {
                return Map.of(
                        "customerId", customer, "feature", "q", "quantity", 1, "scope", "team", "idempotencyKey", key);
            }

            @Override
            Map<String, BigDecimal> extraReadings(Function<Request, ApiClient.Reply> send, String customer, int cap) {
                ApiClient.Reply scopes = expect(send, Request.get("/v1/customers/" + customer + "/scopes"), 200);
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> roots = (List<Map<String, Object>>) scopes.get("scopes");
                assertThat(roots).as(scopes.text()).hasSize(1);
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> budgets =
                        (List<Map<String, Object>>) roots.get(0).get("budgets");
                assertThat(budgets).as(scopes.text()).hasSize(1);
                return Map.of("budget used", (BigDecimal) budgets.get(0).get("used"));
            }
        },
        /** Plan {@code open}; consumes of {@code priced}, one credit each, from a grant of {@code cap} hard credits. */
        CREDIT_BALANCE("priced") {
            @Override
            void provision(Function<Request, ApiClient.Reply> send, String customer, int cap) {
                subscribe(send, customer, "open");
                ApiClient.Reply grant = send.apply(new Request(
                        "POST",
                        "/v1/customers/" + customer + "/grants",
                        Map.of(
                                "currency",
                                "credits",
                                "amount",
                                cap,
                                "category",
                                "paid",
                                "idempotencyKey",
                                "grant-" + customer)));
                assertThat(grant.status()).as(grant.text()).isIn(200, 201);
            }

            @Override
            Map<String, Object> consume(String customer, String key) {
                return Map.of("customerId", customer, "feature", "priced", "quantity", 1, "idempotencyKey", key);
            }

            @Override
            Map<String, BigDecimal> extraReadings(Function<Request, ApiClient.Reply> send, String customer, int cap) {
                ApiClient.Reply balance = expect(send, Request.get("/v1/customers/" + customer + "/balance"), 200);
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> balances = (List<Map<String, Object>>) balance.get("balances");
                BigDecimal available = balances.stream()
                        .filter(b -> "credits".equals(b.get("currency")))
                        .map(b -> (BigDecimal) b.get("available"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no credits balance: " + balance.text()));
                return Map.of("credits spent", BigDecimal.valueOf(cap).subtract(available));
            }
        };

        /** The feature its consumes are of. */
        final String feature;

        Binding(String feature) {
            this.feature = feature;
        }

        /**
         * Creates the customer, subscribes it and sets up its cap.
         *
         * @param send sends a request to the cluster and returns its definite answer
         */
        abstract void provision(Function<Request, ApiClient.Reply> send, String customer, int cap);

        /** The body of a consume of quantity 1 with idempotency key {@code key}. */
        abstract Map<String, Object> consume(String customer, String key);

        /**
         * What the cluster says was admitted, by reading: the feature's usage as the entitlements and a check see it,
         * and what the binding keeps besides; each reading, named, must equal the admitted count.
         *
         * @param send sends a request to the cluster and returns its definite answer
         */
        Map<String, BigDecimal> readBack(Function<Request, ApiClient.Reply> send, String customer, int cap) {
            Map<String, BigDecimal> readings = new LinkedHashMap<>();
            readings.put(feature + " used", used(send, customer, feature));
            ApiClient.Reply check = expect(
                    send, new Request("POST", "/v1/check", Map.of("customerId", customer, "feature", feature)), 200);
            readings.put(feature + " checked", (BigDecimal) check.get("used"));
            readings.putAll(extraReadings(send, customer, cap));
            return readings;
        }

        /** The readings of what the binding keeps besides the feature's usage. */
        abstract Map<String, BigDecimal> extraReadings(
                Function<Request, ApiClient.Reply> send, String customer, int cap);
    }

    /**
     * A request to send to the cluster.
     *
     * @param body the JSON body; null for none
     */
    record Request(String method, String path, @Nullable Map<String, Object> body) {
        static Request get(String path) {
            return new Request("GET", path, null);
        }
    }

    /**
     * Six customers, two placed on each of three nodes, with different bindings on each node and caps whose sum is
     * about {@code 3400 * scale}.
     *
     * @param nodes the three node ids
     * @param scale multiplies the caps of budgets and grants (the plan's limit is {@link #PLAN_LIMIT})
     */
    static List<ClusterAccount> placed(List<String> nodes, double scale) {
        assertThat(nodes).hasSize(3);
        int small = (int) Math.round(300 * scale);
        int large = (int) Math.round(700 * scale);
        int smallGrant = (int) Math.round(400 * scale);
        int largeGrant = (int) Math.round(800 * scale);
        List<ClusterAccount> accounts = new ArrayList<>();
        accounts.add(new ClusterAccount(named("limited", nodes.get(0), nodes), Binding.PLAN_LIMIT, PLAN_LIMIT));
        accounts.add(new ClusterAccount(named("team", nodes.get(0), nodes), Binding.TEAM_BUDGET, small));
        accounts.add(new ClusterAccount(named("credit", nodes.get(1), nodes), Binding.CREDIT_BALANCE, smallGrant));
        accounts.add(new ClusterAccount(named("limited", nodes.get(1), nodes), Binding.PLAN_LIMIT, PLAN_LIMIT));
        accounts.add(new ClusterAccount(named("team", nodes.get(2), nodes), Binding.TEAM_BUDGET, large));
        accounts.add(new ClusterAccount(named("credit", nodes.get(2), nodes), Binding.CREDIT_BALANCE, largeGrant));
        return accounts;
    }

    /** The first of {@code prefix-0, prefix-1, ...} that rendezvous hashing places on {@code node}. */
    static String named(String prefix, String node, List<String> nodes) {
        for (int i = 0; ; i++) {
            String id = prefix + "-" + i;
            if (Rendezvous.owner(id, nodes).orElseThrow().equals(node)) {
                return id;
            }
        }
    }

    /** The node that owns this customer when {@code live} are the live nodes. */
    String ownerAmong(List<String> live) {
        return Rendezvous.owner(customer, live).orElseThrow();
    }

    /** The catalog of the test: features {@code q} and {@code priced}, hard credits, plans {@code capped} and {@code open}. */
    static Map<String, Object> catalog() {
        return Map.of(
                "currencies",
                List.of(Map.of("key", "credits", "depletion", "hard")),
                "rateCards",
                List.of(Map.of("feature", "priced", "currency", "credits", "per", 1, "rate", 1)),
                "features",
                List.of(Map.of("key", "q", "type", "metered"), Map.of("key", "priced", "type", "metered")),
                "plans",
                List.of(
                        Map.of(
                                "key",
                                "capped",
                                "entitlements",
                                Map.of(
                                        "q", Map.of("limit", PLAN_LIMIT, "enforcement", "hard"),
                                        "priced", Map.of("limit", "unlimited"))),
                        Map.of(
                                "key",
                                "open",
                                "entitlements",
                                Map.of(
                                        "q", Map.of("limit", "unlimited"),
                                        "priced", Map.of("limit", "unlimited")))));
    }

    private static void subscribe(Function<Request, ApiClient.Reply> send, String customer, String plan) {
        expect(send, new Request("PUT", "/v1/customers/" + customer, Map.of("name", customer)), 200);
        expect(send, new Request("PUT", "/v1/customers/" + customer + "/subscription", Map.of("plan", plan)), 200);
    }

    private static BigDecimal used(Function<Request, ApiClient.Reply> send, String customer, String feature) {
        ApiClient.Reply reply = expect(send, Request.get("/v1/customers/" + customer + "/entitlements"), 200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) reply.get("entitlements");
        return list.stream()
                .filter(e -> feature.equals(e.get("feature")))
                .map(e -> (BigDecimal) e.get("used"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no entitlement " + feature + ": " + reply.text()));
    }

    /** Sends {@code request} and asserts that it answers {@code status}. */
    private static ApiClient.Reply expect(Function<Request, ApiClient.Reply> send, Request request, int status) {
        ApiClient.Reply reply = send.apply(request);
        assertThat(reply.status()).as("%s: %s", request, reply.text()).isEqualTo(status);
        return reply;
    }
}
