package dev.tollgate.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 server: Netty, a few I/O threads, and a {@link Service} (the API) for every request.
 *
 * <p>Why Netty and not Jetty/Javalin: the request path must cost little beyond the bare HTTP exchange (see {@code
 * docs/benchmarks.md}). Under Javalin, routing, servlet wrapping and a per-request body copy cost more than the
 * decision itself. Here a check runs on the connection's I/O thread straight from memory, and a write's answer is sent
 * when the journal commits it, with no thread parked on the fsync.
 *
 * <p>A connection's pipeline, each handler one job and one file:
 *
 * <ol>
 *   <li>{@link ConnectionLimit} counts it first (beyond the limit it is closed at once);
 *   <li>Netty's {@code IdleStateHandler} times its silence (see {@link Connection}, "Idle connections");
 *   <li>{@link Deadline} times each request's head and body;
 *   <li>Netty's {@code HttpServerCodec} parses HTTP/1.x;
 *   <li>{@link Heads} refuses a request from its head (the API key) before its body is buffered;
 *   <li>{@link BodyLimit} gathers the body up to the limit;
 *   <li>{@link Connection} hands each request to the service and writes the answers back in request order, pacing
 *       its reads (back-pressure).
 * </ol>
 *
 * <p>The front's log lines, from every one of these, are logged as {@code HttpFront}'s.
 *
 * <p>Thread-safe: {@link #close} may be called from any thread.
 */
public final class HttpFront implements AutoCloseable {
    /** The logger of every handler of the front. */
    static final Logger LOG = LoggerFactory.getLogger(HttpFront.class);

    private final EventLoopGroup group;
    private final Channel channel;
    /** Every open connection, so that {@link #close} closes each, streams included, before the I/O threads stop. */
    private final ChannelGroup connections;

    /**
     * What the front is set up with.
     *
     * @param port the port to listen on, 0 for any free one
     * @param ioThreads the I/O threads
     * @param maxBodyBytes the largest body accepted
     * @param idleTimeoutSeconds how long a connection owed nothing may stay silent
     * @param headerTimeoutSeconds how long a request's head may take to arrive
     * @param bodyTimeoutSeconds how long a request's body may take to arrive once its head has
     * @param maxConnections the most connections open at once
     */
    public record Settings(
            int port,
            int ioThreads,
            int maxBodyBytes,
            int idleTimeoutSeconds,
            int headerTimeoutSeconds,
            int bodyTimeoutSeconds,
            int maxConnections) {}

    private HttpFront(EventLoopGroup group, Channel channel, ChannelGroup connections) {
        this.connections = connections;
        this.group = group;
        this.channel = channel;
    }

    /**
     * Listens on {@code settings.port()} on all interfaces and serves {@code service}.
     *
     * @throws IllegalStateException if the port cannot be bound
     */
    public static HttpFront start(Settings settings, Service service) {
        return start(settings, service, new InetSocketAddress(settings.port()));
    }

    /**
     * Listens on {@code address} (its host and port, in place of {@code settings.port()} on all interfaces) and serves
     * {@code service}: the sidecar listens on the loopback interface alone.
     *
     * @throws IllegalStateException if the address cannot be bound
     */
    public static HttpFront start(Settings settings, Service service, InetSocketAddress address) {
        ConnectionLimit limit = new ConnectionLimit(settings.maxConnections());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(settings.ioThreads(), NioIoHandler.newFactory());
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .handler(new ConnectionLimit.AcceptFailures(limit))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new Pipeline(settings, service, limit, connections));
        try {
            Channel channel = bootstrap.bind(address).syncUninterruptibly().channel();
            return new HttpFront(group, channel, connections);
        } catch (Exception e) { // Netty rethrows the bind's BindException undeclared: a checked exception
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw cannotListen(address.getPort(), e);
        }
    }

    /** Builds each accepted connection's pipeline: see the class comment. */
    private static final class Pipeline extends ChannelInitializer<SocketChannel> {
        private final Settings settings;
        private final Service service;
        private final ConnectionLimit limit;
        private final ChannelGroup connections;
        private final long headNanos;
        private final long bodyNanos;

        Pipeline(Settings settings, Service service, ConnectionLimit limit, ChannelGroup connections) {
            this.settings = settings;
            this.connections = connections;
            this.service = service;
            this.limit = limit;
            this.headNanos = TimeUnit.SECONDS.toNanos(settings.headerTimeoutSeconds());
            this.bodyNanos = TimeUnit.SECONDS.toNanos(settings.bodyTimeoutSeconds());
        }

        @Override
        protected void initChannel(SocketChannel ch) {
            if (!limit.open(ch)) {
                ch.close();
                return;
            }
            connections.add(ch);
            Deadline deadline = new Deadline(headNanos, bodyNanos);
            Service.HeadCheck check = service.headCheck();
            ch.pipeline()
                    .addLast(new IdleStateHandler(settings.idleTimeoutSeconds(), 0, 0, TimeUnit.SECONDS))
                    .addLast(deadline)
                    .addLast(new HttpServerCodec())
                    .addLast(new Heads(deadline, check))
                    .addLast(new BodyLimit(settings.maxBodyBytes()))
                    .addLast(new Connection(service, check));
        }
    }

    /**
     * Fails fast, before anything else starts, when {@code port} is taken: the server would otherwise open its store,
     * create a data directory and a key, only to fail at the end.
     *
     * @param port the port to listen on; 0 (any free port) always passes
     * @throws IllegalStateException {@code port N is already in use}, or why else it cannot be bound
     */
    public static void ensureFree(int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw cannotListen(port, e);
        }
    }

    /** Netty rethrows the bind's checked exception undeclared, so the cause is told by its type, not the catch. */
    private static IllegalStateException cannotListen(int port, Exception e) {
        if (e instanceof BindException && String.valueOf(e.getMessage()).contains("in use")) {
            return new IllegalStateException("port " + port + " is already in use", e);
        }
        return new IllegalStateException("cannot listen on port " + port + ": " + e.getMessage(), e);
    }

    /** The port listened on. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Stops accepting, closes every connection and waits for the I/O threads to end. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        // closed one by one: stopping the I/O threads alone left a streamed answer's connection open at times (the
        // change feed's client then never heard of the restart)
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
