package dev.tollgate.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.client.CheckRequest;
import dev.tollgate.client.ConsumeRequest;
import dev.tollgate.client.Decision;
import dev.tollgate.client.Fallback;
import dev.tollgate.client.FallbackValue;
import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import dev.tollgate.client.it.SidecarClient.Answer;
import dev.tollgate.client.it.Traffic.Phase;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Issue 18's first fault, with real processes: the server ({@code serve}, a process of its own on SQLite) is killed
 * with SIGKILL while applications work through the SDK (in this JVM), through the sidecar (a process of its own) and
 * straight over HTTP. While it is down, checks of a warm customer answer from the cache, a cold customer's from the
 * fallback; consumes are admitted against the leases' room, then by the fallback; reports are spooled. The server is
 * started again on the same port and data; once both spools are delivered, every customer's usage equals what the
 * applications were told, each report is recorded exactly once, every consume the server acknowledged before it died
 * is there, and nothing is left held.
 *
 * <p>Bounded by counts, not time: the test grants the workers iterations per phase ({@link Traffic}) and waits on
 * observable state (iterations done, {@code /health}, the spools' files).
 */
final class ServerKillIT {
    private static final List<String> WARM = List.of("north", "south");
    private static final String COLD = "cold";
    private static final String DIRECT = "direct";
    private static final int WORKERS = 4;
    private static final int BEFORE = 60;
    private static final int KILL = 60;
    private static final int CHUNK = 20;
    private static final int MAX_CHUNKS = 100;
    private static final int AFTER = 40;
    private static final int COLD_CONSUMES = 10;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private volatile Phase phase = Phase.BEFORE;
    private final StringBuilder timeline = new StringBuilder();
    private long mark = System.nanoTime();

    /** Notes how long the step that ends now took, for the figures. */
    private void lap(String step) {
        long now = System.nanoTime();
        timeline.append(String.format(" %s %.1f s;", step, (now - mark) / 1e9));
        mark = now;
    }

    @Test
    void a_server_killed_with_sigkill_mid_run_loses_no_usage_and_counts_none_twice() throws Exception {
        Told told = new Told();
        Path sdkSpool = dir.resolve("sdk-spool");
        Path sidecarSpool = dir.resolve("sidecar-spool");
        Path fallback = Files.writeString(
                dir.resolve("fallback.json"),
                "{\"default\": \"closed\", \"features\": {\"sso\": {\"allowed\": true},"
                        + " \"queries\": {\"allowed\": true}}}");
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), dir.resolve("server.log"))) {
            server.loadCatalog();
            for (String customer : List.of("north", "south", COLD, DIRECT)) {
                server.customer(customer, "fleet");
            }
            try (SidecarProcess sidecar =
                            SidecarProcess.start(server.url(), fallback, sidecarSpool, dir.resolve("sidecar.log"));
                    Tollgate sdk = Tollgate.builder()
                            .baseUrl(server.url())
                            .apiKey(OperatorClient.KEY)
                            .timeout(Duration.ofSeconds(2))
                            .fallback(Fallback.failClosed()
                                    .with("sso", FallbackValue.allow())
                                    .with("queries", FallbackValue.allow()))
                            .spoolDirectory(sdkSpool)
                            .build()) {
                lap("start-up");
                Traffic traffic =
                        new Traffic(sdk, sidecar.url(), server.url(), WARM, DIRECT, () -> phase, told, WORKERS);
                try {
                    run(server, sidecar, sdk, traffic, told);
                    lap("after");
                    await().atMost(WAIT)
                            .until(() -> SpoolDirectory.undeliveredBytes(sdkSpool) == 0
                                    && SpoolDirectory.undeliveredBytes(sidecarSpool) == 0);
                } finally {
                    traffic.stop();
                }
                lap("delivery of the spools");
                traffic.resolveUnanswered();
                traffic.settleReports();
                sidecar.terminate();
            }
            lap("leases returned");
            System.out.printf("ServerKillIT: timeline:%s%n", timeline);
            assertThat(SpoolDirectory.undeliveredBytes(sdkSpool) + SpoolDirectory.undeliveredBytes(sidecarSpool))
                    .as("the leases' returns reached the server: nothing spooled at the end")
                    .isZero();
            System.out.printf("ServerKillIT: what the applications were told%n%s", told.table());
            assertThat(told.violations()).as("answers that broke a rule").isEmpty();
            assertThat(told.figures("sdk report during SPOOLED"))
                    .as("the SDK spooled reports while the server was down")
                    .isPositive();
            assertRecorded(server, told);
        }
    }

    private void run(ServerProcess server, SidecarProcess sidecar, Tollgate sdk, Traffic traffic, Told told)
            throws Exception {
        runFor(traffic, BEFORE);
        lap("before");
        assertThat(meteredCheck(sdk, sidecar)).as("a metered check before").isEqualTo("SERVER server");

        traffic.grant(KILL * WORKERS);
        long killAt = traffic.done() + KILL * WORKERS / 4;
        await().atMost(WAIT).until(() -> traffic.done() >= killAt);
        phase = Phase.KILLING;
        long killed = System.nanoTime();
        lap("traffic until the kill");
        server.kill();
        phase = Phase.DOWN;
        lap("SIGKILL");
        await().atMost(WAIT).until(traffic::idle);
        lap("rest of the traffic granted before the kill");

        assertThat(meteredCheck(sdk, sidecar)).as("a metered check while down").isEqualTo("CACHE cache");
        cold(sdk, sidecar, told);
        int chunks = 0;
        while (told.figures("sdk consume during FALLBACK") == 0
                || told.figures("sidecar consume during FALLBACK") == 0) {
            assertThat(chunks++)
                    .as("the leases' room ran out within %d iterations", MAX_CHUNKS * CHUNK * WORKERS)
                    .isLessThan(MAX_CHUNKS);
            runFor(traffic, CHUNK);
        }
        lap("during");
        sdk.flush(); // every report made so far is sent or spooled before the server is back
        lap("flush");
        long ackedBeforeDeath = told.figure("direct consume before acked");
        int inDoubt = traffic.unansweredCount();

        phase = Phase.RESTARTING;
        server.start();
        phase = Phase.AFTER;
        lap("restart");
        double outage = (System.nanoTime() - killed) / 1e9;
        BigDecimal afterRestart = server.usage(DIRECT, "queries");
        assertThat(afterRestart)
                .as(
                        "every direct consume acknowledged before the kill is there (%d acked, %d in doubt)",
                        ackedBeforeDeath, inDoubt)
                .isGreaterThanOrEqualTo(BigDecimal.valueOf(ackedBeforeDeath))
                .isLessThanOrEqualTo(BigDecimal.valueOf(ackedBeforeDeath + inDoubt));
        await().atMost(WAIT).until(() -> "SERVER server".equals(meteredCheck(sdk, sidecar)));
        lap("reconnect");
        runFor(traffic, AFTER);

        assertThat(told.figures("sdk consume during CACHE"))
                .as("the SDK admitted against its leases' room while the server was down")
                .isPositive();
        assertThat(told.figures("sidecar consume during CACHE"))
                .as("the sidecar admitted against its leases' room while the server was down")
                .isPositive();
        assertThat(told.figures("sidecar report during spooled")).isPositive();
        System.out.printf(
                "ServerKillIT: outage %.1f s (SIGKILL to /health after the restart); direct consumes acknowledged"
                        + " before the kill %d, in doubt %d, of which the server had recorded %s%n",
                outage, ackedBeforeDeath, inDoubt, afterRestart.subtract(BigDecimal.valueOf(ackedBeforeDeath)));
    }

    private static void runFor(Traffic traffic, int iterationsPerWorker) {
        traffic.grant(iterationsPerWorker * WORKERS);
        await().atMost(WAIT).until(traffic::idle);
    }

    /** The sources of a metered check of a warm customer, through the SDK and through the sidecar. */
    private static String meteredCheck(Tollgate sdk, SidecarProcess sidecar) {
        Decision d = sdk.check(CheckRequest.of("north", "queries").withQuantity(BigDecimal.ONE));
        Answer a = SidecarClient.post(
                sidecar.url(),
                "/v1/check",
                "{\"customerId\": \"north\", \"feature\": \"queries\", \"quantity\": 1}",
                null);
        assertThat(d.allowed()).as("%s", d).isTrue();
        assertThat(a.body().path("allowed").asBoolean()).as("%s", a.body()).isTrue();
        return d.source() + " " + a.body().path("source").asString();
    }

    /** A customer nothing was asked about before the outage: the fallback answers, and admits consumes. */
    private static void cold(Tollgate sdk, SidecarProcess sidecar, Told told) {
        Decision sso = sdk.check(COLD, "sso");
        Decision audit = sdk.check(COLD, "audit-log");
        assertThat(sso.source()).isEqualTo(Source.FALLBACK);
        assertThat(sso.allowed()).isTrue();
        assertThat(audit.source()).isEqualTo(Source.FALLBACK);
        assertThat(audit.allowed()).isFalse();
        assertThat(audit.reason()).isEqualTo("UNAVAILABLE");
        JsonNode viaSso = SidecarClient.post(sidecar.url(), "/v1/check", Traffic.check(COLD), null)
                .body();
        JsonNode viaAudit = SidecarClient.post(
                        sidecar.url(), "/v1/check", Traffic.check(COLD).replace("sso", "audit-log"), null)
                .body();
        assertThat(viaSso.path("source").asString()).isEqualTo("fallback");
        assertThat(viaSso.path("allowed").asBoolean()).isTrue();
        assertThat(viaAudit.path("source").asString()).isEqualTo("fallback");
        assertThat(viaAudit.path("reason").asString()).isEqualTo("UNAVAILABLE");
        for (int i = 0; i < COLD_CONSUMES; i++) {
            Decision d = sdk.consume(ConsumeRequest.of(COLD, "queries", 1, "cold-sdk-" + i));
            assertThat(d.source()).isEqualTo(Source.FALLBACK);
            assertThat(d.allowed()).isTrue();
            told.admitted(COLD, 1);
            JsonNode via = SidecarClient.post(
                            sidecar.url(), "/v1/consume", Traffic.consume(COLD, "cold-sidecar-" + i), null)
                    .body();
            assertThat(via.path("source").asString()).isEqualTo("fallback");
            assertThat(via.path("allowed").asBoolean()).isTrue();
            told.admitted(COLD, 1);
        }
    }

    private static void assertRecorded(ServerProcess server, Told told) {
        for (String customer : List.of("north", "south", COLD, DIRECT)) {
            assertThat(server.usage(customer, "queries"))
                    .as("%s: usage of queries equals what the applications were told was admitted", customer)
                    .isEqualByComparingTo(BigDecimal.valueOf(told.admitted(customer)));
            assertThat(server.entitlement(customer, "queries").path("held").decimalValue())
                    .as("%s: every lease returned", customer)
                    .isEqualByComparingTo("0");
        }
        for (String customer : WARM) {
            assertThat(server.usage(customer, "reports"))
                    .as("%s: usage of reports equals what was reported", customer)
                    .isEqualByComparingTo(BigDecimal.valueOf(told.reported(customer)));
            assertThat(server.usageEvents(customer, "reports"))
                    .as("%s: one recorded event per distinct report: none twice, none missing", customer)
                    .isEqualTo(told.reports(customer));
        }
        System.out.printf(
                "ServerKillIT: recorded queries north %s, south %s, cold %s, direct %s; report events %d = %d accepted"
                        + " + %d spooled (SDK %d, sidecar %d), all delivered from the spools%n",
                server.usage("north", "queries"),
                server.usage("south", "queries"),
                server.usage(COLD, "queries"),
                server.usage(DIRECT, "queries"),
                server.usageEvents("north", "reports") + server.usageEvents("south", "reports"),
                inPhases(told, "sdk report", "ACCEPTED") + inPhases(told, "sidecar report", "accepted"),
                inPhases(told, "sdk report", "SPOOLED") + inPhases(told, "sidecar report", "spooled"),
                inPhases(told, "sdk report", "SPOOLED"),
                inPhases(told, "sidecar report", "spooled"));
    }

    /** The figure {@code "<what> <phase> <outcome>"} summed over the phases. */
    private static long inPhases(Told told, String what, String outcome) {
        long sum = 0;
        for (String when : List.of("before", "during", "after")) {
            sum += told.figure(what + " " + when + " " + outcome);
        }
        return sum;
    }
}
