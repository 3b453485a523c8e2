package dev.tollgate.client.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Leases: consumes admitted locally by many clients at once against one hard limit (or one hard budget): exactly the
 * limit is admitted in all, and once the leases are returned the server's usage equals what the applications were
 * told.
 */
final class LeaseIT extends WithServer {

    @Test
    void four_application_processes_of_32_threads_admit_exactly_the_hard_limit() throws Exception {
        List<AppProcess> apps = new ArrayList<>();
        try {
            for (int p = 0; p < 4; p++) {
                apps.add(AppProcess.start(
                        LeaseApp.class, dir.resolve("app-" + p + ".log"), "ADMITTED", server.url(), "acme", "p" + p));
            }
            long total = 0;
            long local = 0;
            for (AppProcess app : apps) {
                String[] words = app.awaitLine().split(" ");
                total += Long.parseLong(words[1]);
                local += Long.parseLong(words[3]);
                assertThat(words[7]).as("no fallback answer: the server was up").isEqualTo("0");
                assertThat(app.awaitExit()).isZero();
            }

            System.out.printf("four processes: %d admitted, %d against leases%n", total, local);
            assertThat(total).as("admitted in all").isEqualTo(3000);
            assertThat(local).as("admitted against leases").isPositive();
            assertThat(server.usage("acme", "queries")).isEqualByComparingTo("3000");
            assertThat(server.entitlement("acme", "queries").path("held").decimalValue())
                    .as("every lease returned")
                    .isEqualByComparingTo("0");
        } finally {
            apps.forEach(AppProcess::close);
        }
    }

    @Test
    void three_clients_of_32_threads_admit_exactly_a_hard_team_budget() throws Exception {
        server.put("/v1/customers/acme/scopes/research", Map.of("kind", "team"));
        server.put(
                "/v1/customers/acme/scopes/research/budgets/monthly",
                Map.of("feature", "queries", "limit", 500, "period", "month", "enforcement", "hard"));
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
                    return ConsumeUntilRefused.run(t, "acme", "research", prefix, 32);
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
            assertThat(tally.refusals()).allSatisfy(r -> assertThat(r).isEqualTo("SERVER:BUDGET_EXCEEDED"));
        }
        clients.forEach(Tollgate::close);

        System.out.printf("three clients, one budget: %d admitted, %d against leases%n", total, local);
        assertThat(total).isEqualTo(500);
        assertThat(local).isPositive();
        assertThat(server.usage("acme", "queries")).isEqualByComparingTo("500");
        assertThat(server.entitlement("acme", "queries").path("held").decimalValue())
                .isEqualByComparingTo("0");
    }
}
