package dev.tollgate.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * CPU time of another process's threads, by thread name, read from {@code /proc/<pid>/task/<tid>/stat} (Linux).
 *
 * <p>Why: on these shared machines a rate swings by a third between minutes, but the CPU a thread spends per unit of
 * work moves much less; it is how the events writer was taken apart (journal writer, request threads, follow-up).
 * Names are the kernel's, cut to 15 characters ({@code tollgate-journa}); threads whose names differ only in a
 * trailing number ({@code GC Thread#0}, {@code GC Thread#1}) are summed under the name ending in {@code N}.
 *
 * <p>Not thread-safe.
 */
final class ThreadCpu {
    /** Clock ticks per second of {@code utime} and {@code stime}: {@code USER_HZ}, 100 on Linux. */
    private static final double TICKS_PER_SECOND = 100;

    private final long pid;

    ThreadCpu(long pid) {
        this.pid = pid;
    }

    /** CPU seconds (user and system) used so far by each thread name. */
    Map<String, Double> seconds() throws IOException {
        Map<String, Double> byName = new TreeMap<>();
        for (Task t : tasks()) {
            byName.merge(t.name(), t.seconds(), Double::sum);
        }
        return byName;
    }

    /**
     * CPU seconds used so far by each thread (by thread id) whose name {@code named} accepts: for the work of threads
     * that may end between two readings (HotSpot stops idle compiler threads), where a sum by name would lose what an
     * ended thread had used before.
     */
    Map<String, Double> secondsByThread(Predicate<String> named) throws IOException {
        Map<String, Double> byThread = new TreeMap<>();
        for (Task t : tasks()) {
            if (named.test(t.name())) {
                byThread.put(t.id(), t.seconds());
            }
        }
        return byThread;
    }

    /** One thread's reading: its id, its name (trailing digits as {@code N}) and its CPU seconds so far. */
    private record Task(String id, String name, double seconds) {}

    private List<Task> tasks() throws IOException {
        List<Task> out = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended while listed
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                String name = stat.substring(open + 1, close).replaceAll("\\d+$", "N");
                // after ") ": state is field 3 of stat(5); utime and stime are fields 14 and 15
                String[] fields = stat.substring(close + 2).split(" ");
                double ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                out.add(new Task(task.getFileName().toString(), name, ticks / TICKS_PER_SECOND));
            }
        }
        return out;
    }

    /** What each thread name used between two readings, in microseconds per {@code units}; only names that used any. */
    static Map<String, Double> microsPer(Map<String, Double> before, Map<String, Double> after, long units) {
        Map<String, Double> out = new TreeMap<>();
        after.forEach((name, seconds) -> {
            double used = seconds - before.getOrDefault(name, 0.0);
            if (used > 0) {
                out.put(name, used * 1e6 / units);
            }
        });
        return out;
    }
}
