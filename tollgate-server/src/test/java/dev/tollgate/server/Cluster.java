package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.testkit.PostgresTestSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Several Tollgate servers on one PostgreSQL schema of their own, each a process of its own ({@link ServerProcess}):
 * a cluster as an operator runs it, for tests that kill, freeze and resume its nodes.
 *
 * <p>Nodes are {@code n1..nN}. Each is started as {@code serve --store postgres --postgres-url <schema> --port P
 * --node-id nI --advertise-url http://127.0.0.1:P --lease-seconds 3} with the test API key, on a port chosen before its
 * start (a node advertises its URL, so it must know its port), and writes its output to {@code <logs>/nI.log}. The
 * cluster keeps what the test did to each node ({@link State}); {@link #running()} are the nodes that answer.
 *
 * <p>Thread-safety: {@link #node}, {@link #running()} and {@link #view} may be called from any thread; the changes
 * (kill, pause, resume, stop) from the test's thread only.
 */
final class Cluster implements AutoCloseable {
    /** The lease of every node: a node silent this long is dead, and its customers go to the others. */
    static final int LEASE_SECONDS = 3;

    /** What the test did to a node. */
    enum State {
        RUNNING,
        /** SIGKILL: gone for good. */
        KILLED,
        /** SIGSTOP: frozen until resumed. */
        PAUSED,
        /** SIGTERM at the end. */
        STOPPED
    }

    private final PostgresTestSchema schema;
    private final Path logs;
    private final Map<String, ServerProcess> nodes;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    private Cluster(PostgresTestSchema schema, Path logs, Map<String, ServerProcess> nodes) {
        this.schema = schema;
        this.logs = logs;
        this.nodes = nodes;
        nodes.keySet().forEach(id -> states.put(id, State.RUNNING));
    }

    /**
     * Starts {@code size} nodes at once on a fresh schema and waits until each listens (not until they agree: see
     * {@link #awaitMembership()}).
     *
     * @param logs the directory of the nodes' logs, created if missing
     * @throws org.opentest4j.TestAbortedException if PostgreSQL is unreachable outside CI (an error under {@code CI=true})
     */
    static Cluster start(int size, Path logs) {
        PostgresTestSchema schema = PostgresTestSchema.create();
        List<CompletableFuture<ServerProcess>> starting = new ArrayList<>();
        try {
            Files.createDirectories(logs);
            List<Integer> ports = freePorts(size);
            for (int i = 0; i < size; i++) {
                String id = "n" + (i + 1);
                List<String> commandLine = commandLine(schema, logs, id, ports.get(i));
                starting.add(CompletableFuture.supplyAsync(
                        () -> ServerProcess.startWith(logs.resolve(id + ".log"), commandLine)));
            }
            Map<String, ServerProcess> nodes = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                try {
                    nodes.put("n" + (i + 1), starting.get(i).join());
                } catch (CompletionException e) {
                    throw e.getCause() instanceof RuntimeException cause ? cause : e;
                }
            }
            return new Cluster(schema, logs, nodes);
        } catch (IOException | RuntimeException e) {
            for (CompletableFuture<ServerProcess> s : starting) {
                s.thenAccept(ServerProcess::close);
            }
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new))
                    .handle((done, failure) -> null)
                    .join();
            schema.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private static List<String> commandLine(PostgresTestSchema schema, Path logs, String id, int port) {
        return List.of(
                "serve",
                "--port",
                Integer.toString(port),
                "--data-dir",
                logs.resolve(id + "-data").toString(),
                "--store",
                "postgres",
                "--postgres-url",
                schema.url(),
                "--node-id",
                id,
                "--advertise-url",
                "http://127.0.0.1:" + port,
                "--lease-seconds",
                Integer.toString(LEASE_SECONDS));
    }

    /** Distinct free ports, each held until all are found. */
    private static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0);
                held.add(s);
                ports.add(s.getLocalPort());
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    /** Every node's id, {@code n1..nN}, in order. */
    List<String> ids() {
        return List.copyOf(nodes.keySet());
    }

    /** The nodes the test has neither killed, paused nor stopped, in order. */
    List<String> running() {
        return nodes.keySet().stream()
                .filter(id -> states.get(id) == State.RUNNING)
                .toList();
    }

    /** Node {@code id}, whatever its state: a request to a killed or paused node fails or waits. */
    ServerProcess node(String id) {
        ServerProcess node = nodes.get(id);
        assertThat(node).as("node %s", id).isNotNull();
        return node;
    }

    /** The log file of node {@code id}. */
    Path log(String id) {
        return logs.resolve(id + ".log");
    }

    /**
     * {@code GET /v1/cluster} on node {@code id}: {@code {"node", "leaseSeconds", "members": [{"nodeId", "url",
     * "alive", "heartbeatAgeMillis", "owned"}]}}.
     */
    Map<String, Object> view(String id) {
        ApiClient.Reply reply = node(id).get("/v1/cluster");
        assertThat(reply.status())
                .as("GET /v1/cluster on %s: %s", id, reply.text())
                .isEqualTo(200);
        return reply.body();
    }

    /**
     * Waits until every running node sees itself as itself, every running node alive at its advertised URL, and every
     * other node (killed or paused) dead or gone from its list. Polls; fails after a minute with the last view seen.
     */
    void awaitMembership() {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .untilAsserted(() -> running().forEach(this::assertAgrees));
    }

    private void assertAgrees(String observer) {
        Map<String, Object> view = view(observer);
        assertThat(view).as("view of %s", observer).containsEntry("node", observer);
        assertThat((BigDecimal) view.get("leaseSeconds"))
                .as("view of %s: %s", observer, view)
                .isEqualByComparingTo(BigDecimal.valueOf(LEASE_SECONDS));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> members = (List<Map<String, Object>>) view.get("members");
        Map<String, Map<String, Object>> byId = new LinkedHashMap<>();
        members.forEach(m -> byId.put((String) m.get("nodeId"), m));
        for (String id : nodes.keySet()) {
            Map<String, Object> member = byId.get(id);
            if (states.get(id) == State.RUNNING) {
                assertThat(member)
                        .as("%s in the view of %s: %s", id, observer, view)
                        .isNotNull();
                assertThat(member)
                        .as("view of %s: %s", observer, view)
                        .containsEntry("alive", true)
                        .containsEntry("url", "http://127.0.0.1:" + node(id).port());
            } else if (member != null) {
                assertThat(member)
                        .as("%s (%s) in the view of %s: %s", id, states.get(id), observer, view)
                        .containsEntry("alive", false);
            }
        }
    }

    /** The view of every running node, for the log of a run. */
    String describe() {
        StringBuilder text = new StringBuilder();
        for (String id : running()) {
            try {
                text.append(id).append(": ").append(view(id)).append('\n');
            } catch (RuntimeException | AssertionError e) {
                text.append(id).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return text.toString();
    }

    /** SIGKILL on node {@code id}'s JVM; returns once the process is gone. */
    void kill(String id) throws InterruptedException {
        node(id).kill();
        states.put(id, State.KILLED);
    }

    /** SIGSTOP on node {@code id}: frozen, its sockets open, its heartbeats stopped. */
    void pause(String id) {
        node(id).pause();
        states.put(id, State.PAUSED);
    }

    /** SIGCONT on a paused node {@code id}. */
    void resume(String id) {
        assertThat(states.get(id)).isEqualTo(State.PAUSED);
        node(id).resume();
        states.put(id, State.RUNNING);
    }

    /** Stops every node still there with SIGTERM (a paused one is resumed first, to let it end). Idempotent. */
    void stop() {
        for (Map.Entry<String, ServerProcess> e : nodes.entrySet()) {
            State state = states.get(e.getKey());
            if (state == State.PAUSED) {
                e.getValue().resume();
            }
            if (state != State.KILLED && state != State.STOPPED) {
                e.getValue().close();
                states.put(e.getKey(), State.STOPPED);
            }
        }
    }

    /** {@code verify} over the shared store, as an operator runs it once every node has stopped. */
    ServerProcess.Result verify() {
        assertThat(states.values()).as("verify runs on a stopped cluster").doesNotContain(State.RUNNING, State.PAUSED);
        return ServerProcess.run(
                logs.resolve("verify.log"),
                List.of(
                        "verify",
                        "--store",
                        "postgres",
                        "--postgres-url",
                        schema.url(),
                        "--data-dir",
                        logs.resolve("verify-data").toString()));
    }

    /** Stops the nodes and drops the schema. */
    @Override
    public void close() {
        try {
            stop();
        } finally {
            schema.close();
        }
    }
}
