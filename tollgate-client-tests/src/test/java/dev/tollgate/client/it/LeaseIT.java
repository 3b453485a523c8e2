package dev.tollgate.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.client.ConsumeRequest;
import dev.tollgate.client.Decision;
import dev.tollgate.client.Entitlement;
import dev.tollgate.client.LeaseSettings;
import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Leases: consumes admitted locally by many clients at once against one hard limit, one hard budget or one hard credit
 * balance: exactly the limit (the budget, the balance) is admitted in all, every refusal is the server's for lack of
 * room, and once the leases are returned the server's usage and credits equal what the applications were told and
 * nothing is left that a consume could have had.
 */
final class LeaseIT extends WithServer {

    /** What one {@link LeaseApp} printed. */
    private record AppResult(
            long admitted, long cache, long server, long fallback, BigDecimal credits, Map<String, Integer> refusals) {
        static AppResult parse(String line) {
            String[] w = line.split(" ");
            Map<String, Integer> refusals = new LinkedHashMap<>();
            if (w.length > 11) {
                for (String r : w[11].split(",")) {
                    String[] kv = r.split("=");
                    refusals.put(kv[0], Integer.parseInt(kv[1]));
                }
            }
            return new AppResult(
                    Long.parseLong(w[1]),
                    Long.parseLong(w[3]),
                    Long.parseLong(w[5]),
                    Long.parseLong(w[7]),
                    new BigDecimal(w[9]),
                    refusals);
        }
    }

    /** Four {@link LeaseApp} processes consuming {@code feature}, each to its end. */
    private List<AppResult> fourApplications(String feature) throws Exception {
        List<AppProcess> apps = new ArrayList<>();
        try {
            for (int p = 0; p < 4; p++) {
                apps.add(AppProcess.start(
                        LeaseApp.class,
                        dir.resolve("app-" + p + ".log"),
                        "ADMITTED",
                        server.url(),
                        "acme",
                        "p" + p,
                        feature));
            }
            List<AppResult> results = new ArrayList<>();
            for (AppProcess app : apps) {
                results.add(AppResult.parse(app.awaitLine()));
                assertThat(app.awaitExit()).isZero();
            }
            return results;
        } finally {
            apps.forEach(AppProcess::close);
        }
    }

    @Test
    void four_application_processes_of_32_threads_admit_exactly_the_hard_limit() throws Exception {
        List<AppResult> results = fourApplications("queries");

        long total = results.stream().mapToLong(AppResult::admitted).sum();
        long local = results.stream().mapToLong(AppResult::cache).sum();
        System.out.printf("four processes: %d admitted, %d against leases%n", total, local);
        for (AppResult r : results) {
            assertThat(r.fallback()).as("no fallback answer: the server was up").isZero();
            assertThat(r.refusals())
                    .as("every thread stopped at the server's refusal for lack of room")
                    .isEqualTo(Map.of("SERVER:LIMIT_EXCEEDED", 32));
            assertThat(r.credits()).as("queries have no price").isEqualByComparingTo("0");
        }
        assertThat(total).as("admitted in all").isEqualTo(3000);
        assertThat(local).as("admitted against leases").isPositive();
        JsonNode queries = server.entitlement("acme", "queries");
        assertThat(server.usage("acme", "queries")).isEqualByComparingTo("3000");
        assertThat(queries.path("held").decimalValue())
                .as("every lease returned")
                .isEqualByComparingTo("0");
        assertThat(queries.path("remaining").decimalValue())
                .as("nothing left that a consume could have had")
                .isEqualByComparingTo("0");
    }

