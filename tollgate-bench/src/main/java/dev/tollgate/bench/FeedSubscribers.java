package dev.tollgate.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Change-feed subscribers as SDKs and sidecars are: each follows {@code GET /v1/stream} (every customer) on a
 * connection of its own and reads every event as it comes, counting the {@code state} events.
 *
 * <p>Why plain sockets and the lowest priority: the subscribers run in the load generator's process, on its core, and
 * what they cost that core is not the server's cost. With the JDK {@code HttpClient} (a selector thread, executor hops
 * and a {@code String} per line for each event), four subscribers raised the open-loop p99 of the bare Netty server,
 * which they did not even follow, from 17-274 ms to 532-1819 ms on a slow day ({@code LatencyProbe --scenario bare
 * --writer --subscribers 4}): the spinning generator lost its core to them and sent late. Here each subscriber is one
 * thread doing blocking reads of the raw stream (de-chunked, the event lines matched on bytes), at nice 19 ({@code
 * renice} on its own thread id, Linux), so that the generator keeps its core; an SDK's subscriber runs on its own
 * machine. Where {@code renice} is not there the threads run at normal priority, as {@link #lowPriority} tells.
 *
 * <p>Thread-safe.
 */
final class FeedSubscribers implements AutoCloseable {
    private static final byte[] STATE_EVENT = "event: state\n".getBytes(StandardCharsets.US_ASCII);

    /** One stream on a thread of its own: counts its {@code state} events. */
    private static final class Subscriber implements Runnable {
        final AtomicLong events = new AtomicLong();
        final CompletableFuture<Void> opened = new CompletableFuture<>();
        final Socket socket;
        final byte[] request;
        volatile boolean ended;
        volatile boolean lowered;
        /** How many bytes of {@link #STATE_EVENT} the stream's last bytes matched. */
        private int matched;

        Subscriber(Socket socket, byte[] request) {
            this.socket = socket;
            this.request = request;
        }

        @Override
        public void run() {
            try (socket) {
                lowered = lowerOwnPriority();
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
                InputStream in = new BufferedInputStream(socket.getInputStream(), 16384);
                String status = line(in);
                if (!status.startsWith("HTTP/1.1 200")) {
                    throw new IOException("the stream answered " + status);
                }
                while (!line(in).isEmpty()) {
                    // headers: the stream is chunked (Transfer-Encoding), nothing else is needed from them
                }
                opened.complete(null);
                readChunks(in);
            } catch (IOException | RuntimeException e) { // a malformed chunk size too: the stream ends either way
                opened.completeExceptionally(e);
            } finally {
                ended = true;
            }
        }

        /** Reads the chunked body until its last chunk, matching the event lines across reads and chunks. */
        private void readChunks(InputStream in) throws IOException {
            byte[] buf = new byte[8192];
            while (true) {
                int size = Integer.parseInt(line(in).split(";", 2)[0].trim(), 16);
                if (size == 0) {
                    return;
                }
                while (size > 0) {
                    int n = in.read(buf, 0, Math.min(size, buf.length));
                    if (n < 0) {
                        throw new IOException("the stream ended inside a chunk");
                    }
                    count(buf, n);
                    size -= n;
                }
                line(in); // the CRLF after the chunk's data
            }
        }

        /**
         * Counts the {@code event: state} lines. A mismatch restarts the match at this byte: enough for the stream's
         * grammar, where an event line always follows a newline and no {@code data:} line holds a newline.
         */
        private void count(byte[] buf, int n) {
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b == STATE_EVENT[matched]) {
                    if (++matched == STATE_EVENT.length) {
                        events.incrementAndGet();
                        matched = 0;
                    }
                } else {
                    matched = b == STATE_EVENT[0] ? 1 : 0;
                }
            }
        }

        /** A line of the head or of the chunk framing, without its CRLF. */
        private static String line(InputStream in) throws IOException {
            StringBuilder s = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("the stream ended");
                }
                if (c != '\r') {
                    s.append((char) c);
                }
            }
            return s.toString();
        }
    }

    private final List<Subscriber> subscribers;

    private FeedSubscribers(List<Subscriber> subscribers) {
        this.subscribers = subscribers;
    }

    /**
     * Opens {@code n} streams on the server at {@code 127.0.0.1:port} and waits (at most 30 s) until each has begun.
     *
     * @throws IllegalStateException if a stream did not begin
     */
    static FeedSubscribers open(int port, String apiKey, int n) throws InterruptedException {
        byte[] request = ("GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + apiKey
                        + "\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        List<Subscriber> list = new ArrayList<>();
        FeedSubscribers subscribers = new FeedSubscribers(list);
        try {
            for (int i = 0; i < n; i++) {
                Subscriber s = new Subscriber(new Socket(), request);
                list.add(s); // closed with the others if it cannot connect
                s.socket.setTcpNoDelay(true);
                s.socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                Thread t = new Thread(s, "bench-feed-subscriber-" + i);
                t.setDaemon(true);
                t.start();
            }
            for (Subscriber s : list) {
                s.opened.get(30, TimeUnit.SECONDS);
            }
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            subscribers.close();
            throw new IllegalStateException("a change feed stream did not begin: " + e, e);
        } catch (InterruptedException e) {
            subscribers.close();
            throw e;
        }
        return subscribers;
    }

    /**
     * Puts the calling thread at nice 19 ({@code renice} on its Linux thread id).
     *
     * @return whether it did
     */
    private static boolean lowerOwnPriority() {
        try {
            String tid = Files.readSymbolicLink(Path.of("/proc/thread-self"))
                    .getFileName()
                    .toString();
            Proc.run(List.of("renice", "-n", "19", "-p", tid), Map.of(), 10);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The fewest {@code state} events any one stream has read so far. */
    long fewestEvents() {
        return subscribers.stream().mapToLong(s -> s.events.get()).min().orElse(0);
    }

    /** Whether every stream is still open. */
    boolean allOpen() {
        return subscribers.stream().noneMatch(s -> s.ended);
    }

    /** Whether every stream's thread runs at the lowest priority (else at normal priority: see the class comment). */
    boolean lowPriority() {
        return subscribers.stream().allMatch(s -> s.lowered);
    }

    /** Closes every stream. */
    @Override
    public void close() {
        for (Subscriber s : subscribers) {
            try {
                s.socket.close();
            } catch (IOException e) {
                // closing a stream that is going away anyway
            }
        }
    }
}
