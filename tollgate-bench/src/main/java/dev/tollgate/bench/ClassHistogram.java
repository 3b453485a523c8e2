package dev.tollgate.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A live-object histogram of another JVM ({@code jcmd <pid> GC.class_histogram}, which collects first), and what grew
 * between two of them: the soak prints the classes whose instances grew most, so a growing heap names its cause.
 *
 * @param bytesByClass bytes held by the live instances of each class, by class name
 * @param countByClass live instances of each class, by class name
 */
record ClassHistogram(Map<String, Long> bytesByClass, Map<String, Long> countByClass) {
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    /** Takes a histogram of the JVM {@code pid}; blocks for the full GC it causes. */
    static ClassHistogram of(long pid) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        return parse(Proc.run(List.of(jcmd, Long.toString(pid), "GC.class_histogram"), Map.of(), 300));
    }

    /** Reads {@code jcmd GC.class_histogram} output; lines that are not rows (header, total) are skipped. */
    static ClassHistogram parse(String text) {
        Map<String, Long> bytes = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                counts.merge(m.group(3), Long.parseLong(m.group(1)), Long::sum);
                bytes.merge(m.group(3), Long.parseLong(m.group(2)), Long::sum);
            }
        }
        return new ClassHistogram(Map.copyOf(bytes), Map.copyOf(counts));
    }

    /** The {@code limit} classes whose bytes grew most from {@code before} to this, one formatted line each. */
    List<String> grownSince(ClassHistogram before, int limit) {
        return bytesByClass.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.bytesByClass.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit)
                .map(e -> String.format(
                        Locale.ROOT,
                        "%+10.1f KB %+9d  %s",
                        e.getValue() / 1024.0,
                        countByClass.getOrDefault(e.getKey(), 0L) - before.countByClass.getOrDefault(e.getKey(), 0L),
                        e.getKey()))
                .toList();
    }
}
