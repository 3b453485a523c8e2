package dev.tollgate.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A lean HTTP/1.1 load generator over keep-alive sockets, one thread per connection, sharing the machine with the
 * server it measures (so it does as little as it can: prebuilt request bytes, no HTTP library).
 *
 * <p>Two modes:
 *
 * <ul>
 *   <li><b>closed loop</b> ({@link #saturate}): every connection sends its next request as soon as the last answer
 *       arrived; the rate it reaches is the throughput at that concurrency;
 *   <li><b>open loop</b> ({@link #constantRate}): requests are due at a constant rate whatever the answers do, and a
 *       request's latency is measured from when it was <i>due</i>, not from when it could be sent, so a stall counts
 *       for every request it delayed (no coordinated omission).
 * </ul>
 *
 * <p>Requests come from a function of a global sequence number, so that each can carry its own idempotency key. A
 * non-2xx answer counts as an error. Not thread-safe across runs; each run is one call.
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
    private final int port;

    HttpLoad(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** A POST of a JSON body, or a GET when {@code body} is {@code null}, as wire bytes. */
    static byte[] request(String method, String path, String body, String apiKey) {
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
            throws InterruptedException {
        return drive(connections, warmupSeconds, seconds, requests, 0);
    }

    /** Open loop: {@code rate} requests per second spread over {@code connections} connections. */
    Run constantRate(int connections, double rate, double warmupSeconds, double seconds, LongFunction<byte[]> requests)
            throws InterruptedException {
        return drive(connections, warmupSeconds, seconds, requests, rate);
    }

    private Run drive(int connections, double warmupSeconds, double seconds, LongFunction<byte[]> requests, double rate)
            throws InterruptedException {
        AtomicLong sequence = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong counted = new AtomicLong();
        AtomicLong ok = new AtomicLong();
        Recorder recorder = new Recorder(3);
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupSeconds * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        long intervalNanos = rate > 0 ? (long) (1e9 * connections / rate) : 0;
        CountDownLatch done = new CountDownLatch(connections);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            long offset = rate > 0 ? (long) (1e9 * c / rate) : 0;
            Thread t = new Thread(
                    () -> {
                        try (Socket socket = new Socket()) {
                            socket.setTcpNoDelay(true);
                            socket.connect(new InetSocketAddress(host, port), 5000);
                            socket.setSoTimeout(30_000);
                            OutputStream out = socket.getOutputStream();
                            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
                            long due = start + offset;
                            while (true) {
                                long now = System.nanoTime();
                                if (rate > 0) {
                                    if (due >= end) {
                                        break;
                                    }
                                    // park, never spin: 64 spinning threads on 2 cores starve the server under test
                                    while (now < due) {
                                        LockSupport.parkNanos(due - now);
                                        now = System.nanoTime();
                                    }
                                } else if (now >= end) {
                                    break;
                                }
                                long sentFrom = rate > 0 ? due : now;
                                out.write(requests.apply(sequence.getAndIncrement()));
                                int status = readResponse(in);
                                long after = System.nanoTime();
                                if (status >= 200 && status < 300) {
                                    ok.incrementAndGet();
                                }
                                if (sentFrom >= measureFrom && after <= end + 5_000_000_000L) {
                                    if (status < 200 || status >= 300) {
                                        errors.incrementAndGet();
                                    }
                                    recorder.recordValue(Math.max(1, after - sentFrom));
                                    counted.incrementAndGet();
                                }
                                due += intervalNanos;
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                        } finally {
                            done.countDown();
                        }
                    },
                    "load-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        done.await();
        Histogram h = recorder.getIntervalHistogram();
        return new Run(counted.get(), errors.get(), ok.get(), seconds, h);
    }

    /** Reads one response (Content-Length or chunked body) and answers its status. */
    static int readResponse(InputStream in) throws IOException {
        String statusLine = readLine(in);
        if (statusLine.isEmpty()) {
            throw new IOException("connection closed");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(line.substring(colon + 1).trim());
            } else if (name.equalsIgnoreCase("Transfer-Encoding")
                    && line.substring(colon + 1).trim().equalsIgnoreCase("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            while (true) {
                String size = readLine(in);
                int semi = size.indexOf(';');
                long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers
                    }
                    break;
                }
                skip(in, n);
                readLine(in);
            }
        } else if (length > 0) {
            skip(in, length);
        }
        return status;
    }

    private static void skip(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed in a body");
                }
                s = 1;
            }
            left -= s;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            sb.append((char) b);
        }
        return sb.toString();
    }
}