    @Test
    void four_application_processes_of_32_threads_spend_exactly_a_hard_credit_balance() throws Exception {
        server.post(
                "/v1/customers/acme/grants",
                Map.of(
                        "currency",
                        "credits",
                        "amount",
                        new BigDecimal("500.1"),
                        "category",
                        "paid",
                        "idempotencyKey",
                        "grant"));

        List<AppResult> results = fourApplications("calls");

        long total = results.stream().mapToLong(AppResult::admitted).sum();
        long local = results.stream().mapToLong(AppResult::cache).sum();
        BigDecimal told = results.stream().map(AppResult::credits).reduce(BigDecimal.ZERO, BigDecimal::add);
        System.out.printf(
                "four processes, one balance: %d calls admitted (%s credits), %d against leases%n", total, told, local);
        for (AppResult r : results) {
            assertThat(r.fallback()).isZero();
            assertThat(r.refusals())
                    .as("every thread stopped at the server's refusal for lack of credits")
                    .isEqualTo(Map.of("SERVER:INSUFFICIENT_CREDITS", 32));
        }
        assertThat(total).as("500.1 credits buy 2000 calls at 0.25").isEqualTo(2000);
        assertThat(told).as("the credits the applications were told").isEqualByComparingTo("500");
        assertThat(local).as("admitted against leases").isPositive();

        assertThat(server.usage("acme", "calls")).isEqualByComparingTo("2000");
        assertThat(server.credits("acme", "calls", "credits"))
                .as("the server charged what the applications were told")
                .isEqualByComparingTo(told);
        JsonNode balance = server.balance("acme", "credits");
        assertThat(balance.path("held").decimalValue())
                .as("every lease returned")
                .isEqualByComparingTo("0");
        assertThat(balance.path("available").decimalValue())
                .as("what is left is less than one call's price")
                .isEqualByComparingTo("0.1");
        assertThat(balance.path("balance").decimalValue()).isEqualByComparingTo("0.1");
        assertThat(server.post("/v1/check", Map.of("customerId", "acme", "feature", "calls", "quantity", 1))
                        .path("reason")
                        .asString())
                .isEqualTo("INSUFFICIENT_CREDITS");
    }

    /** What one consuming thread of the price-change test was told. */
    private static final class Worker {
        BigDecimal credits = BigDecimal.ZERO;
        long units;
        long localAtOldPrice;
        long localAtNewPrice;
        /** Consumes that began after the client had the new price and were still told the old one. */
        long oldPriceAfterChangeSeen;
        /** An answer that was not an admission with its credits (the thread stopped there), or {@code null}. */
        volatile @Nullable Decision unexpected;
    }

