package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.testkit.PostgresTestSchema;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Servers of one cluster started in this JVM ({@link TollgateServer#start}) on a PostgreSQL schema of their own, lease
 * 3 s, node ids {@code n1}, {@code n2}, ...: for the cluster tests that need no separate process (those that kill or
 * stop a server use {@code Cluster}, with processes). Not thread-safe: one test's.
 */
final class JvmCluster implements AutoCloseable {
    /** The API of one server. */
    static final class Node extends ApiClient {
        private final int port;

        Node(int port) {
            this.port = port;
        }

        @Override
        int port() {
            return port;
        }
    }

    private final PostgresTestSchema schema = PostgresTestSchema.create();
    private final List<TollgateServer> servers = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();

    /** Starts {@code count} servers and waits until each sees all of them live. */
    static JvmCluster start(int count) throws IOException {
        JvmCluster cluster = new JvmCluster();
        for (int n = 1; n <= count; n++) {
            cluster.startNode(n);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (Node node : cluster.nodes) {
                assertThat(alive(node)).hasSize(count);
            }
        });
        return cluster;
    }

    private void startNode(int n) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        servers.add(TollgateServer.start(
                ServerConfig.builder()
                        .port(port)
                        .store("postgres")
                        .postgresUrl(schema.url())
                        .apiKey(ApiClient.KEY)
                        .nodeId("n" + n)
                        .advertiseUrl("http://127.0.0.1:" + port)
                        .leaseSeconds(3)
                        .build(),
                InstantSource.system()));
        nodes.add(new Node(port));
    }

    /** The API of the {@code i}-th server, from 0. */
    Node node(int i) {
        return nodes.get(i);
    }

    /** The APIs of every server, in the order started. */
    List<Node> nodes() {
        return nodes;
    }

    /** The {@code i}-th server, from 0 (to stop it). */
    TollgateServer server(int i) {
        return servers.get(i);
    }

    /** The members {@code node} sees live ({@code GET /v1/cluster}). */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> alive(Node node) {
        List<Map<String, Object>> members =
                (List<Map<String, Object>>) node.get("/v1/cluster").body().get("members");
        return members.stream().filter(m -> Boolean.TRUE.equals(m.get("alive"))).toList();
    }

    @Override
    public void close() {
        servers.forEach(TollgateServer::close);
        schema.close();
    }
}
