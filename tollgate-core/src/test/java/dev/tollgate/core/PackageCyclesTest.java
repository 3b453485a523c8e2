package dev.tollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The packages of the core depend on each other without cycles, read from the compiled classes by the JDK's {@code
 * jdeps -verbose:package}.
 *
 * <p>One cycle is known and may only shrink: {@code engine}, {@code journal} and {@code store}. Its edges are public
 * types other modules import: the journal's records carry the engine's {@code Decision}, {@code BoundBy} and {@code
 * CreditCharge}, {@code store.UsageRow} carries {@code CreditCharge}, and {@code journal.GroupCommitJournal} (whose
 * {@code Listener} the server implements) drives {@code store.Store}. Breaking it moves those types (see {@code
 * docs/internals/engine.md}, "Package dependencies").
 */
final class PackageCyclesTest {
    private static final Set<String> KNOWN = Set.of("engine", "journal", "store");

    @Test
    void core_packages_have_no_cycle_but_the_known_one() {
        Map<String, Set<String>> graph = packageGraph();
        assertThat(graph).containsKeys("engine", "credit", "journal");
        for (Set<String> component : cycles(graph)) {
            assertThat(KNOWN).as("a package cycle: %s", component).containsAll(component);
        }
    }

    /** Package → packages it uses, within {@code dev.tollgate.core}, names relative to it ({@code ""} the root). */
    private static Map<String, Set<String>> packageGraph() {
        Path classes = Path.of("target", "classes");
        assertThat(Files.isDirectory(classes))
                .as("compiled classes at %s", classes.toAbsolutePath())
                .isTrue();
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int rc = jdeps.run(
                new PrintWriter(out),
                new PrintWriter(new StringWriter()),
                "-verbose:package",
                "-e",
                "dev\\.tollgate\\.core.*",
                classes.toString());
        assertThat(rc).isZero();
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 3 && parts[1].equals("->") && parts[0].startsWith("dev.tollgate.core")) {
                String from = relative(parts[0]);
                String to = relative(parts[2]);
                if (!from.equals(to)) {
                    graph.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
                }
            }
        }
        return graph;
    }

    private static String relative(String pkg) {
        return pkg.equals("dev.tollgate.core") ? "" : pkg.substring("dev.tollgate.core.".length());
    }

    /** The strongly connected components of more than one package. */
    private static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Tarjan t = new Tarjan(graph);
        for (String v : graph.keySet()) {
            if (!t.index.containsKey(v)) {
                t.connect(v);
            }
        }
        return t.out;
    }

    /** Tarjan's strongly connected components, one graph per instance. */
    private static final class Tarjan {
        private final Map<String, Set<String>> graph;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new TreeSet<>();
        private final List<Set<String>> out = new ArrayList<>();

        Tarjan(Map<String, Set<String>> graph) {
            this.graph = graph;
        }

        void connect(String v) {
            index.put(v, index.size());
            low.put(v, index.get(v));
            stack.push(v);
            onStack.add(v);
            for (String w : graph.getOrDefault(v, Set.of())) {
                if (!index.containsKey(w)) {
                    connect(w);
                    low.put(v, Math.min(low.get(v), low.get(w)));
                } else if (onStack.contains(w)) {
                    low.put(v, Math.min(low.get(v), index.get(w)));
                }
            }
            if (low.get(v).equals(index.get(v))) {
                Set<String> component = new TreeSet<>();
                String w;
                do {
                    w = stack.pop();
                    onStack.remove(w);
                    component.add(w);
                } while (!w.equals(v));
                if (component.size() > 1) {
                    out.add(component);
                }
            }
        }
    }
}
