package dev.tollgate.client.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.client.ConsumeRequest;
import dev.tollgate.client.Decision;
import dev.tollgate.client.Fallback;
import dev.tollgate.client.LeaseSettings;
import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The server goes away while an application consumes through leases: the lease's room still admits, then the fallback;
 * the lease's close and the fallback's usage wait in the spool; once the server is back its usage equals what the
 * application was told.
 */
final class OutageIT extends WithServer {

    private Tollgate client() {
        return Tollgate.builder()
                .baseUrl(server.url())
                .apiKey(ServerUnderTest.KEY)
                .timeout(Duration.ofSeconds(2))
                .fallback(Fallback.failOpen())
                .leases(LeaseSettings.defaults().withInitialUnits(50).withIdle(Duration.ofMinutes(1)))
                .spoolDirectory(dir.resolve("spool"))
                .changeFeed(false)
                .build();
    }

    @Test
    void usage_admitted_against_a_lease_and_by_the_fallback_during_an_outage_is_recorded_exactly_once_after_it() {
        Map<Source, Integer> told = new EnumMap<>(Source.class);
        try (Tollgate tollgate = client()) {
            for (int i = 0; i < 21; i++) {
                count(told, tollgate.consume(ConsumeRequest.of("acme", "queries", 1, "before-" + i)));
            }
            assertThat(told.get(Source.CACHE))
                    .as("a lease was in use before the outage")
                    .isPositive();

            server.stop();
            for (int i = 0; i < 60; i++) {
                count(told, tollgate.consume(ConsumeRequest.of("acme", "queries", 1, "during-" + i)));
            }
        }
        assertThat(told.get(Source.FALLBACK))
                .as("the lease ran dry, then the fallback answered")
                .isPositive();
        int admitted = told.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(admitted).isEqualTo(81);

        server.start();
        try (Tollgate restarted = client()) {
            restarted.flush();
        }
        assertThat(server.usage("acme", "queries")).isEqualByComparingTo(String.valueOf(admitted));
        assertThat(server.entitlement("acme", "queries").path("held").decimalValue())
                .as("the lease's close was delivered from the spool")
                .isEqualByComparingTo("0");
    }

    private static void count(Map<Source, Integer> told, Decision d) {
        assertThat(d.allowed()).as("%s", d).isTrue();
        told.merge(d.source(), 1, Integer::sum);
    }
}
