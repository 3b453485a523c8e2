package dev.tollgate.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 server: Netty, a few I/O threads, and {@link HttpApi#dispatch} for every request.
 *
 * <p>Why Netty and not Jetty/Javalin: the request path must cost little beyond the bare HTTP exchange (see {@code
 * docs/benchmarks.md}). Under Javalin, routing, servlet wrapping and a per-request body copy cost more than the
 * decision itself. Here a check runs on the connection's I/O thread straight from memory, and a write's answer is sent
 * when the journal commits it, with no thread parked on the fsync.
 *
 * <p>Order: a client may pipeline requests, and writes complete out of order, so each connection keeps its answers
 * in request order and sends an answer only once all earlier ones are sent.
 *
 * <p>Limits: a body over {@code maxBodyBytes} is refused with {@code 413 BODY_TOO_LARGE} (the rest of it is read and
 * discarded, and a keep-alive connection stays usable); a
 * request that is not HTTP/1.x is refused with {@code 400 MALFORMED_REQUEST}.
 *
 * <p>Back-pressure: a connection stops being read while its answers wait in Netty's outbound buffer beyond the high
 * water mark (a client that pipelines without reading), or while 1024 of its requests await
 * their answers; it is read again once both drain. Without this, such a client made the server buffer every answer in
 * memory.
 *
 * <p>Idle connections: one that sent nothing for the idle timeout, with no answer owed or still being written to it,
 * is closed, so that clients that vanished without closing do not hold sockets forever. Only reads are timed: an
 * {@code IdleStateHandler} that timed writes too would trade every answer's void promise for a real one.
 *
 * <p>Authentication first: a request under {@code /v1} is checked from its head, before its body is read and before
 * routing ({@link HttpApi#refuseUnauthenticated}); without a valid key it is answered {@code 401} and the connection
 * closed, whatever the route or method, so an unauthenticated client can make the server buffer nothing. The check
 * hashes the key once per connection, not once per request ({@link ApiKeys.Remembered}).
 *
 * <p>Deadlines: a request's head must arrive within the header timeout of its first byte (or, for a connection's first
 * request, of the connection's opening), and its body within the body timeout of the head. Past it the request is
 * answered {@code 408 REQUEST_TIMEOUT} in order and the connection closed; a connection that never sent a byte is
 * just closed (an unasked-for answer could be read by a client pool as the answer to its next request). Between
 * requests on a keep-alive connection only the idle timeout counts. Time during which the connection is not read
 * (back-pressure, below) does not count. One timer per connection, re-armed only when it fires (at least every
 * min(header, body timeout), so a deadline is overrun by at most that), so that a request schedules nothing. Without
 * deadlines, 20 000 clients sending a header a byte at a time (slowloris) held every file descriptor.
 *
 * <p>Connection limit: beyond {@code maxConnections} open connections a new one is closed as soon as it is accepted,
 * without an answer, and a warning says so at most every {@value #WARN_EVERY_SECONDS} s with the count refused since.
 * When accepting itself fails (out of file descriptors) a warning says so at most as often, and accepting pauses for a
 * second instead of spinning on the error.
 *
 * <p>Thread-safe: {@link #close} may be called from any thread.
 */
final class HttpFront implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpFront.class);
    /** The least time between two warnings of one kind about resource exhaustion. */
    static final long WARN_EVERY_SECONDS = 10;

    private final EventLoopGroup group;
    private final Channel channel;

    private HttpFront(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Listens on {@code config.port()} (0 for any free one) on all interfaces, with the body limit, I/O threads, idle
     * timeout, request deadlines and connection limit of {@code config}.
     *
     * @throws IllegalStateException if the port cannot be bound
     */
    static HttpFront start(ServerConfig config, HttpApi api) {
        int maxBodyBytes = Math.toIntExact(config.maxBodyBytes());
        int idleTimeoutSeconds = config.idleTimeoutSeconds();
        long headNanos = TimeUnit.SECONDS.toNanos(config.headerTimeoutSeconds());
        long bodyNanos = TimeUnit.SECONDS.toNanos(config.bodyTimeoutSeconds());
        ConnectionLimit limit = new ConnectionLimit(config.maxConnections());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(config.ioThreads(), NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .handler(new AcceptFailures(limit))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!limit.open(ch)) {
                            ch.close();
                            return;
                        }
                        Deadline deadline = new Deadline(headNanos, bodyNanos);
                        ch.pipeline()
                                .addLast(new IdleStateHandler(idleTimeoutSeconds, 0, 0, TimeUnit.SECONDS))
                                .addLast(deadline)
                                .addLast(new HttpServerCodec())
                                .addLast(new Heads(api, deadline))
                                .addLast(new Aggregator(maxBodyBytes))
                                .addLast(new Connection(api));
                    }
                });
        try {
            Channel channel =
                    bootstrap.bind(config.port()).syncUninterruptibly().channel();
            return new HttpFront(group, channel);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw cannotListen(config.port(), e);
        }
    }

    /**
     * Fails fast, before anything else starts, when {@code port} is taken: the server would otherwise open its store,
     * create a data directory and a key, only to fail at the end.
     *
     * @param port the port to listen on; 0 (any free port) always passes
     * @throws IllegalStateException {@code port N is already in use}, or why else it cannot be bound
     */
    static void ensureFree(int port) {
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
    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Stops accepting, closes every connection and waits for the I/O threads to end. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * A body over the limit, passed on in request order instead of Netty's bare 413.
     *
     * @param keepAlive whether the connection stays open: the aggregator discards the rest of the body, so a
     *     keep-alive client can go on; closing at once instead would reset a client still sending it before it reads
     *     the 413
     */
    private record TooLarge(boolean keepAlive) {}

    /** At most one event in {@link #WARN_EVERY_SECONDS} lets a line through; it tells how many were quiet since. */
    private static final class Throttle {
        private final AtomicLong lastNanos =
                new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(WARN_EVERY_SECONDS));
        private final AtomicLong events = new AtomicLong();

        /** Counts an event; returns the events since the last line (this one included) if one is due now, else 0. */
        long due() {
            events.incrementAndGet();
            long now = System.nanoTime();
            long last = lastNanos.get();
            if (now - last < TimeUnit.SECONDS.toNanos(WARN_EVERY_SECONDS) || !lastNanos.compareAndSet(last, now)) {
                return 0;
            }
            return events.getAndSet(0);
        }
    }

    /** Counts open connections and refuses those beyond the limit: see the class comment. Thread-safe. */
    private static final class ConnectionLimit {
        private final int max;
        private final AtomicInteger open = new AtomicInteger();
        private final Throttle refusals = new Throttle();

        ConnectionLimit(int max) {
            this.max = max;
        }

        /** Counts {@code ch} until it closes and returns true, or returns false (and warns) if it is one too many. */
        boolean open(Channel ch) {
            if (open.incrementAndGet() > max) {
                open.decrementAndGet();
                long refused = refusals.due();
                if (refused > 0) {
                    LOG.warn(
                            "event=connections_refused refused={} limit={} hint=\"at the connection limit; raise"
                                    + " TOLLGATE_MAX_CONNECTIONS (and the file descriptor limit) if these clients are"
                                    + " legitimate\"",
                            refused,
                            max);
                }
                return false;
            }
            ch.closeFuture().addListener(f -> open.decrementAndGet());
            return true;
        }

        int open() {
            return open.get();
        }
    }

    /**
     * On the listening channel: a failed accept (out of file descriptors, most often) is logged at most every
     * {@value #WARN_EVERY_SECONDS} s, and accepting pauses for a second rather than retrying at once.
     */
    private static final class AcceptFailures extends ChannelInboundHandlerAdapter {
        private final ConnectionLimit limit;
        private final Throttle failures = new Throttle();

        AcceptFailures(ConnectionLimit limit) {
            this.limit = limit;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            long failed = failures.due();
            if (failed > 0) {
                LOG.warn(
                        "event=accept_failed failures={} open={} error=\"{}\" hint=\"out of file descriptors? raise"
                                + " the limit (ulimit -n) or lower TOLLGATE_MAX_CONNECTIONS\"",
                        failed,
                        limit.open(),
                        cause.toString());
            }
            ChannelConfig config = ctx.channel().config();
            if (config.isAutoRead()) {
                config.setAutoRead(false);
                ctx.channel().eventLoop().schedule(() -> config.setAutoRead(true), 1, TimeUnit.SECONDS);
            }
        }
    }

    /** A request past its deadline, passed to {@link Connection} to be answered {@code 408} in order. */
    private enum TimedOut {
        INSTANCE
    }

    /**
     * A connection's request deadlines (see the class comment), and the handler before the codec that sees the bytes
     * arrive. {@link Heads}, after the codec, tells it when a head and a whole request have arrived. Confined to the
     * connection's I/O thread.
     */
    private static final class Deadline extends ChannelInboundHandlerAdapter implements Runnable {
        private enum Phase {
            /** Between requests: only the idle timeout counts. */
            WAITING,
            HEAD,
            BODY
        }

        private final long headNanos;
        private final long bodyNanos;
        /** The longest the timer waits: a phase's deadline is overrun by at most this. */
        private final long tickNanos;

        private Phase phase = Phase.HEAD;
        private long sinceNanos;
        private boolean anyByte;
        private boolean expired;
        private @Nullable ChannelHandlerContext ctx;
        private io.netty.util.concurrent.@Nullable ScheduledFuture<?> timer;

        Deadline(long headNanos, long bodyNanos) {
            this.headNanos = headNanos;
            this.bodyNanos = bodyNanos;
            this.tickNanos = Math.min(headNanos, bodyNanos);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            sinceNanos = System.nanoTime();
            timer = ctx.executor().schedule(this, tickNanos, TimeUnit.NANOSECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (expired) {
                ReferenceCountUtil.release(msg);
                return;
            }
            anyByte = true;
            if (phase == Phase.WAITING) {
                phase = Phase.HEAD;
                sinceNanos = System.nanoTime();
                if (timer == null) {
                    timer = ctx.executor().schedule(this, tickNanos, TimeUnit.NANOSECONDS);
                }
            }
            ctx.fireChannelRead(msg);
        }

        /** A request's head has arrived: its body's deadline starts. */
        void headArrived() {
            phase = Phase.BODY;
            sinceNanos = System.nanoTime();
        }

        /** A whole request has arrived: nothing is timed until the next one's first byte. */
        void requestArrived() {
            phase = Phase.WAITING;
        }

        /** The timer: expires the request, or re-arms for what is left of its deadline. */
        @Override
        public void run() {
            timer = null;
            ChannelHandlerContext c = ctx;
            if (c == null || !c.channel().isActive() || phase == Phase.WAITING || expired) {
                return;
            }
            long limit = phase == Phase.HEAD ? headNanos : bodyNanos;
            long now = System.nanoTime();
            if (!c.channel().config().isAutoRead()) {
                sinceNanos = now; // not read for back-pressure: the client cannot be late
            }
            long left = limit - (now - sinceNanos);
            if (left > 0) {
                timer = c.executor().schedule(this, Math.min(left, tickNanos), TimeUnit.NANOSECONDS);
                return;
            }
            expired = true;
            LOG.debug(
                    "event=request_timed_out phase={} remote={}",
                    phase,
                    c.channel().remoteAddress());
            if (anyByte) {
                c.fireUserEventTriggered(TimedOut.INSTANCE);
            } else {
                c.close();
            }
        }
    }

    /**
     * After the codec: tells the {@link Deadline} where requests begin and end, and refuses a request without a valid
     * key from its head (see the class comment), passing a {@link Refusal} on instead and dropping the rest of what
     * the connection sends until it closes. Confined to the connection's I/O thread.
     */
    private static final class Heads extends ChannelInboundHandlerAdapter {
        private final HttpApi api;
        private final Deadline deadline;
        private final ApiKeys.Remembered keyCheck;
        private boolean refused;

        Heads(HttpApi api, Deadline deadline) {
            this.api = api;
            this.deadline = deadline;
            this.keyCheck = api.keyCheck();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (refused) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest head) {
                deadline.headArrived();
                if (head.decoderResult().isSuccess()) {
                    HttpApi.Response refusal = api.refuseUnauthenticated(
                            path(head.uri()), head.headers().get(HttpHeaderNames.AUTHORIZATION), keyCheck);
                    if (refusal != null) {
                        refused = true;
                        deadline.requestArrived();
                        ReferenceCountUtil.release(msg);
                        ctx.fireChannelRead(new Refusal(refusal));
                        return;
                    }
                }
            }
            if (msg instanceof LastHttpContent) {
                deadline.requestArrived();
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** A request refused from its head, answered in order; the connection closes after it. */
    private record Refusal(HttpApi.Response response) {}

    /** A request's path: its URI without the query string, still percent-encoded. */
    private static String path(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    private static final class Aggregator extends HttpObjectAggregator {
        Aggregator(int maxBodyBytes) {
            super(maxBodyBytes);
        }

        /**
         * Leaves an oversized {@code Expect: 100-continue} request to {@link #handleOversizedMessage}, so that it too
         * gets the JSON error in request order instead of Netty's bare 413.
         */
        @Override
        protected @Nullable Object newContinueResponse(
                HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
            if (HttpUtil.is100ContinueExpected(start) && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
                return null;
            }
            return super.newContinueResponse(start, maxContentLength, pipeline);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            // the aggregator releases the message itself after this call. A client waiting for 100 Continue never sends
            // the body, so what it sends next would be read as that body: close.
            ctx.fireChannelRead(new TooLarge(!(oversized instanceof FullHttpMessage)
                    && HttpUtil.isKeepAlive(oversized)
                    && !HttpUtil.is100ContinueExpected(oversized)));
        }
    }

    /** One connection: requests in, answers out in the same order. Confined to its I/O thread. */
    private static final class Connection extends ChannelInboundHandlerAdapter {
        /** Warnings that connections fail for want of memory, shared by all connections. */
        private static final Throttle MEMORY_EXHAUSTED = new Throttle();

        /** Requests awaiting their answers at which the connection stops being read. */
        static final int MAX_PENDING = 1024;

        private final HttpApi api;
        private final ArrayDeque<Slot> pending = new ArrayDeque<>();
        /** An answer that closes the connection is queued: later requests are not executed (RFC 9112, 9.6). */
        private boolean closeQueued;

        private boolean closing;

        Connection(HttpApi api) {
            this.api = api;
        }

        /** A request's place in the answer order. */
        private static final class Slot {
            final boolean keepAlive;
            HttpApi.@Nullable Response response;

            Slot(boolean keepAlive) {
                this.keepAlive = keepAlive;
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closing || closeQueued) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof TooLarge tooLarge) {
                Slot slot = queue(tooLarge.keepAlive());
                complete(ctx, slot, HttpApi.Response.error(413, "BODY_TOO_LARGE", "the request body is too large"));
                return;
            }
            if (msg instanceof Refusal refusal) {
                complete(ctx, queue(false), refusal.response());
                return;
            }
            if (!(msg instanceof FullHttpRequest request)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            try {
                if (!request.decoderResult().isSuccess()) {
                    Slot slot = queue(false);
                    complete(ctx, slot, HttpApi.Response.error(400, "MALFORMED_REQUEST", "malformed HTTP request"));
                    return;
                }
                Slot slot = queue(HttpUtil.isKeepAlive(request));
                String uri = request.uri();
                Request r = new Request(request.headers(), uri, ByteBufUtil.getBytes(request.content()));
                api.dispatch(request.method().name(), path(uri), r, response -> {
                    if (ctx.executor().inEventLoop()) {
                        complete(ctx, slot, response);
                    } else {
                        ctx.executor().execute(() -> complete(ctx, slot, response));
                    }
                });
            } finally {
                request.release();
                pace(ctx);
            }
        }

        /**
         * Closes a connection that sent nothing for the timeout, unless an answer is still owed on it (a write awaiting
         * its commit) or still in Netty's outbound buffer (a large answer draining to a slow reader).
         */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == TimedOut.INSTANCE) {
                if (!closing && !closeQueued) {
                    complete(
                            ctx,
                            queue(false),
                            HttpApi.Response.error(408, "REQUEST_TIMEOUT", "the request did not arrive in time"));
                }
                return;
            }
            ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
            if (event instanceof IdleStateEvent
                    && pending.isEmpty()
                    && (out == null || out.totalPendingWriteBytes() == 0)) {
                LOG.debug(
                        "event=connection_idle_closed remote={}", ctx.channel().remoteAddress());
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            pace(ctx);
            ctx.fireChannelWritabilityChanged();
        }

        /** Reads the connection only while its answers drain: see the class comment, "Back-pressure". */
        private void pace(ChannelHandlerContext ctx) {
            boolean read = ctx.channel().isWritable() && pending.size() < MAX_PENDING;
            if (ctx.channel().config().isAutoRead() != read) {
                ctx.channel().config().setAutoRead(read);
            }
        }

        /** Takes the next place in the answer order. */
        private Slot queue(boolean keepAlive) {
            Slot slot = new Slot(keepAlive);
            pending.add(slot);
            closeQueued = !keepAlive;
            return slot;
        }

        private void complete(ChannelHandlerContext ctx, Slot slot, HttpApi.Response response) {
            slot.response = response;
            boolean wrote = false;
            while (!pending.isEmpty() && pending.peek().response != null && !closing) {
                Slot next = pending.poll();
                FullHttpResponse out = toNetty(next.response, next.keepAlive);
                wrote = true;
                if (next.keepAlive) {
                    ctx.write(out, ctx.voidPromise());
                } else {
                    closing = true;
                    ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
                }
            }
            if (wrote && !closing) {
                ctx.flush();
            }
            pace(ctx);
        }

        private static FullHttpResponse toNetty(HttpApi.Response response, boolean keepAlive) {
            FullHttpResponse out = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(response.status()),
                    Unpooled.wrappedBuffer(response.body()));
            HttpHeaders headers = out.headers();
            headers.set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, response.body().length);
            response.headers().forEach(headers::set);
            HttpUtil.setKeepAlive(out, keepAlive);
            return out;
        }

        /**
         * Closes the connection. A reset or a protocol error is routine (debug); running out of memory (direct buffers,
         * most often) is logged as a warning at most every {@value #WARN_EVERY_SECONDS} s.
         */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable root = cause;
            while (!(root instanceof OutOfMemoryError) && root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            long exhausted = root instanceof OutOfMemoryError ? MEMORY_EXHAUSTED.due() : 0;
            if (exhausted > 0) {
                LOG.warn(
                        "event=resource_exhausted connections_failed={} error=\"{}\" hint=\"lower"
                                + " TOLLGATE_MAX_CONNECTIONS or TOLLGATE_MAX_BODY_BYTES, or give the JVM more (direct)"
                                + " memory\"",
                        exhausted,
                        root.toString());
            } else {
                LOG.debug("event=connection_error error=\"{}\"", cause.toString());
            }
            ctx.close();
        }
    }

    /** A request as {@link HttpApi} reads it; the body is copied out of Netty's buffer. */
    private static final class Request implements HttpApi.Routed {
        private final HttpHeaders headers;
        private final String uri;
        private final byte[] body;
        private Map<String, String> params = Map.of();
        private @Nullable Map<String, List<String>> query;

        Request(HttpHeaders headers, String uri, byte[] body) {
            this.headers = headers;
            this.uri = uri;
            this.body = body;
        }

        @Override
        public void pathParams(Map<String, String> raw) {
            this.params = raw;
        }

        @Override
        public @Nullable String header(String name) {
            return headers.get(name);
        }

        @Override
        public String pathParam(String name) {
            String raw = params.get(name);
            if (raw == null) {
                throw new IllegalArgumentException("the route has no path parameter '" + name + "'");
            }
            if (raw.indexOf('%') < 0) {
                return raw;
            }
            try {
                return QueryStringDecoder.decodeComponent(raw.replace("+", "%2B"));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("MALFORMED_PATH", "malformed percent-encoding in the path", name);
            }
        }

        @Override
        public @Nullable String queryParam(String name) {
            if (query == null) {
                try {
                    query = new QueryStringDecoder(uri).parameters();
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("MALFORMED_QUERY", "malformed percent-encoding in the query", name);
                }
            }
            List<String> values = query.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        @Override
        public byte[] bodyAsBytes() {
            return body;
        }
    }
}
