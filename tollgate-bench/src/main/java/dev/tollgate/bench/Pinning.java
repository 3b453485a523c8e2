package dev.tollgate.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Gives the load generator and the server under test a core each, with {@code taskset}: the same machine, but no
 * longer one scheduler queue. The generator (this process) gets CPU 0 and polls without parking; the server gets the
 * other cores and one I/O thread per core.
 *
 * <p>Why: on two shared cores the generator, the server's I/O threads and its collector are more runnable threads than
 * cores, so a request waits out whole scheduler time slices (milliseconds) whatever the server does, and a parked
 * generator stamps an answer up to its park slice late. Both land in the p99 as the server's latency; see {@code
 * docs/benchmarks.md}, "Where the p99 goes".
 *
 * <p>Not thread-safe; one per run.
 */
final class Pinning {
    private final int cpus;

    private Pinning(int cpus) {
        this.cpus = cpus;
    }

    /** A pinning for this machine, or {@code null} if it has one core or no {@code taskset}. */
    static @Nullable Pinning detect() {
        int n = Runtime.getRuntime().availableProcessors();
        return n >= 2 && Proc.onPath("taskset") ? new Pinning(n) : null;
    }

    /** The server's CPU list for {@code taskset -c}: every core but the generator's. */
    String serverCpus() {
        return cpus == 2 ? "1" : "1-" + (cpus - 1);
    }

    /** The server's cores, and so its I/O threads. */
    int serverCores() {
        return cpus - 1;
    }

    /** A command run on the server's cores. */
    List<String> onServerCpus(List<String> command) {
        List<String> pinned = new ArrayList<>(List.of("taskset", "-c", serverCpus()));
        pinned.addAll(command);
        return pinned;
    }

    /** Confines every thread of this process, the generator's included, to CPU 0. */
    void pinGenerator() throws IOException, InterruptedException {
        affinity("0");
    }

    /** Gives this process every core again. */
    void release() throws IOException, InterruptedException {
        affinity("0-" + (cpus - 1));
    }

    private static void affinity(String list) throws IOException, InterruptedException {
        Proc.run(
                List.of(
                        "taskset",
                        "-a",
                        "-p",
                        "-c",
                        list,
                        Long.toString(ProcessHandle.current().pid())),
                Map.of(),
                10);
    }
}
