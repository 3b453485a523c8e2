package dev.tollgate.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder between the server and a real database, which a test can cut as if the database had stopped:
 * {@link #cut()} closes every open connection and refuses new ones (the port stops listening); {@link #restore()}
 * listens again on the same port. Or as if the network between had stopped carrying packets: {@link #stall()} keeps
 * every connection open and accepts new ones but forwards nothing, neither way, until {@link #resume()} delivers what
 * waited (as TCP retransmits once a partition heals). Everything else is the real database.
 *
 * <p>Thread-safe.
 */
final class TcpProxy implements AutoCloseable {
    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;
    private volatile boolean stalled;
    private volatile boolean stallAfterCommit;
    private static final byte[] COMMIT = "COMMIT".getBytes(StandardCharsets.US_ASCII);

    TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = listen(0);
        this.port = listener.getLocalPort();
        acceptLoop(listener);
    }

    int port() {
        return port;
    }

    private static ServerSocket listen(int port) {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void acceptLoop(ServerSocket server) {
        Thread t = new Thread(
                () -> {
                    while (!server.isClosed()) {
                        try {
                            Socket client = server.accept();
                            Socket upstream = new Socket(targetHost, targetPort);
                            open.add(client);
                            open.add(upstream);
                            if (server.isClosed()) {
                                // accepted while cut() ran: it must not outlive the cut
                                closeQuietly(client);
                                closeQuietly(upstream);
                                continue;
                            }
                            pump(client, upstream, true);
                            pump(upstream, client, false);
                        } catch (IOException e) {
                            // the listener was closed by cut() or close()
                        }
                    }
                },
                "proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    private void pump(Socket from, Socket to, boolean fromClient) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            while (stalled && !to.isClosed()) {
                                Thread.sleep(5);
                            }
                            out.write(buffer, 0, n);
                            out.flush();
                            if (fromClient && stallAfterCommit && contains(buffer, n, COMMIT)) {
                                stallAfterCommit = false;
                                stalled = true;
                            }
                        }
                    } catch (IOException e) {
                        // one side went away; closing both ends below tells the other
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void closeQuietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** The database becomes unreachable: open connections drop, new ones are refused. */
    void cut() {
        try {
            listener.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        open.forEach(this::closeQuietly);
    }

    /** The network stops carrying data: connections stay open, nothing arrives either way. */
    void stall() {
        stalled = true;
    }

    /**
     * The network stalls right after it carried the next {@code COMMIT} to the database: the database commits, its
     * answer waits with everything else until {@link #resume()}.
     */
    void stallAfterCommit() {
        stallAfterCommit = true;
    }

    private static boolean contains(byte[] buffer, int length, byte[] pattern) {
        for (int i = 0; i + pattern.length <= length; i++) {
            if (Arrays.equals(buffer, i, i + pattern.length, pattern, 0, pattern.length)) {
                return true;
            }
        }
        return false;
    }

    /** The network carries data again, first what waited. */
    void resume() {
        stalled = false;
    }

    /** The database is reachable again, on the same port. */
    void restore() {
        listener = listen(port);
        acceptLoop(listener);
    }

    @Override
    public void close() {
        cut();
    }
}
