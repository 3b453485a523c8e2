package dev.tollgate.server.cluster;

import dev.tollgate.core.store.Ownership;
import dev.tollgate.server.http.Requests;
import dev.tollgate.server.http.Response;
import dev.tollgate.server.http.Service;
import dev.tollgate.server.http.Service.Request;
import dev.tollgate.server.http.Trees;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Reads that span every customer, and so every node of a cluster: each live node is asked for its part (as a forwarded
 * request, which it answers from the customers it holds) and the parts are merged as a server alone would have
 * answered: the customer list by id, page by page; the alert log newest first.
 *
 * <p>A query a server alone would refuse ({@code limit} out of range) is refused here by the local API, so the answer
 * is the same. If a node's part is not a {@code 200}, that answer is the answer (its customers cannot be listed).
 *
 * <p>Thread-safe.
 */
final class SpanningReads {
    private final Service local;
    private final ClusterNode node;
    private final Forwarder forwarder;

    SpanningReads(Service local, ClusterNode node, Forwarder forwarder) {
        this.local = local;
        this.node = node;
        this.forwarder = forwarder;
    }

    /** {@code GET /v1/customers}: every live node's page, merged by id. */
    void customers(String method, Request request, Consumer<Response> done) {
        askEveryNode(method, "/v1/customers", request, done, (limit, bodies) -> {
            List<Map<?, ?>> all = new ArrayList<>();
            boolean more = false;
            for (Map<?, ?> body : bodies) {
                if (body.get("customers") instanceof List<?> list) {
                    more |= body.get("nextCursor") != null;
                    list.forEach(c -> all.add((Map<?, ?>) c));
                }
            }
            all.sort(Comparator.comparing(c -> String.valueOf(c.get("id"))));
            more |= all.size() > limit;
            List<Object> page = new ArrayList<>(all.subList(0, Math.min(limit, all.size())));
            Map<String, Object> merged = new LinkedHashMap<>();
            merged.put("customers", page);
            merged.put(
                    "nextCursor",
                    more && !page.isEmpty()
                            ? Requests.cursorAfter(String.valueOf(((Map<?, ?>) page.get(page.size() - 1)).get("id")))
                            : null);
            return merged;
        });
    }

    /**
     * {@code GET /v1/events/log} without a customer: every live node's alerts, merged newest first (by {@code at},
     * then id, as one server orders them), each alert once, at most {@code limit}.
     */
    void alertLog(String method, Request request, Consumer<Response> done) {
        askEveryNode(method, "/v1/events/log", request, done, (limit, bodies) -> {
            Map<String, Map<?, ?>> byId = new LinkedHashMap<>();
            for (Map<?, ?> body : bodies) {
                if (body.get("events") instanceof List<?> list) {
                    for (Object e : list) {
                        if (e instanceof Map<?, ?> alert) {
                            byId.putIfAbsent(String.valueOf(alert.get("id")), alert);
                        }
                    }
                }
            }
            List<Map<?, ?>> all = new ArrayList<>(byId.values());
            all.sort(Comparator.<Map<?, ?>, Instant>comparing(a -> Instant.parse(String.valueOf(a.get("at"))))
                    .thenComparing(a -> String.valueOf(a.get("id")))
                    .reversed());
            return Map.of("events", new ArrayList<Object>(all.subList(0, Math.min(limit, all.size()))));
        });
    }

    /** Merges the parts' bodies into the answer's, given the page's {@code limit}. */
    @FunctionalInterface
    private interface Merge {
        Object merge(int limit, List<Map<?, ?>> bodies);
    }

    /**
     * Sends the request as received to every live node (this one too) and answers the merge of their bodies; a query a
     * server alone refuses is refused by the local API, and a part that is not a {@code 200} is the answer.
     */
    private void askEveryNode(String method, String path, Request request, Consumer<Response> done, Merge merge) {
        int limit;
        try {
            limit = Requests.pageLimit(request);
        } catch (RuntimeException e) {
            local.dispatch(method, path, request, done); // refused there as a single server would
            return;
        }
        List<CompletableFuture<Response>> parts = new ArrayList<>();
        for (Ownership.Member m : node.liveMembers()) {
            parts.add(forwarder.forward(m.url(), method, request.uri(), request, new byte[0]));
        }
        CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenRun(() -> {
            List<Map<?, ?>> bodies = new ArrayList<>();
            for (CompletableFuture<Response> part : parts) {
                Response r = part.join();
                if (r.status() != 200) {
                    done.accept(r);
                    return;
                }
                if (Trees.json(r.body()) instanceof Map<?, ?> body) {
                    bodies.add(body);
                }
            }
            done.accept(Response.json(200, merge.merge(limit, bodies)));
        });
    }
}
