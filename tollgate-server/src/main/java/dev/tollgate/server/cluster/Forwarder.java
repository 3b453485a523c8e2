package dev.tollgate.server.cluster;

import dev.tollgate.server.auth.NodeProof;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Response;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * Relays a request to the server that owns its customer, over one pooled HTTP client (keep-alive connections per
 * node), and its answer back as it came.
 *
 * <p>What is relayed: the method, the path and query as received, the body, and the headers a route reads ({@code
 * Authorization}, {@code Content-Type}, {@code Idempotency-Key}, {@code Accept}, {@code X-Customer-Token}: the owner
 * checks the credential again); the answer's status, body and the headers a client reads ({@code Idempotent-Replay},
 * {@code Retry-After}, {@code Content-Disposition}, {@code Tollgate-Owner}). The relayed
 * request carries {@value NodeProof#FORWARDED_BY} with this node's id and {@value NodeProof#PROOF} with its proof
 * ({@link NodeProof}); a node never forwards such a request again, so a disagreement between two nodes' views ends in
 * one {@code 503}, not a loop.
 *
 * <p>Failures: a node that cannot be connected to was sent nothing: {@code 503 OWNER_UNREACHABLE} with {@code
 * Retry-After} (its customers move within the lease time). A node that took the request and then did not answer may
 * or may not have applied it: {@code 504 FORWARD_IN_DOUBT}, retry with the same idempotency key.
 *
 * <p>Thread-safe.
 */
public final class Forwarder {
    private static final List<String> REQUEST_HEADERS =
            List.of("Authorization", "Content-Type", "Idempotency-Key", "Accept", "X-Customer-Token");
    private static final List<String> ANSWER_HEADERS =
            List.of("Idempotent-Replay", "Retry-After", "Content-Disposition", ClusterRouter.OWNER_HEADER);

    private final HttpClient client;
    private final String nodeId;
    private final String proof;
    private final Duration timeout;

    /**
     * @param nodeId this node's id, sent in {@value NodeProof#FORWARDED_BY}
     * @param proofs the cluster's node proofs: this node's is sent in {@value NodeProof#PROOF}
     * @param timeout how long an owner may take to answer before the request is answered {@code 504
     *     FORWARD_IN_DOUBT}: the lease time, at least 10 s (an owner paused longer has lost its customers)
     */
    public Forwarder(String nodeId, NodeProof proofs, Duration timeout) {
        this.nodeId = nodeId;
        this.proof = proofs.of(nodeId);
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1))
                .build(); // the JDK's own daemon threads, never a pool the server shuts down (its selector spins then)
    }

    /**
     * Sends the request to {@code baseUrl} and answers what it answered.
     *
     * @param uri the path and query as received
     * @param body the body to send (the request's own, or a part of a split batch)
     * @return the answer; never completes exceptionally
     */
    public CompletableFuture<Response> forward(
            String baseUrl, String method, String uri, ApiRequest request, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stripSlash(baseUrl) + uri))
                .timeout(timeout)
                .method(
                        method,
                        body.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body))
                .header(NodeProof.FORWARDED_BY, nodeId)
                .header(NodeProof.PROOF, proof);
        for (String h : REQUEST_HEADERS) {
            String v = request.header(h);
            if (v != null) {
                b.header(h, v);
            }
        }
        return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((r, failure) -> failure == null ? relayed(r) : failed(failure));
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static Response relayed(HttpResponse<byte[]> r) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h : ANSWER_HEADERS) {
            r.headers().firstValue(h).ifPresent(v -> headers.put(h, v));
        }
        String type = r.headers().firstValue("Content-Type").orElse("application/json");
        return new Response(r.statusCode(), type, r.body(), headers);
    }

    private static Response failed(Throwable failure) {
        Throwable e =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (e instanceof ConnectException || causedByConnect(e)) {
            return Response.retryLater(
                    "OWNER_UNREACHABLE",
                    "the server that owns this customer cannot be reached; it moves to another"
                            + " server within the lease time: retry");
        }
        String why = e instanceof HttpTimeoutException ? "did not answer in time" : "broke the connection";
        return Response.json(
                504,
                Response.errorBody(
                        "FORWARD_IN_DOUBT",
                        "the server that owns this customer " + why
                                + "; the request may have been applied: retry with the same idempotency key",
                        null),
                Map.of("Retry-After", "1"));
    }

    private static boolean causedByConnect(@Nullable Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }
}
