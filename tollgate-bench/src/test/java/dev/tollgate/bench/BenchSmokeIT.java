package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The bounded benchmark run of CI: every scenario once and briefly, against real baselines and the packaged server
 * on SQLite and on the machine's PostgreSQL, three servers of a cluster on it, and the client side's (SDK, sidecar,
 * change feed), and the pricing what-if's replay. It fails only on a broken correctness gate (over-admission, usage not equal to admitted consumes,
 * ledger sums not equal to balances, a change that never reached the SDK), never on speed.
 */
final class BenchSmokeIT {
    @Test
    void every_scenario_runs_and_every_correctness_gate_holds() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        List<String> missing =
                Files.isExecutable(Path.of("/usr/bin/redis-server")) && Files.isExecutable(Path.of("/usr/bin/pgbench"))
                        ? List.of()
                        : List.of("redis-server or pgbench");
        if (!ci) {
            Assumptions.assumeTrue(
                    missing.isEmpty(), "skipped: " + missing + " not installed (required under CI=true)");
        }
        Path jar = Path.of("../tollgate-server/target/tollgate-server.jar");
        assertThat(jar)
                .as("the server module packages its jar before this module runs")
                .exists();
        Path out = Path.of("target/bench-smoke");

        boolean gatesPassed = BenchMain.runAll(true, jar, out, true);

        String table = Files.readString(out.resolve("result.md"));
        System.out.println(table);
        assertThat(gatesPassed).as(table).isTrue();
        assertThat(table)
                .contains("no over-admission")
                .contains("ledger sums equal balances")
                .contains("usage equals admitted consumes, SQLite")
                .contains("usage equals admitted consumes, PostgreSQL")
                .contains("usage over 100 customers equals admitted consumes, three servers")
                .contains("verify over the schema of three servers finds no difference")
                .contains("in-process check")
                .contains("usage equals admitted consumes, SDK leases and HTTP")
                .contains("sidecar checks answered 2xx, from its cache")
                .contains("every subscription change reached the SDK through the change feed")
                .contains("change-feed subscribers stayed connected and read the changes")
                .contains("SDK check of a boolean feature from its cache")
                .contains("what-if replayed every request")
                .contains("what-if reads back what was recorded")
                .contains("what-if of the recorded catalog changes nothing");
        assertThat(Files.readString(out.resolve("result.json"))).contains("\"gatesPassed\":true");
    }
}
