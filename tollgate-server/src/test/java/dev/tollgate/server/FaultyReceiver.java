package dev.tollgate.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A webhook endpoint on a raw local socket that misbehaves as told, for delivery-under-faults tests: it may hang (read
 * the request, never answer, hold the connection), reset the connection (read the request, then close with an RST),
 * answer {@code 500}, answer slowly, or be down (its port closed) until {@link #up()}. It records every request it
 * read and what it did with it. Each connection carries one request and is closed after the answer.
 */
final class FaultyReceiver implements AutoCloseable {
    /** What the receiver does with the next request. */
    enum Mode {
        /** answers {@code 200} after {@link #delayMillis} */
        OK,
        /** reads the request and never answers; the connection stays open until {@link #close()} or OK is set */
        HANG,
        /** reads the request, then resets the connection */
        RESET,
        /** answers {@code 500} */
        FAIL
    }

    /**
     * One request as read.
     *
     * @param eventId the {@code Tollgate-Event-Id} header
     * @param signature the {@code Tollgate-Signature} header
     * @param body the raw body
     * @param outcome {@code 200}, {@code 500}, {@code 0} for hung, {@code -1} for reset
     */
    record Attempt(@Nullable String eventId, @Nullable String signature, String body, int outcome) {}

    private final int port;
    private volatile @Nullable ServerSocket server;
    private volatile Mode mode;
    private final AtomicInteger faultsLeft = new AtomicInteger(Integer.MAX_VALUE);
    private volatile long delayMillis;
    private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    private final Set<Socket> held = ConcurrentHashMap.newKeySet();

    private FaultyReceiver(int port, Mode mode) {
        this.port = port;
        this.mode = mode;
    }

    /** A receiver listening now, in {@code mode} for every request until told otherwise. */
    static FaultyReceiver listening(Mode mode) throws IOException {
        FaultyReceiver r = new FaultyReceiver(0, mode);
        r.up();
        return r;
    }

    /**
     * A receiver whose port is closed (connections refused) until {@link #up()}. The port was free when chosen; it
     * is not held meanwhile.
     */
    static FaultyReceiver down() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        return new FaultyReceiver(port, Mode.OK);
    }

    /** Starts listening (on the port chosen at creation, if any). */
    synchronized FaultyReceiver up() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server = s;
        Thread accept = new Thread(() -> acceptLoop(s), "faulty-receiver-" + s.getLocalPort());
        accept.setDaemon(true);
        accept.start();
        return this;
    }

    /** Applies {@code fault} to the next {@code n} requests, then answers {@code 200}. */
    FaultyReceiver faultFor(Mode fault, int n) {
        faultsLeft.set(n);
        mode = fault;
        return this;
    }

    /** Answers {@code 200} from now on, and closes the connections a hang held. */
    void heal() {
        mode = Mode.OK;
        faultsLeft.set(Integer.MAX_VALUE);
        held.forEach(FaultyReceiver::closeQuietly);
        held.clear();
    }

    /** Waits this long before each {@code 200}. */
    FaultyReceiver slow(long millis) {
        delayMillis = millis;
        return this;
    }

    /** The URL to configure as the webhook. */
    String url() {
        ServerSocket s = server;
        return "http://127.0.0.1:" + (s == null ? port : s.getLocalPort()) + "/hook";
    }

    /** Every request read so far, in arrival order. */
    List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    /** The requests answered {@code 200}. */
    List<Attempt> delivered() {
        return attempts.stream().filter(a -> a.outcome() == 200).toList();
    }

    /** How many connections a hang holds open now. */
    int held() {
        return held.size();
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket c = s.accept();
                Thread t = new Thread(() -> serve(c), "faulty-receiver-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket c) {
        try {
            Request req = read(c.getInputStream());
            if (req == null) {
                closeQuietly(c);
                return;
            }
            Mode m = mode;
            if (m != Mode.OK && faultsLeft.getAndUpdate(n -> Math.max(0, n - 1)) <= 0) {
                m = Mode.OK;
            }
            switch (m) {
                case HANG -> {
                    attempts.add(req.attempt(0));
                    held.add(c);
                    if (mode == Mode.OK) { // healed meanwhile
                        held.remove(c);
                        closeQuietly(c);
                    }
                }
                case RESET -> {
                    attempts.add(req.attempt(-1));
                    c.setSoLinger(true, 0);
                    c.close();
                }
                case FAIL -> answer(c, req, 500);
                case OK -> {
                    if (delayMillis > 0) {
                        Thread.sleep(delayMillis);
                    }
                    answer(c, req, 200);
                }
            }
        } catch (IOException e) {
            closeQuietly(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(c);
        }
    }

    private void answer(Socket c, Request req, int status) throws IOException {
        OutputStream out = c.getOutputStream();
        out.write(("HTTP/1.1 " + status + (status == 200 ? " OK" : " Internal Server Error")
                        + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        // recorded once the answer is on the wire: a 200 recorded here is one the deliverer can read
        attempts.add(req.attempt(status));
        c.close();
    }

    private record Request(
            @Nullable String eventId, @Nullable String signature, String body) {
        Attempt attempt(int outcome) {
            return new Attempt(eventId, signature, body, outcome);
        }
    }

    /** Reads one HTTP/1.1 request with a {@code Content-Length} body; {@code null} if the peer closed first. */
    private static @Nullable Request read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String eventId = null;
        String signature = null;
        int length = 0;
        for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "tollgate-event-id" -> eventId = value;
                case "tollgate-signature" -> signature = value;
                case "content-length" -> length = Integer.parseInt(value);
                default -> {}
            }
        }
        byte[] body = in.readNBytes(length);
        return new Request(eventId, signature, new String(body, StandardCharsets.UTF_8));
    }

    private static void closeQuietly(Socket c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        ServerSocket s = server;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        held.forEach(FaultyReceiver::closeQuietly);
        held.clear();
    }
}
