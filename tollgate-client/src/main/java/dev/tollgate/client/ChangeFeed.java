package dev.tollgate.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Keeps the {@link EntitlementCache} current over the server's change feed: {@code GET
 * /v1/stream?customers=a,b&since=<cursor>} (Server-Sent Events, {@code docs/api.md}). Each {@code state} event carries
 * one customer's state ({@code exists}, and its {@code entitlements} list as {@code GET …/entitlements} has it) as of
 * its {@code cursor}: first a snapshot of every named customer, then one per change. Past {@value #MAX_NAMED}
 * customers (the most one request may name) the feed of every customer is followed and events of customers not in
 * the cache are skipped.
 *
 * <p>Resuming: the last cursor seen is sent again as {@code since} (and {@code Last-Event-ID}) on every reconnect, so
 * nothing is missed. A customer that enters the cache makes the feed reconnect with the longer list. A server without
 * the feed ({@code 404}) is asked again a minute later; meanwhile the cache's TTL keeps it correct.
 *
 * <p>A cluster: any node serves the feed of every node merged; its cursor (opaque) resumes on any node, so when the
 * node the feed is connected to cannot be connected to, the feed reconnects to another live node ({@link Routes#entry})
 * with its last cursor. Its events say each customer's version ({@code epoch}, then {@code ownerCursor}); an event not
 * newer than the state this client applied for its customer (a late event of a previous owner, one sent again after a
 * reconnect) is skipped, so per customer states are applied in commit order, each once. A cursor the server refuses
 * ({@code 400} naming {@code since}: a cursor of a server alone shown to a cluster, or the reverse) is dropped and the
 * feed starts again with a snapshot.
 *
 * <p>Failure modes: any break (server down, connection cut) marks every entry as no longer live (back to its TTL)
 * and reconnects after a second. The answer's head must come within the client's timeout, and a stream silent for
 * {@value #SILENCE_SECONDS} s (the server writes a keep-alive every 15 s) is taken for a dead connection and closed
 * ({@link #checkAlive}), so a server that went away without closing the connection is not waited for forever.
 *
 * <p>Thread-safe: one thread of its own reads the feed.
 */
final class ChangeFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
    static final int MAX_NAMED = 1000;
    static final int SILENCE_SECONDS = 45;

    private final Http http;
    private final EntitlementCache cache;
    private final Thread thread;
    private final Object signal = new Object();
    private volatile boolean running = true;
    private volatile @Nullable InputStream open;
    private volatile boolean customersChanged;
    private volatile long lastLineNanos;
    private @Nullable String cursor;
    /** Per customer, the version of the state applied last: {epoch, owner's cursor}; only for a cluster's events. */
    private final Map<String, long[]> applied = new HashMap<>();

    ChangeFeed(Http http, EntitlementCache cache) {
        this.http = http;
        this.cache = cache;
        this.thread = new Thread(this::run, "tollgate-change-feed");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Closes a stream that has been silent too long; called every 100 ms by the client's maintenance. */
    void checkAlive() {
        InputStream in = open;
        if (in != null && System.nanoTime() - lastLineNanos > TimeUnit.SECONDS.toNanos(SILENCE_SECONDS)) {
            LOG.info("event=change_feed_silent seconds={}", SILENCE_SECONDS);
            closeQuietly(in);
        }
    }

    /** A customer entered the cache: reconnect with it. */
    void customersChanged() {
        customersChanged = true;
        synchronized (signal) {
            signal.notifyAll();
        }
        InputStream in = open;
        if (in != null) {
            closeQuietly(in);
        }
    }

    private void run() {
        while (running) {
            Set<String> customers = new TreeSet<>(cache.customers());
            customersChanged = false;
            long pause = 1000;
            if (customers.isEmpty()) {
                pause = 60_000;
            } else {
                try {
                    pause = follow(customers);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("event=change_feed_lost error=\"{}\"", e.toString());
                } finally {
                    open = null;
                    cache.feedLost();
                }
            }
            if (!customersChanged) {
                await(pause);
            }
        }
    }

    /** Follows the feed until it breaks; returns how long to wait before reconnecting. */
    private long follow(Set<String> customers) throws IOException {
        URI node = http.routes().entry();
        StringBuilder uri = new StringBuilder(node + "/v1/stream?");
        if (customers.size() <= MAX_NAMED) {
            uri.append("customers=").append(URLEncoder.encode(String.join(",", customers), StandardCharsets.UTF_8));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri.toString()))
                .header("Authorization", http.authorization())
                .header("Accept", "text/event-stream")
                .timeout(http.timeout())
                .GET();
        if (cursor != null) {
            uri.append(uri.charAt(uri.length() - 1) == '?' ? "" : "&")
                    .append("since=")
                    .append(URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            b.uri(URI.create(uri.toString())).header("Last-Event-ID", cursor);
        }
        HttpResponse<InputStream> response;
        try {
            response = http.client().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return 0;
        } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
            http.routes().unreachable(node); // the next attempt goes to another live node, with the same cursor
            throw e;
        }
        InputStream in = response.body();
        if (response.statusCode() == 400 && cursor != null && refusesCursor(in)) {
            LOG.info("event=change_feed_cursor_refused hint=\"starting again with a snapshot\"");
            cursor = null;
            return 0;
        }
        if (response.statusCode() != 200) {
            closeQuietly(in);
            return response.statusCode() == 404 ? 60_000 : 5_000;
        }
        lastLineNanos = System.nanoTime();
        open = in;
        if (customersChanged || !running) {
            closeQuietly(in);
            return 0;
        }
        readEvents(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        return 1000;
    }

    private void readEvents(BufferedReader reader) throws IOException {
        String event = null;
        String id = null;
        StringBuilder data = new StringBuilder();
        String line;
        while (running && (line = reader.readLine()) != null) {
            lastLineNanos = System.nanoTime();
            if (line.isEmpty()) {
                if ("state".equals(event) && data.length() > 0) {
                    state(Wire.read(data.toString()), id);
                }
                event = null;
                id = null;
                data.setLength(0);
            } else if (line.startsWith(":")) {
                // a comment line, sent to keep the stream alive
            } else if (line.startsWith("event:")) {
                event = line.substring(6).trim();
            } else if (line.startsWith("id:")) {
                id = line.substring(3).trim();
            } else if (line.startsWith("data:")) {
                if (data.length() > 0) {
                    data.append('\n');
                }
                data.append(line.substring(5).stripLeading());
            }
        }
    }

    private void state(JsonNode n, @Nullable String id) {
        String customerId = Wire.text(n, "customerId");
        String c = Wire.text(n, "cursor");
        cursor = c != null ? c : id != null ? id : cursor;
        if (customerId == null || !cache.has(customerId) || !newer(customerId, n)) {
            return;
        }
        cache.accept(customerId, n, true);
    }

    /**
     * Whether a cluster's event carries a state newer than the one applied last for its customer (and remembers it);
     * always true for a server alone's events, which come in order on one stream.
     */
    private boolean newer(String customerId, JsonNode n) {
        String ownerCursor = Wire.text(n, "ownerCursor");
        if (!n.path("epoch").isNumber() || ownerCursor == null) {
            return true;
        }
        long[] version;
        try {
            version = new long[] {n.path("epoch").asLong(), Long.parseLong(ownerCursor)};
        } catch (NumberFormatException e) {
            return true;
        }
        long[] prior = applied.get(customerId);
        if (prior != null && (version[0] < prior[0] || (version[0] == prior[0] && version[1] <= prior[1]))) {
            return false;
        }
        if (applied.size() > 2 * Math.max(MAX_NAMED, cache.size())) {
            applied.keySet().retainAll(cache.customers()); // versions of customers no longer cached
        }
        applied.put(customerId, version);
        return true;
    }

    /** Whether a {@code 400} refuses the cursor sent ({@code since} or {@code Last-Event-ID}); closes {@code in}. */
    private static boolean refusesCursor(InputStream in) throws IOException {
        try (in) {
            String field =
                    Wire.read(in.readAllBytes()).path("error").path("field").asString("");
            return field.equals("since") || field.equals("Last-Event-ID");
        }
    }

    @SuppressWarnings("WaitNotInLoop") // a back-off a change may cut short: waking early only retries sooner
    private void await(long millis) {
        synchronized (signal) {
            if (!running || customersChanged) {
                return;
            }
            try {
                signal.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            LOG.trace("closing the feed", e);
        }
    }

    @Override
    public void close() {
        running = false;
        customersChanged();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
