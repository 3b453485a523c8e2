package dev.tollgate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * A lean HTTP/1.1 load generator over keep-alive sockets, sharing the machine with the server it measures, so it does
 * as little as it can: one thread and one selector drive every connection (as {@code redis-benchmark}'s single event
 * loop does for the Redis baseline), requests are prebuilt bytes, answers are parsed just enough to find their status
 * and length. Before this, one blocking thread per connection cost more context switches than the server under test
 * spent answering.
 *
 * <p>Two modes, each connection with at most one request in flight:
 *
 * <ul>
 *   <li><b>closed loop</b> ({@link #saturate}): every connection sends its next request as soon as the last answer
 *       arrived; the rate it reaches is the throughput at that concurrency;
 *   <li><b>open loop</b> ({@link #constantRate}): requests are due at a constant rate whatever the answers do, and a
 *       request's latency is measured from when it was <i>due</i>, not from when it could be sent, so a stall counts
 *       for every request it delayed (no coordinated omission). Between due times the thread parks in slices of 0.1 ms (below 2 ms) or
 *       waits in the selector, unless it was made to spin.
 * </ul>
 *
 * <p>Requests come from a function of a sequence number, so that each can carry its own idempotency key. A non-2xx
 * answer, or a connection lost, counts as an error; answers must carry {@code Content-Length}. Not thread-safe; each
 * run is one call.
 */
final class HttpLoad {
    /**
     * What a run measured.
     *
     * @param requests answers within the measured window
     * @param errors non-2xx answers and broken connections within it
     * @param ok every 2xx answer of the run, warm-up included (for correctness gates)
     * @param seconds the measured window
     * @param latencyNanos latencies within the window
     */
    record Run(long requests, long errors, long ok, double seconds, Histogram latencyNanos) {
        double rate() {
            return requests / seconds;
        }

        double percentileMillis(double p) {
            return latencyNanos.getValueAtPercentile(p) / 1e6;
        }
    }

    private final String host;
    private final int[] ports;
    private final boolean spin;

    /** A generator that parks between due times: it shares its cores with the server. */
    HttpLoad(String host, int port) {
        this(host, port, false);
    }

    /**
     * A generator that parks between due times and spreads its connections over several servers: connection {@code c}
     * goes to {@code ports.get(c % ports.size())} (the nodes of a cluster, each answering any request).
     */
    HttpLoad(String host, List<Integer> ports) {
        this.host = host;
        this.ports = ports.stream().mapToInt(Integer::intValue).toArray();
        this.spin = false;
        if (this.ports.length == 0) {
            throw new IllegalArgumentException("no port");
        }
    }

    /**
     * @param spin poll the sockets between due times instead of parking: only for a generator with a core of its own
     *     ({@link Pinning}), where it takes nothing from the server and stamps each answer as it arrives
     */
    HttpLoad(String host, int port, boolean spin) {
        this.host = host;
        this.ports = new int[] {port};
        this.spin = spin;
    }

    /** A POST of a JSON body, or a GET when {@code body} is {@code null}, as wire bytes. */
    static byte[] request(String method, String path, @Nullable String body, @Nullable String apiKey) {
        StringBuilder sb =
                new StringBuilder(256).append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: bench\r\n");
        if (apiKey != null) {
            sb.append("Authorization: Bearer ").append(apiKey).append("\r\n");
        }
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            sb.append("Content-Type: application/json\r\nContent-Length: ")
                    .append(payload.length)
                    .append("\r\n");
        }
        sb.append("\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + payload.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(payload, 0, all, head.length, payload.length);
        return all;
    }

    /** Closed loop: {@code connections} clients as fast as answers come, for {@code seconds} after a warm-up. */
    Run saturate(int connections, double warmupSeconds, double seconds, LongFunction<byte[]> requests)
            throws IOException {
        return drive(connections, warmupSeconds, seconds, (c, seq) -> requests.apply(seq), 0);
    }

    /**
     * Closed loop whose requests depend on the connection they go out on (connection {@code c} goes to the server of
     * port {@code c % ports}): e.g. each node of a cluster sent only the customers it owns.
     */
    Run saturate(int connections, double warmupSeconds, double seconds, PerConnection requests) throws IOException {
        return drive(connections, warmupSeconds, seconds, requests, 0);
    }

    /** The request numbered {@code sequence} (unique in the run) to send on connection {@code connection}. */
    @FunctionalInterface
    interface PerConnection {
        byte[] request(int connection, long sequence);
    }

    /** Open loop: {@code rate} requests per second spread over {@code connections} connections. */
    Run constantRate(int connections, double rate, double warmupSeconds, double seconds, LongFunction<byte[]> requests)
            throws IOException {
        return drive(connections, warmupSeconds, seconds, (c, seq) -> requests.apply(seq), rate);
    }

    private Run drive(int connections, double warmupSeconds, double seconds, PerConnection requests, double rate)
            throws IOException {
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupSeconds * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        long abandonAt = end + 5_000_000_000L;
        long interval = rate > 0 ? (long) (1e9 * connections / rate) : 0;
        Histogram latencies = new Histogram(3);
        long sequence = 0;
        long counted = 0;
        long errors = 0;
        long ok = 0;
        List<Conn> conns = new ArrayList<>(connections);
        try (Selector selector = Selector.open()) {
            for (int c = 0; c < connections; c++) {
                Conn conn = new Conn(c, SocketChannel.open(new InetSocketAddress(host, ports[c % ports.length])));
                conn.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                conn.channel.configureBlocking(false);
                conn.key = conn.channel.register(selector, SelectionKey.OP_READ, conn);
                conn.due = rate > 0 ? start + (long) (1e9 * c / rate) : start;
                conns.add(conn);
            }
            int open = connections;
            while (open > 0) {
                long now = System.nanoTime();
                if (now > abandonAt) {
                    break;
                }
                long next = Long.MAX_VALUE;
                for (Conn conn : conns) {
                    if (conn.done || conn.busy) {
                        continue;
                    }
                    if (conn.due >= end) {
                        conn.finish();
                        open--;
                    } else if (conn.due <= now) {
                        try {
                            conn.send(requests.request(conn.index, sequence++), rate > 0 ? conn.due : now);
                        } catch (IOException e) {
                            errors++;
                            conn.finish();
                            open--;
                        }
                        conn.due = rate > 0 ? conn.due + interval : conn.due;
                    } else {
                        next = Math.min(next, conn.due);
                    }
                }
                long wait = next == Long.MAX_VALUE ? 10_000_000L : next - now;
                if (spin) {
                    selector.selectNow();
                } else if (wait >= 2_000_000L) {
                    selector.select(wait / 1_000_000L - 1);
                } else {
                    if (wait > 0) {
                        // short slices: an answer that arrives meanwhile waits at most this long for its timestamp
                        LockSupport.parkNanos(Math.min(wait, 100_000L));
                    }
                    selector.selectNow();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    Conn conn = (Conn) key.attachment();
                    try {
                        if (key.isWritable()) {
                            conn.flush();
                        }
                        int status;
                        while (key.isReadable() && (status = conn.receive()) != 0) {
                            long after = System.nanoTime();
                            boolean success = status >= 200 && status < 300;
                            ok += success ? 1 : 0;
                            if (conn.sentFrom >= measureFrom && after <= abandonAt) {
                                errors += success ? 0 : 1;
                                latencies.recordValue(Math.max(1, after - conn.sentFrom));
                                counted++;
                            }
                            conn.busy = false;
                            if (rate == 0) {
                                conn.due = after;
                            }
                        }
                    } catch (IOException e) {
                        errors++;
                        if (!conn.done) {
                            conn.finish();
                            open--;
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } finally {
            conns.forEach(Conn::finish);
        }
        return new Run(counted, errors, ok, seconds, latencies);
    }

    /**
     * One keep-alive connection with at most one request in flight. Answers must carry a {@code Content-Length}
     * (both servers measured here always send one).
     */
    private static final class Conn {
        private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);

        final int index;
        final SocketChannel channel;

        @Nullable
        SelectionKey key;

        ByteBuffer in = ByteBuffer.allocate(16 * 1024);

        @Nullable
        ByteBuffer out;

        long due;
        long sentFrom;
        boolean busy;
        boolean done;

        Conn(int index, SocketChannel channel) {
            this.index = index;
            this.channel = channel;
        }

        void send(byte[] request, long from) throws IOException {
            busy = true;
            sentFrom = from;
            out = ByteBuffer.wrap(request);
            flush();
        }

        /** Writes what the socket takes now; asks for a writable event if something is left. */
        void flush() throws IOException {
            SelectionKey registered = Objects.requireNonNull(key, "registered before the first send");
            if (out != null) {
                channel.write(out);
                if (out.hasRemaining()) {
                    registered.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    return;
                }
                out = null;
            }
            registered.interestOps(SelectionKey.OP_READ);
        }

        /** Reads what arrived; answers the status of a complete response (consumed from the buffer), or 0. */
        int receive() throws IOException {
            int status = parse();
            if (status != 0) {
                return status;
            }
            if (!in.hasRemaining()) {
                in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
            }
            int read = channel.read(in);
            if (read < 0) {
                throw new IOException("connection closed");
            }
            return read == 0 ? 0 : parse();
        }

        /**
         * Parses a complete response at the start of {@code in}, if there is one, without allocating: the generator
         * shares the machine with the server, and its own garbage collections would stall every request due meanwhile
         * and count as the server's latency.
         */
        private int parse() throws IOException {
            int limit = in.position();
            byte[] b = in.array();
            int headEnd = -1;
            for (int i = 3; i < limit; i++) {
                if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                    headEnd = i + 1;
                    break;
                }
            }
            if (headEnd < 0) {
                return 0;
            }
            int length = -1;
            for (int line = lineAfter(b, 0, headEnd); line < headEnd; line = lineAfter(b, line, headEnd)) {
                if (startsWithIgnoreCase(b, line, headEnd, CONTENT_LENGTH)) {
                    length = 0;
                    for (int i = line + CONTENT_LENGTH.length; i < headEnd && b[i] != '\r'; i++) {
                        if (b[i] >= '0' && b[i] <= '9') {
                            length = length * 10 + (b[i] - '0');
                        }
                    }
                    break;
                }
            }
            if (length < 0 || headEnd < 12) {
                throw new IOException("an answer without Content-Length: "
                        + new String(b, 0, lineAfter(b, 0, headEnd), StandardCharsets.US_ASCII).trim());
            }
            int total = headEnd + length;
            if (limit < total) {
                return 0;
            }
            int status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
            in.flip().position(total);
            in.compact();
            return status;
        }

        /** The index just past the next CRLF at or after {@code from}, or {@code end}. */
        private static int lineAfter(byte[] b, int from, int end) {
            for (int i = from; i + 1 < end; i++) {
                if (b[i] == '\r' && b[i + 1] == '\n') {
                    return i + 2;
                }
            }
            return end;
        }

        private static boolean startsWithIgnoreCase(byte[] b, int from, int end, byte[] lowerCase) {
            if (end - from < lowerCase.length) {
                return false;
            }
            for (int i = 0; i < lowerCase.length; i++) {
                byte c = b[from + i];
                if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != lowerCase[i]) {
                    return false;
                }
            }
            return true;
        }

        void finish() {
            done = true;
            try {
                channel.close();
            } catch (IOException e) {
                // closing a socket the run no longer needs: nothing to report
            }
        }
    }
}
