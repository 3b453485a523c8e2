package dev.tollgate.server.cluster;

import dev.tollgate.server.auth.NodeProof;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One node's own change feed, read by the node that merges it for a subscriber ({@link ClusterFeed}): a long-lived
 * {@code GET /v1/stream} to that node, marked {@value NodeProof#FORWARDED_BY} (with its {@link NodeProof}) so that it answers with its own customers
 * only, read as Server-Sent Events without a thread of its own.
 *
 * <p>Back-pressure: lines are asked for one at a time ({@link Flow.Subscription#request}); while the merging side has
 * no room ({@link Receiver#room}) none is asked for, until it calls {@link #resume}, so a slow subscriber holds the
 * connection still and the owner's feed coalesces what waits, as for a subscriber of its own.
 *
 * <p>Thread-safety: lines arrive on the HTTP client's threads, one at a time; {@link #resume} and {@link #close} may be
 * called from any thread.
 */
final class FeedUpstream implements Flow.Subscriber<String> {
    /** What the merging side hears. Called on the HTTP client's threads; must not block. */
    interface Receiver {
        /**
         * A whole {@code state} event of this node's feed.
         *
         * @param cursor its {@code id}: the cursor of the node's feed
         * @param data its {@code data}: the customer's state as JSON
         */
        void event(FeedUpstream from, long cursor, String data);

        /** Whether more may be read now; if not, reading stops until {@link #resume}. */
        boolean room();

        /** The stream ended, failed or was refused; called once, not after {@link #close}. */
        void ended(FeedUpstream from, String why);
    }

    private final String nodeId;
    private final Receiver receiver;
    private final AtomicBoolean over = new AtomicBoolean();
    private final StringBuilder data = new StringBuilder();
    private @Nullable String event;
    private @Nullable String id;
    private Flow.@Nullable Subscription subscription;
    private boolean paused;
    private volatile long lastLineNanos = System.nanoTime();

    FeedUpstream(String nodeId, Receiver receiver) {
        this.nodeId = nodeId;
        this.receiver = receiver;
    }

    /** The node whose feed this is. */
    String nodeId() {
        return nodeId;
    }

    /**
     * Connects: {@code GET <baseUrl>/v1/stream?<query>} with the subscriber's key.
     *
     * @param query the query string, already encoded (may be empty)
     * @param by this node's id and proof ({@link NodeProof})
     * @param timeout how long the answer's head may take
     */
    void open(HttpClient client, String baseUrl, String query, String authorization, NodeMark by, Duration timeout) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(base + "/v1/stream" + (query.isEmpty() ? "" : "?" + query)))
                .timeout(timeout)
                .header("Authorization", authorization)
                .header("Accept", "text/event-stream")
                .header(NodeProof.FORWARDED_BY, by.nodeId())
                .header(NodeProof.PROOF, by.proof())
                .GET()
                .build();
        HttpResponse.BodyHandler<Void> handler = info -> info.statusCode() == 200
                ? HttpResponse.BodySubscribers.fromLineSubscriber(this, s -> null, StandardCharsets.UTF_8, null)
                : HttpResponse.BodySubscribers.replacing(null);
        client.sendAsync(request, handler).whenComplete((r, failure) -> {
            if (failure != null) {
                end("no answer: " + failure);
            } else if (r.statusCode() != 200) {
                end("answered " + r.statusCode());
            }
        });
    }

    /** When the last line (an event's or a keep-alive) came, by {@link System#nanoTime}. */
    long lastLineNanos() {
        return lastLineNanos;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        synchronized (this) {
            subscription = s;
        }
        if (over.get()) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(String line) {
        lastLineNanos = System.nanoTime();
        if (line.isEmpty()) {
            dispatch();
        } else if (line.startsWith("id:")) {
            id = line.substring(3).strip();
        } else if (line.startsWith("event:")) {
            event = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
            if (data.length() > 0) {
                data.append('\n');
            }
            data.append(line.substring(5).stripLeading());
        } // a comment line (": keep-alive") only says the node is there
        // under the lock, with room read after pausing: a resume that ran before the pause is not lost
        synchronized (this) {
            if (receiver.room()) {
                next();
            } else {
                paused = true;
            }
        }
    }

    /** Asks for the next line; call holding the lock. */
    private void next() {
        Flow.Subscription s = subscription;
        if (s != null && !over.get()) {
            s.request(1);
        }
    }

    /** An event is complete: hands a {@code state} event over. */
    private void dispatch() {
        String e = event;
        String i = id;
        String d = data.toString();
        event = null;
        id = null;
        data.setLength(0);
        if (!"state".equals(e) || i == null || d.isEmpty() || over.get()) {
            return;
        }
        long cursor;
        try {
            cursor = Long.parseLong(i);
        } catch (NumberFormatException ex) {
            end("an event without a cursor: " + i);
            return;
        }
        receiver.event(this, cursor, d);
    }

    /** The merging side has room again: reading goes on if it had stopped. */
    synchronized void resume() {
        if (paused) {
            paused = false;
            next();
        }
    }

    @Override
    public void onError(Throwable t) {
        end("broken: " + t);
    }

    @Override
    public void onComplete() {
        end("closed by the node");
    }

    /** Ends reading once: closes the connection (an event it could not read ends it too) and tells the receiver. */
    private void end(String why) {
        if (over.compareAndSet(false, true)) {
            cancel();
            receiver.ended(this, why);
        }
    }

    /** Stops reading and closes the connection; {@link Receiver#ended} is not called. Idempotent. */
    void close() {
        over.set(true);
        cancel();
    }

    private void cancel() {
        Flow.Subscription s;
        synchronized (this) {
            s = subscription;
        }
        if (s != null) {
            s.cancel();
        }
    }
}
