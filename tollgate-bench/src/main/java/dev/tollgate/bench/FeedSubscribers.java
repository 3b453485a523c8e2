package dev.tollgate.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Change-feed subscribers as SDKs and sidecars are: each follows {@code GET /v1/stream} (every customer) on a
 * connection of its own and reads every event as it comes, counting the {@code state} events. They run on the JDK
 * {@code HttpClient}'s (daemon) threads; {@link #close} cancels them.
 *
 * <p>Thread-safe.
 */
final class FeedSubscribers implements AutoCloseable {
    /** One stream: counts its {@code state} events, keeps its subscription for cancelling. */
    private static final class Counter implements Flow.Subscriber<String> {
        final AtomicLong events = new AtomicLong();
        final CompletableFuture<Void> opened = new CompletableFuture<>();
        volatile Flow.@Nullable Subscription subscription;
        volatile boolean ended;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            opened.complete(null);
            if (line.equals("event: state")) {
                events.incrementAndGet();
            }
        }

        @Override
        public void onError(Throwable t) {
            ended = true;
            opened.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            ended = true;
            opened.complete(null);
        }
    }

    private final List<Counter> counters;

    private FeedSubscribers(List<Counter> counters) {
        this.counters = counters;
    }

    /**
     * Opens {@code n} streams on the server at {@code 127.0.0.1:port} and waits (at most 30 s) until each has begun.
     *
     * @throws IllegalStateException if a stream did not begin
     */
    static FeedSubscribers open(int port, String apiKey, int n) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        List<Counter> counters = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Counter c = new Counter();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/stream"))
                    .header("Authorization", "Bearer " + apiKey)
                    .header("Accept", "text/event-stream")
                    .GET()
                    .build();
            http.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(c));
            counters.add(c);
        }
        FeedSubscribers subscribers = new FeedSubscribers(counters);
        for (Counter c : counters) {
            try {
                c.opened.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                subscribers.close();
                throw new IllegalStateException("a change feed stream did not begin: " + e, e);
            }
        }
        return subscribers;
    }

    /** The fewest {@code state} events any one stream has read so far. */
    long fewestEvents() {
        return counters.stream().mapToLong(c -> c.events.get()).min().orElse(0);
    }

    /** Whether every stream is still open. */
    boolean allOpen() {
        return counters.stream().noneMatch(c -> c.ended);
    }

    /** Cancels every stream. */
    @Override
    public void close() {
        for (Counter c : counters) {
            Flow.Subscription s = c.subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }
}
