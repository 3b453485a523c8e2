package dev.tollgate.client.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What applications were told, to compare with what the server recorded: units admitted per customer, units reported
 * per customer with each report's key, figures counted by name ({@code "sdk consume during CACHE"}), and violations
 * (answers that broke a rule of the test, kept to fail it with every one listed rather than the first).
 *
 * <p>Thread-safe: every worker thread records here.
 */
final class Told {
    private final Map<String, LongAdder> admitted = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> reported = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> reportKeys = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> figures = new ConcurrentSkipListMap<>();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();

    /** {@code units} of the customer's consumption were admitted. */
    void admitted(String customer, long units) {
        admitted.computeIfAbsent(customer, c -> new LongAdder()).add(units);
    }

    /** A report of {@code units} under {@code key} was accepted or spooled. */
    void reported(String customer, String key, long units) {
        reported.computeIfAbsent(customer, c -> new LongAdder()).add(units);
        if (!reportKeys
                .computeIfAbsent(customer, c -> ConcurrentHashMap.newKeySet())
                .add(key)) {
            violation("the report key " + key + " was used twice");
        }
    }

    /** Counts one more of the figure {@code name}. */
    void count(String name) {
        figures.computeIfAbsent(name, n -> new LongAdder()).increment();
    }

    /** An answer that broke a rule. */
    void violation(String what) {
        violations.add(what);
    }

    long admitted(String customer) {
        LongAdder a = admitted.get(customer);
        return a == null ? 0 : a.sum();
    }

    long reported(String customer) {
        LongAdder r = reported.get(customer);
        return r == null ? 0 : r.sum();
    }

    /** How many distinct reports of the customer were accepted or spooled. */
    int reports(String customer) {
        Set<String> keys = reportKeys.get(customer);
        return keys == null ? 0 : keys.size();
    }

    long figure(String name) {
        LongAdder f = figures.get(name);
        return f == null ? 0 : f.sum();
    }

    /** The sum of every figure whose name starts with {@code prefix}. */
    long figures(String prefix) {
        long sum = 0;
        for (Map.Entry<String, LongAdder> e : figures.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                sum += e.getValue().sum();
            }
        }
        return sum;
    }

    List<String> violations() {
        return new ArrayList<>(violations);
    }

    /** Every figure, one a line, in name order. */
    String table() {
        StringBuilder out = new StringBuilder();
        figures.forEach((name, n) -> out.append(String.format("  %-40s %8d%n", name, n.sum())));
        return out.toString();
    }
}
