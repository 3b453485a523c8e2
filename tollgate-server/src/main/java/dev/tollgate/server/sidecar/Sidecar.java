package dev.tollgate.server.sidecar;

import dev.tollgate.client.Tollgate;
import dev.tollgate.client.TollgateBuilder;
import dev.tollgate.server.http.HttpFront;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running sidecar: a {@link Tollgate} SDK of the upstream server, served by the server's own {@link HttpFront} on
 * {@code host:port} ({@code 127.0.0.1} by default) through {@link SidecarService}.
 *
 * <p>Start-up checks the upstream once, with the key: a server that cannot be reached or refuses the key fails the
 * start with one clear message, as a port in use does.
 *
 * <p>Thread-safe: {@link #close} may be called from any thread.
 */
public final class Sidecar implements AutoCloseable {
    /** Threads that run the routes; each may wait up to the SDK's timeout for the server. */
    private static final int WORKERS = 64;

    private final Tollgate tollgate;
    private final ExecutorService workers;
    private final HttpFront front;

    private Sidecar(Tollgate tollgate, ExecutorService workers, HttpFront front) {
        this.tollgate = tollgate;
        this.workers = workers;
        this.front = front;
    }

    /**
     * Starts a sidecar.
     *
     * @throws IllegalStateException with a one-line message if the upstream cannot be reached or refuses the key, or
     *     the address cannot be bound
     */
    public static Sidecar start(SidecarConfig config) {
        probeUpstream(config);
        Tollgate tollgate = client(config);
        AtomicInteger n = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS, r -> {
            Thread t = new Thread(r, "tollgate-sidecar-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            HttpFront front = HttpFront.start(
                    new HttpFront.Settings(config.port(), 2, 1 << 20, 300, 10, 60, 10_000),
                    new SidecarService(tollgate, workers),
                    new InetSocketAddress(config.host(), config.port()));
            return new Sidecar(tollgate, workers, front);
        } catch (RuntimeException e) {
            workers.shutdownNow();
            tollgate.close();
            throw e;
        }
    }

    private static Tollgate client(SidecarConfig config) {
        TollgateBuilder builder = Tollgate.builder()
                .baseUrl(config.upstream().toString())
                .apiKey(config.apiKey())
                .timeout(config.timeout())
                .fallback(config.fallback());
        if (config.spoolDir() != null) {
            builder.spoolDirectory(config.spoolDir());
        }
        if (config.redisUrl() != null) {
            builder.redisUrl(config.redisUrl());
        }
        return builder.build();
    }

    /** One authenticated request upstream: no answer, or {@code 401}, fails the start. */
    private static void probeUpstream(SidecarConfig config) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(config.timeout()).build();
        HttpRequest request = HttpRequest.newBuilder(config.upstream().resolve("/v1/catalog"))
                .timeout(config.timeout())
                .header("Authorization", "Bearer " + config.apiKey())
                .GET()
                .build();
        int status;
        try {
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new IllegalStateException("the upstream " + config.upstream() + " cannot be reached (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reaching the upstream", e);
        }
        if (status == 401) {
            throw new IllegalStateException("the upstream " + config.upstream() + " refused the API key");
        }
    }

    /** The port listened on. */
    public int port() {
        return front.port();
    }

    /** Stops listening, then closes the SDK (returning its leases, sending or spooling what is queued). */
    @Override
    public void close() {
        front.close();
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tollgate.close();
    }
}