    @Test
    void leases_charge_the_price_they_fixed_and_stop_admitting_at_it_once_the_client_sees_a_new_one() throws Exception {
        server.post(
                "/v1/customers/acme/grants",
                Map.of("currency", "credits", "amount", 10_000_000, "category", "paid", "idempotencyKey", "grant"));
        BigDecimal oldPrice = new BigDecimal("0.25");
        BigDecimal newPrice = new BigDecimal("0.5");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean changeSeen = new AtomicBoolean();
        AtomicLong admitted = new AtomicLong();
        List<Worker> told = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try (Tollgate tollgate = Tollgate.builder()
                .baseUrl(server.url())
                .apiKey(ServerUnderTest.KEY)
                .timeout(Duration.ofSeconds(10))
                // leases that outlive the change: a million calls last seconds at the rate of local admissions
                .leases(LeaseSettings.defaults().withInitialUnits(1_000_000))
                .build()) {
            for (int t = 0; t < 4; t++) {
                Worker mine = new Worker();
                told.add(mine);
                String prefix = "t" + t + "-";
                Thread th = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        boolean seenBefore = changeSeen.get();
                        Decision d = tollgate.consume(ConsumeRequest.of("acme", "calls", 1, prefix + i));
                        if (!d.allowed() || d.credits() == null) {
                            mine.unexpected = d;
                            return;
                        }
                        mine.credits = mine.credits.add(d.credits());
                        mine.units++;
                        boolean old = d.credits().compareTo(oldPrice) == 0;
                        if (d.source() == Source.CACHE) {
                            if (old) {
                                mine.localAtOldPrice++;
                            } else {
                                mine.localAtNewPrice++;
                            }
                        }
                        if (seenBefore && old) {
                            mine.oldPriceAfterChangeSeen++;
                        }
                        admitted.incrementAndGet();
                        // paced like an application's requests (at most about a thousand a second per thread), so
                        // that the run records thousands of calls rather than hundreds of thousands
                        LockSupport.parkNanos(1_000_000);
                    }
                });
                th.start();
                threads.add(th);
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> admitted.get() >= 1000 || stopped(told));
            server.catalog(OperatorClient.testCatalog().replace("per: 4\n    rate: 1\n", "per: 4\n    rate: 2\n"));
            await().atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> priceOf(tollgate, "calls").compareTo(newPrice) == 0);
            changeSeen.set(true);
            long atChange = admitted.get();
            await().atMost(Duration.ofMinutes(2)).until(() -> admitted.get() >= atChange + 1000 || stopped(told));
            stop.set(true);
            for (Thread th : threads) {
                th.join();
            }
        }

        BigDecimal credits = told.stream().map(x -> x.credits).reduce(BigDecimal.ZERO, BigDecimal::add);
        long units = told.stream().mapToLong(x -> x.units).sum();
        long localOld = told.stream().mapToLong(x -> x.localAtOldPrice).sum();
        long localNew = told.stream().mapToLong(x -> x.localAtNewPrice).sum();
        System.out.printf(
                "a price change under load: %d calls for %s credits; against leases %d at the old price, %d at the"
                        + " new%n",
                units, credits, localOld, localNew);
        assertThat(told).allSatisfy(x -> assertThat(x.unexpected).isNull());
        assertThat(told.stream().mapToLong(x -> x.oldPriceAfterChangeSeen).sum())
                .as("no lease admits at the old price once the client has the new one")
                .isZero();
        assertThat(localOld).isPositive();
        assertThat(localNew).isPositive();
        assertThat(server.usage("acme", "calls")).isEqualByComparingTo(BigDecimal.valueOf(units));
        assertThat(server.credits("acme", "calls", "credits"))
                .as("the server charged each consume what the application was told")
                .isEqualByComparingTo(credits);
        JsonNode balance = server.balance("acme", "credits");
        assertThat(balance.path("held").decimalValue()).isEqualByComparingTo("0");
        assertThat(balance.path("available").decimalValue())
                .isEqualByComparingTo(new BigDecimal(10_000_000).subtract(credits));
    }

    private static boolean stopped(List<Worker> told) {
        return told.stream().anyMatch(x -> x.unexpected != null);
    }

    private static BigDecimal priceOf(Tollgate tollgate, String feature) {
        for (Entitlement e : tollgate.entitlements("acme")) {
            if (e.feature().equals(feature) && e.price() != null && e.price().unitPrice() != null) {
                return e.price().unitPrice();
            }
        }
        return BigDecimal.ZERO;
    }

    @Test
    void three_clients_of_32_threads_admit_exactly_a_hard_team_budget() throws Exception {
        server.put("/v1/customers/acme/scopes/research", Map.of("kind", "team"));
        server.put(
                "/v1/customers/acme/scopes/research/budgets/monthly",
                Map.of("feature", "queries", "limit", 500, "period", "month", "enforcement", "hard"));

        long total = threeClientsAtTheTeam("queries");

        assertThat(total).isEqualTo(500);
        assertThat(server.usage("acme", "queries")).isEqualByComparingTo("500");
        assertThat(server.entitlement("acme", "queries").path("held").decimalValue())
                .isEqualByComparingTo("0");
        assertTeamBudgetSpent("500");
    }

    @Test
    void three_clients_of_32_threads_spend_exactly_a_hard_team_budget_of_credits() throws Exception {
        server.post(
                "/v1/customers/acme/grants",
                Map.of("currency", "credits", "amount", 1000, "category", "paid", "idempotencyKey", "grant"));
        server.put("/v1/customers/acme/scopes/research", Map.of("kind", "team"));
        server.put(
                "/v1/customers/acme/scopes/research/budgets/monthly",
                Map.of("currency", "credits", "limit", 50, "period", "month", "enforcement", "hard"));

        long total = threeClientsAtTheTeam("calls");

        assertThat(total).as("50 credits buy 200 calls at 0.25").isEqualTo(200);
        assertThat(server.usage("acme", "calls")).isEqualByComparingTo("200");
        assertThat(server.credits("acme", "calls", "credits")).isEqualByComparingTo("50");
        assertThat(server.balance("acme", "credits").path("held").decimalValue())
                .isEqualByComparingTo("0");
        assertTeamBudgetSpent("50");
    }

    @Test
    void a_client_that_sends_no_lease_events_still_ends_with_the_exact_usage() throws Exception {
        server.put("/v1/customers/acme/scopes/research", Map.of("kind", "team"));
        server.put(
                "/v1/customers/acme/scopes/research/budgets/monthly",
                Map.of("feature", "queries", "limit", 500, "period", "month", "enforcement", "hard"));
        ConsumeUntilRefused.Tally tally;
        try (Tollgate t = Tollgate.builder()
                .baseUrl(server.url())
                .apiKey(ServerUnderTest.KEY)
                .timeout(Duration.ofSeconds(10))
                .maxQueuedLeaseEvents(0)
                .build()) {
            tally = ConsumeUntilRefused.run(t, "acme", "queries", "research", "folded", 32);
        }

        assertThat(tally.total()).isEqualTo(500);
        assertThat(tally.admitted().get(Source.CACHE))
                .as("admitted against leases")
                .isPositive();
        assertThat(server.usage("acme", "queries"))
                .as("every unit counted by its lease's close")
                .isEqualByComparingTo("500");
        assertTeamBudgetSpent("500");
    }

    /**
     * Three clients of 32 threads consume {@code feature} at the team {@code research} (made by the caller, with its
     * budget) until each thread is refused
     * (by the server, for the budget); returns what they were admitted, once every client is closed.
     */
    private long threeClientsAtTheTeam(String feature) throws Exception {
        List<Tollgate> clients = new ArrayList<>();
        List<CompletableFuture<ConsumeUntilRefused.Tally>> runs = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            Tollgate t = Tollgate.builder()
                    .baseUrl(server.url())
                    .apiKey(ServerUnderTest.KEY)
                    .timeout(Duration.ofSeconds(10))
                    .build();
            clients.add(t);
            String prefix = "c" + c;
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return ConsumeUntilRefused.run(t, "acme", feature, "research", prefix, 32);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        long total = 0;
        long local = 0;
        for (CompletableFuture<ConsumeUntilRefused.Tally> run : runs) {
            ConsumeUntilRefused.Tally tally = run.join();
            total += tally.total();
            local += tally.admitted().get(Source.CACHE);
            assertThat(tally.refusalCounts()).isEqualTo(Map.of("SERVER:BUDGET_EXCEEDED", 32));
        }
        clients.forEach(Tollgate::close);
        System.out.printf("three clients, one budget on %s: %d admitted, %d against leases%n", feature, total, local);
        assertThat(local).as("admitted against leases").isPositive();
        return total;
    }

    /** The team's budget: used to its limit, nothing held, nothing left that a consume could have had. */
    private void assertTeamBudgetSpent(String limit) {
        JsonNode budget = research(server.get("/v1/customers/acme/scopes"));
        assertThat(budget.path("used").decimalValue()).isEqualByComparingTo(limit);
        assertThat(budget.path("held").decimalValue())
                .as("every lease returned")
                .isEqualByComparingTo("0");
        assertThat(budget.path("remaining").decimalValue())
                .as("nothing left that a consume could have had")
                .isEqualByComparingTo("0");
    }

    private static JsonNode research(JsonNode tree) {
        for (JsonNode scope : tree.path("scopes").values()) {
            if (scope.path("id").asString().equals("research")) {
                return scope.path("budgets").get(0);
            }
        }
        throw new AssertionError("no scope research in " + tree);
    }
}
