package dev.tollgate.server.cluster;

import dev.tollgate.core.store.Ownership;
import dev.tollgate.server.auth.Caller;
import dev.tollgate.server.auth.Keyring;
import dev.tollgate.server.auth.NodeProof;
import dev.tollgate.server.feed.FeedQuery;
import dev.tollgate.server.feed.Interest;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.EventsAnswer;
import dev.tollgate.server.http.Response;
import dev.tollgate.server.http.Service;
import dev.tollgate.server.http.Throttle;
import dev.tollgate.server.http.Trees;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP service of a node of a cluster: answers here what this node owns, forwards the rest to its owner.
 *
 * <p>Per request ({@link RequestTarget}): no customer: served here. One customer: served here if placement puts it on
 * this node (taken and loaded first if need be, {@link ClusterNode#resident}), else forwarded ({@link Forwarder}); a
 * request forwarded by another node is never forwarded again ({@code 503 NOT_OWNER} when the views disagree, for the
 * short time a membership change takes to be seen by all). A batch of events naming customers of several owners is
 * split, each part sent to its owner, and the answers merged in the batch's order. The list of customers is asked of
 * every live node and merged by id, and so is the alert log. The change feed is every node's feed merged by the node the
 * subscriber connected to ({@link ClusterFeed}); a node asked for its own feed by another answers for the customers it
 * holds, and takes first those named that are placed on it. Answers for one customer say which node owns it ({@value
 * #OWNER_HEADER}), so that clients that route themselves send the next request there.
 *
 * <p>A node whose lease lapsed by its own clock ({@link ClusterNode#serving}) answers nothing for its customers: {@code
 * 503 NOT_OWNER} with {@code Retry-After}; except while the store cannot be reached ({@link
 * ClusterNode#storeUnreachable}), when it answers for those it holds as a server alone does in a store outage.
 *
 * <p>Thread-safe.
 */
public final class ClusterRouter implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterRouter.class);

    /** What this node sees of the cluster. */
    static final String VIEW = "/v1/cluster";

    /** Asks a node to read the catalog and the webhooks now; only from another node ({@link NodeProof}). */
    static final String FOLLOW = "/v1/cluster/follow";

    /** The answer header that names the URL of the node owning the request's customer. */
    public static final String OWNER_HEADER = "Tollgate-Owner";

    /**
     * The routes this service answers itself, before the API's route table, as {@code "METHOD /path"}: the OpenAPI
     * description ({@code openapi.json}) must name them too.
     */
    public static final List<String> ROUTES = List.of("GET " + VIEW, "POST " + FOLLOW);

    /**
     * How the nodes ask each other to read what changed ({@value #FOLLOW}).
     *
     * @param authorization the {@code Authorization} a node sends: the root key's, which every node of a cluster shares
     *     ({@code docs/operating/cluster.md}), so that the ask does not hang on the credential of the request that made
     *     the change (a key that revoked itself, a portal token that signed out)
     * @param credentials reads the credentials again ({@code auth/Keyring#reload})
     */
    public record Follow(String authorization, Runnable credentials) {}

    private final Service local;
    private final NodeProof proofs;
    private final Keyring keyring;
    private final Throttle forgedWarnings = new Throttle();
    private final NodeMark mark;
    private final ClusterNode node;
    private final Forwarder forwarder;
    private final ClusterMetrics metrics;
    private final SpanningReads spanning;
    /** Reads the other nodes' feeds for the merged feed: long-lived connections, apart from the forwarding pool. */
    private final HttpClient feedClient = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();

    private final Follow follow;

    /**
     * @param local the API of this node
     * @param follow how this node asks the others to read what changed, and reads it when asked
     * @param proofs the cluster's node proofs: this node's for what it sends, the others' checked on what it receives
     * @param keyring tells each merged change feed whether its subscriber's credential is still in force
     */
    public ClusterRouter(
            Service local,
            ClusterNode node,
            Forwarder forwarder,
            ClusterMetrics metrics,
            Follow follow,
            NodeProof proofs,
            Keyring keyring) {
        this.local = local;
        this.keyring = keyring;
        this.proofs = proofs;
        this.mark = new NodeMark(node.nodeId(), proofs.of(node.nodeId()));
        this.node = node;
        this.forwarder = forwarder;
        this.metrics = metrics;
        this.spanning = new SpanningReads(local, node, forwarder);
        this.follow = follow;
    }

    @Override
    public HeadCheck headCheck() {
        return local.headCheck();
    }

    @Override
    public void dispatch(String method, String path, Request request, Consumer<Response> answer) {
        // a request marked as relayed by a node is believed only with that node's proof, and refused without it
        String markedBy = request.header(NodeProof.FORWARDED_BY);
        NodeProof.Mark marked = proofs.check(markedBy, request.header(NodeProof.PROOF));
        if (marked == NodeProof.Mark.FORGED) {
            refuseForged(markedBy, answer);
            return;
        }
        boolean forwarded = marked == NodeProof.Mark.NODE;
        // a credential changed through this node is answered once every other node has it (the node that received
        // the request asks them, once, whichever node served it)
        Consumer<Response> done =
                changesCredentials(method, path) && !forwarded ? inForceEverywhere(answer, true) : answer;
        if (path.equals(VIEW) && method.equals("GET")) {
            done.accept(Response.json(200, node.view()));
            return;
        }
        if (path.equals(FOLLOW) && method.equals("POST") && forwarded) {
            node.followGlobals();
            follow.credentials().run();
            done.accept(Response.json(200, Map.of("catalogVersion", node.catalogVersion())));
            return;
        }
        RequestTarget target;
        try {
            target = request.caller() instanceof Caller.Portal portal && path.startsWith("/v1/portal/")
                    ? RequestTarget.customer(portal.customerId())
                    : RequestTarget.of(method, path, request::queryParam, request.bodyAsBytes());
        } catch (RuntimeException e) {
            target = RequestTarget.HERE; // a malformed query: refused here as a single server would
        }
        if (target instanceof RequestTarget.Customer c) {
            toOwner(c.id(), method, path, request, request.bodyAsBytes(), forwarded, done);
        } else if (target instanceof RequestTarget.Events e && !forwarded) {
            events(e, method, path, request, done);
        } else if (target instanceof RequestTarget.Events e) {
            servedHereIfOwned(e, method, path, request, done);
        } else if (target instanceof RequestTarget.Everyone && !forwarded && path.equals("/v1/customers")) {
            spanning.customers(method, request, done);
        } else if (target instanceof RequestTarget.Everyone && !forwarded && path.equals("/v1/events/log")) {
            spanning.alertLog(method, request, done);
        } else if (target instanceof RequestTarget.Stream && forwarded) {
            ownFeed(method, path, request, done);
        } else if (target instanceof RequestTarget.Stream) {
            mergedFeed(request, done);
        } else {
            local.dispatch(method, path, request, done);
        }
    }

    /**
     * Refuses a request marked as relayed by a node without that node's proof: a client that set the mark, or a node
     * configured with another root key (then every request between the two is refused, and said at most every 10 s).
     */
    private void refuseForged(@Nullable String markedBy, Consumer<Response> answer) {
        long refused = forgedWarnings.due();
        if (refused > 0) {
            LOG.warn(
                    "event=node_proof_invalid marked_by={} refused={} hint=\"every node of a cluster must have the"
                            + " same TOLLGATE_API_KEY and run the same version; a client must not send {}\"",
                    markedBy,
                    refused,
                    NodeProof.FORWARDED_BY);
        }
        answer.accept(Response.json(
                403,
                Response.errorBody(
                        "NODE_PROOF_INVALID",
                        NodeProof.FORWARDED_BY + " is for the servers of this cluster, with their proof; send the"
                                + " request without it",
                        NodeProof.FORWARDED_BY)));
    }

    private void toOwner(
            String customerId,
            String method,
            String path,
            Request request,
            byte[] body,
            boolean forwarded,
            Consumer<Response> done) {
        Optional<Ownership.Member> owner = node.ownerOf(customerId);
        if (owner.isEmpty() || !node.serving()) {
            if (node.storeUnreachable() && node.holds(customerId)) {
                local.dispatch(method, path, request, done); // as a server alone in a store outage
                return;
            }
            metrics.refused();
            done.accept(Response.retryLater("NOT_OWNER", "this server's lease lapsed; it rejoins in a moment: retry"));
            return;
        }
        if (owner.get().nodeId().equals(node.nodeId())) {
            here(
                    customerId,
                    method,
                    path,
                    request,
                    customerId.equals(Ownership.GLOBAL) && !method.equals("GET")
                            ? inForceEverywhere(done, false)
                            : done);
        } else if (forwarded) {
            metrics.refused();
            done.accept(Response.retryLater(
                    "NOT_OWNER", "the servers are agreeing on who owns '" + customerId + "' after a change: retry"));
        } else {
            metrics.forwarded();
            forwarder
                    .forward(owner.get().url(), method, request.uri(), request, body)
                    .thenAccept(done);
        }
    }

    private void here(String customerId, String method, String path, Request request, Consumer<Response> answer) {
        Consumer<Response> done = customerId.equals(Ownership.GLOBAL) ? answer : namingOwner(answer);
        CompletableFuture<Long> resident = node.resident(customerId);
        if (resident.isDone() && !resident.isCompletedExceptionally()) {
            local.dispatch(method, path, request, done); // the common case: on this thread, as a single server
            return;
        }
        resident.whenComplete((epoch, failure) -> {
            if (failure == null) {
                local.dispatch(method, path, request, done);
            } else {
                metrics.refused();
                done.accept(Response.retryLater(
                        "NOT_OWNER", "customer '" + customerId + "' is moving to this server: retry"));
            }
        });
    }

    /**
     * Adds {@value #OWNER_HEADER} (this node's URL) to an answer this node gave as the customer's owner; not to a
     * {@code 503} or {@code 504}, which it may give for a customer it no longer holds.
     */
    private Consumer<Response> namingOwner(Consumer<Response> done) {
        return r -> {
            if (r.stream() != null || r.status() == 503 || r.status() == 504) {
                done.accept(r);
                return;
            }
            Map<String, String> headers = new LinkedHashMap<>(r.headers());
            headers.put(OWNER_HEADER, node.url());
            done.accept(new Response(r.status(), r.contentType(), r.body(), headers));
        };
    }

    /**
     * Whether a request changes credentials (makes or revokes a key or a portal session): answered, wherever it is
     * served, only once every live node has read the change ({@link #inForceEverywhere}), so that a key just made works
     * on every node, and a revoked one on none.
     */
    static boolean changesCredentials(String method, String path) {
        return !method.equals("GET")
                && (path.equals("/v1/keys")
                        || path.startsWith("/v1/keys/")
                        || path.equals("/v1/portal-sessions")
                        || path.startsWith("/v1/portal-sessions/")
                        || path.equals("/v1/portal/session"));
    }

    /**
     * The answer to a change of the catalog, the webhooks or the credentials, held until every other live node has read
     * it from the store ({@value #FOLLOW}), so that it is in force on every node once the change is answered: a
     * subscription to a plan just published, sent through any node, finds it; a key revoked through one node is refused
     * by all. A node that does not answer within the forwarding timeout reads it within its next 2 s anyway. With
     * {@code credentials}, this node reads them again too: a portal session's change is served by its customer's
     * owner, which may be another node.
     */
    private Consumer<Response> inForceEverywhere(Consumer<Response> done, boolean credentials) {
        ApiRequest ask = new FollowRequest(follow.authorization());
        return response -> {
            if (response.status() >= 300) {
                done.accept(response);
                return;
            }
            List<CompletableFuture<?>> follows = new ArrayList<>();
            if (credentials) {
                // this node too: the change may have been served by the customer's owner, another node; a short
                // store read, rare (an operator's or a portal's change), off the I/O thread; should it fail, the
                // reload every 2 s catches up
                follows.add(CompletableFuture.runAsync(follow.credentials()).handle((v, e) -> null));
            }
            for (Ownership.Member m : node.liveMembers()) {
                if (!m.nodeId().equals(node.nodeId())) {
                    follows.add(forwarder.forward(m.url(), "POST", FOLLOW, ask, new byte[0]));
                }
            }
            CompletableFuture.allOf(follows.toArray(CompletableFuture[]::new)).thenRun(() -> done.accept(response));
        };
    }

    /** The ask to read what changed: no body, the root key's {@code Authorization}. */
    private record FollowRequest(String authorization) implements ApiRequest {
        @Override
        public @Nullable String header(String name) {
            return name.equalsIgnoreCase("Authorization") ? authorization : null;
        }

        @Override
        public String pathParam(String name) {
            throw new IllegalArgumentException("the ask to follow has no path parameter '" + name + "'");
        }

        @Override
        public @Nullable String queryParam(String name) {
            return null;
        }

        @Override
        public byte[] bodyAsBytes() {
            return new byte[0];
        }

        @Override
        public String toString() {
            return "FollowRequest[authorization hidden]";
        }
    }

    /** A forwarded batch: every customer of it is placed here (the sender split it), each loaded before it runs. */
    private void servedHereIfOwned(
            RequestTarget.Events e, String method, String path, Request request, Consumer<Response> done) {
        List<CompletableFuture<Long>> loads = new ArrayList<>();
        for (String c : e.customers()) {
            if (!c.equals(RequestTarget.NO_CUSTOMER)) {
                if (!node.ownerOf(c).map(m -> m.nodeId().equals(node.nodeId())).orElse(false)) {
                    metrics.refused();
                    done.accept(Response.retryLater(
                            "NOT_OWNER", "the servers are agreeing on who owns '" + c + "' after a change: retry"));
                    return;
                }
                loads.add(node.resident(c));
            }
        }
        CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new)).whenComplete((v, failure) -> {
            if (failure == null) {
                local.dispatch(method, path, request, done);
            } else {
                metrics.refused();
                done.accept(Response.retryLater("NOT_OWNER", "a customer of this batch is moving: retry"));
            }
        });
    }

    /** Splits a batch by owner; one owner: the whole batch goes there. */
    private void events(RequestTarget.Events e, String method, String path, Request request, Consumer<Response> done) {
        List<byte[]> items = e.items();
        Map<String, List<Integer>> byOwner = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String c = e.customers().get(i);
            String owner = c.equals(RequestTarget.NO_CUSTOMER)
                    ? node.nodeId()
                    : node.ownerOf(c).map(Ownership.Member::nodeId).orElse(node.nodeId());
            byOwner.computeIfAbsent(owner, k -> new ArrayList<>()).add(i);
        }
        if (byOwner.size() == 1) {
            String owner = byOwner.keySet().iterator().next();
            if (owner.equals(node.nodeId())) {
                servedHereIfOwned(e, method, path, request, done);
            } else {
                sendTo(owner, method, request, request.bodyAsBytes()).thenAccept(done);
            }
            return;
        }
        List<List<Integer>> places = new ArrayList<>();
        List<CompletableFuture<Response>> parts = new ArrayList<>();
        byOwner.forEach((owner, indexes) -> {
            List<byte[]> part = new ArrayList<>();
            indexes.forEach(i -> part.add(items.get(i)));
            places.add(indexes);
            parts.add(sendTo(owner, method, request, EventSlices.batch(part)));
        });
        CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenRun(() -> done.accept(merged(places, parts, items.size())));
    }

    /** One part of a split batch, sent over HTTP to its owner (this node too, as a forwarded request). */
    private CompletableFuture<Response> sendTo(String owner, String method, Request request, byte[] body) {
        Ownership.Member m = node.member(owner);
        String url = m == null ? node.url() : m.url();
        metrics.forwarded();
        return forwarder.forward(url, method, request.uri(), request, body);
    }

    /**
     * The answer of a split batch: each part's results at their places in the batch; the first part that failed as a
     * whole (a 4xx or 5xx) is the answer if any did, since its events' outcomes are not known.
     */
    private static Response merged(
            List<List<Integer>> placesOfParts, List<CompletableFuture<Response>> parts, int size) {
        Object[] results = new Object[size];
        for (int p = 0; p < parts.size(); p++) {
            Response r = parts.get(p).join();
            if (r.status() != 200) {
                return r;
            }
            Object tree = Trees.json(r.body());
            List<Integer> places = placesOfParts.get(p);
            if (!(tree instanceof Map<?, ?> body) || !(body.get("results") instanceof List<?> list)) {
                return Response.error(502, "FORWARD_MALFORMED", "a server answered a part of the batch unreadably");
            }
            for (Object o : list) {
                if (o instanceof Map<?, ?> result && result.get("index") instanceof Number n) {
                    Map<String, Object> copy = new LinkedHashMap<>();
                    result.forEach((k, v) -> copy.put(String.valueOf(k), v));
                    int at = places.get(n.intValue());
                    copy.put("index", at);
                    results[at] = copy;
                }
            }
        }
        return Response.json(200, EventsAnswer.of(Arrays.asList(results)));
    }

    /** The feed of every node, merged here. */
    private void mergedFeed(Request request, Consumer<Response> done) {
        FeedQuery query;
        FeedCursor since;
        try {
            query = FeedQuery.of(request);
            since = FeedCursor.parse(query.since());
        } catch (ApiException e) {
            done.accept(
                    Response.json(e.status(), Response.errorBody(e.code(), String.valueOf(e.getMessage()), e.field())));
            return;
        } catch (IllegalArgumentException e) {
            String field = request.queryParam("since") != null ? "since" : "Last-Event-ID";
            done.accept(Response.json(
                    400,
                    Response.errorBody(
                            "INVALID_FIELD", field + " must be a cursor this cluster's feed gave (or none)", field)));
            return;
        }
        String authorization = request.header("Authorization");
        done.accept(Response.stream(new ClusterFeed(
                node,
                feedClient,
                query.interest(),
                since,
                authorization == null ? "" : authorization,
                mark,
                keyring.inForce(authorization),
                ClusterFeed.Settings.DEFAULT)));
    }

    /**
     * This node's own feed, for the node merging it: the customers named that are placed here are taken first (their
     * state as loaded is then a change of this feed), as a request for one of them would.
     */
    private void ownFeed(String method, String path, Request request, Consumer<Response> done) {
        try {
            Interest interest = FeedQuery.of(request).interest();
            if (interest != null) {
                for (String c : interest.customers()) {
                    if (node.ownerOf(c)
                            .map(m -> m.nodeId().equals(node.nodeId()))
                            .orElse(false)) {
                        node.resident(c);
                    }
                }
            }
        } catch (ApiException e) {
            // refused by the local route as a server alone refuses it
        }
        local.dispatch(method, path, request, done);
    }
}
