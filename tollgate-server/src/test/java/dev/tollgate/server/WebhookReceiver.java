package dev.tollgate.server;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A real local HTTP server standing in for a customer's webhook endpoint: it records every attempt and answers
 * {@code 500} to as many attempts as it is told to fail, {@code 200} after that.
 */
final class WebhookReceiver implements AutoCloseable {
    /**
     * One POST as received.
     *
     * @param eventId the {@code Tollgate-Event-Id} header
     * @param signature the {@code Tollgate-Signature} header
     * @param body the raw body
     * @param status what the receiver answered
     * @param atNanos {@link System#nanoTime()} on arrival
     */
    record Attempt(@Nullable String eventId, @Nullable String signature, String body, int status, long atNanos) {}

    private final HttpServer server;
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final List<Attempt> attempts = new CopyOnWriteArrayList<>();

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            int status = failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 500 : 200;
            attempts.add(new Attempt(
                    exchange.getRequestHeaders().getFirst("Tollgate-Event-Id"),
                    exchange.getRequestHeaders().getFirst("Tollgate-Signature"),
                    body,
                    status,
                    System.nanoTime()));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    /** The URL to configure as the webhook. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** Answers {@code 500} to the next {@code n} attempts. */
    void failNext(int n) {
        failuresLeft.set(n);
    }

    /** Every attempt so far, in arrival order. */
    List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    /** The attempts answered with {@code 200}. */
    List<Attempt> delivered() {
        return attempts.stream().filter(a -> a.status() == 200).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
