package dev.tollgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Gives the load generator and the server under test cores of their own, with {@code taskset}: the same machine, but
 * no longer one scheduler queue. Of the CPUs this process may run on, the generator (this process) gets the first and
 * polls without parking; the server gets the others and one I/O thread per core.
 *
 * <p>Why: on two shared cores the generator, the server's I/O threads and its collector are more runnable threads than
 * cores, so a request waits out whole scheduler time slices (milliseconds) whatever the server does, and a parked
 * generator stamps an answer up to its park slice late. Both land in the p99 as the server's latency; see {@code
 * docs/benchmarks.md}, "Where the p99 goes".
 *
 * <p>Not thread-safe; one per run.
 */
final class Pinning {
    private final List<Integer> cpus;

    private Pinning(List<Integer> cpus) {
        this.cpus = cpus;
    }

    /**
     * A pinning within the CPUs this process may run on ({@code Cpus_allowed_list} of {@code /proc/self/status}), or
     * {@code null} if that is one CPU, cannot be read, or there is no {@code taskset}.
     */
    static @Nullable Pinning detect() {
        if (!Proc.onPath("taskset")) {
            return null;
        }
        List<Integer> allowed;
        try {
            allowed = allowedCpus(Files.readAllLines(Path.of("/proc/self/status")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return allowed.size() >= 2 ? new Pinning(allowed) : null;
    }

    /** The CPUs of a {@code Cpus_allowed_list} line such as {@code 0-3,6}, in order; empty if there is none. */
    static List<Integer> allowedCpus(List<String> status) {
        List<Integer> out = new ArrayList<>();
        for (String line : status) {
            if (line.startsWith("Cpus_allowed_list:")) {
                for (String part : line.substring(line.indexOf(':') + 1).trim().split(",")) {
                    String[] range = part.split("-");
                    int from = Integer.parseInt(range[0].trim());
                    int to = range.length > 1 ? Integer.parseInt(range[1].trim()) : from;
                    for (int cpu = from; cpu <= to; cpu++) {
                        out.add(cpu);
                    }
                }
            }
        }
        return out;
    }

    /** The generator's CPU. */
    int generatorCpu() {
        return cpus.get(0);
    }

    /** The server's CPU list for {@code taskset -c}: every allowed CPU but the generator's. */
    String serverCpus() {
        return list(cpus.subList(1, cpus.size()));
    }

    /** The server's cores, and so its I/O threads. */
    int serverCores() {
        return cpus.size() - 1;
    }

    /** A command run on the server's cores. */
    List<String> onServerCpus(List<String> command) {
        List<String> pinned = new ArrayList<>(List.of("taskset", "-c", serverCpus()));
        pinned.addAll(command);
        return pinned;
    }

    /** Confines every thread of this process, the generator's included, to the generator's CPU. */
    void pinGenerator() throws IOException, InterruptedException {
        affinity(Integer.toString(generatorCpu()));
    }

    /** Gives this process the CPUs it had before. */
    void release() throws IOException, InterruptedException {
        affinity(list(cpus));
    }

    private static String list(List<Integer> cpus) {
        return cpus.stream().map(String::valueOf).collect(Collectors.joining(","));
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
