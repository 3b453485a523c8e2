package dev.tollgate.server;

import dev.tollgate.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A client of {@code GET /v1/stream} for tests: reads the Server-Sent Events on a thread of its own and hands them
 * over one at a time.
 */
final class EventStream implements AutoCloseable {
    /** One event: its id (the cursor), its type and its data as a JSON tree. */
    record Event(String id, String type, Map<String, Object> data) {
        String customerId() {
            return (String) data.get("customerId");
        }
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final HttpResponse<Stream<String>> response;
    private final Thread reader;

    private EventStream(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.reader = new Thread(this::read, "test-event-stream");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens {@code path} on the server at {@code port} with the test key, resuming after {@code lastEventId}. */
    static EventStream open(int port, String path, @Nullable String lastEventId) {
        return open(port, path, lastEventId, ApiClient.KEY);
    }

    /** Opens {@code path} on the server at {@code port} with {@code key}, resuming after {@code lastEventId}. */
    static EventStream open(int port, String path, @Nullable String lastEventId, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key)
                .header("Accept", "text/event-stream");
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<Stream<String>> r =
                    HttpClient.newHttpClient().send(b.GET().build(), HttpResponse.BodyHandlers.ofLines());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("the stream answered " + r.statusCode());
            }
            return new EventStream(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<Stream<String>> response() {
        return response;
    }

    /** The next event; fails if none comes within a minute (a generous bound: the test waits on an event). */
    Event next() throws InterruptedException {
        Event e = events.poll(60, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no event within a minute");
        }
        return e;
    }

    /** The next event if one comes within {@code wait}, else {@code null}. */
    @Nullable
    Event poll(java.time.Duration wait) throws InterruptedException {
        return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The events received and not yet taken, taken now; call it once the stream has ended to get all the rest. */
    List<Event> drain() {
        List<Event> rest = new ArrayList<>();
        events.drainTo(rest);
        return rest;
    }

    /** Whether the stream has ended (closed by the server, or broken). */
    boolean ended() {
        return !reader.isAlive();
    }

    /** The next event about {@code customerId}, skipping others. */
    Event nextFor(String customerId) throws InterruptedException {
        while (true) {
            Event e = next();
            if (customerId.equals(e.customerId())) {
                return e;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void read() {
        String id = "";
        String type = "message";
        StringBuilder data = new StringBuilder();
        try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        events.add(new Event(
                                id, type, new LinkedHashMap<>((Map<String, Object>) Json.parse(data.toString()))));
                    }
                    type = "message";
                    data.setLength(0);
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
        } catch (UncheckedIOException e) {
            // the stream was closed: the reader ends
        }
    }

    /** Waits up to a minute for the server to end the stream; tells whether it did. */
    boolean endedByServer() throws InterruptedException {
        reader.join(60_000);
        return !reader.isAlive();
    }

    @Override
    public void close() {
        response.body().close();
        reader.interrupt();
    }
}
