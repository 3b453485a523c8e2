package dev.tollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages of the core depend on each other without cycles, read from the compiled classes by the JDK's {@code
 * jdeps -verbose:package}.
 *
 * <p>The last cycle, {@code engine} - {@code journal} - {@code store}, was broken by giving the answers the journal and
 * the stores carry a package of their own ({@code decision}: {@code Decision}, {@code BoundBy}, {@code CreditCharge})
 * and the group commit, which drives the store, one too ({@code commit}). The requests and answers of the engine live
 * in {@code api}, apart from the facade ({@code engine}) and its capabilities ({@code engine.internal}), so that both
 * use them and neither cycles through the other.
 *
 * <p>The API boundary, read from {@code module-info.class}: no {@code ...internal} package is exported, every other
 * package is, and no exported package but the facade's depends on an internal one.
 */
final class PackageCyclesTest {
    private static final Path CLASSES = Path.of("target", "classes");

    @Test
    void core_packages_have_no_cycle() {
        Map<String, Set<String>> graph = packageGraph();
        assertThat(graph)
                .containsKeys("engine", "engine.internal", "api", "credit", "credit.internal", "journal", "store");
        assertThat(cycles(graph)).as("package cycles").isEmpty();
    }

    @Test
    void internal_packages_are_not_exported_and_the_api_does_not_reach_into_them() throws IOException {
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> files = Files.walk(CLASSES)) {
            files.filter(f -> f.toString().endsWith(".class")
                            && !f.getFileName().toString().startsWith("module-info"))
                    .forEach(f -> packages.add(CLASSES.relativize(f.getParent())
                            .toString()
                            .replace(f.getFileSystem().getSeparator(), ".")));
        }
        ModuleDescriptor module;
        try (InputStream in = Files.newInputStream(CLASSES.resolve("module-info.class"))) {
            module = ModuleDescriptor.read(in, () -> packages);
        }
        Set<String> exported = new TreeSet<>();
        module.exports().forEach(e -> {
            assertThat(e.isQualified())
                    .as("%s exported to named modules only", e.source())
                    .isFalse();
            exported.add(e.source());
        });
        Set<String> internal = new TreeSet<>();
        packages.stream().filter(p -> p.endsWith(".internal")).forEach(internal::add);

        assertThat(module.name()).isEqualTo("dev.tollgate.core");
        assertThat(internal).contains("dev.tollgate.core.engine.internal", "dev.tollgate.core.credit.internal");
        assertThat(exported).as("exported").doesNotContainAnyElementsOf(internal);
        assertThat(exported)
                .as("exported")
                .containsAll(
                        packages.stream().filter(p -> !internal.contains(p)).toList());
        packageGraph().forEach((from, to) -> {
            if (!from.endsWith("internal") && !from.equals("engine")) {
                assertThat(to).as("what %s uses", from).noneMatch(p -> p.endsWith("internal"));
            }
        });
    }

    /** Package → packages it uses, within {@code dev.tollgate.core}, names relative to it ({@code ""} the root). */
    private static Map<String, Set<String>> packageGraph() {
        Path classes = CLASSES;
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
