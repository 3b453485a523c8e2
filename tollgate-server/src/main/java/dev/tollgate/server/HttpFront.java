package dev.tollgate.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
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
 * <p>Thread-safe: {@link #close} may be called from any thread.
 */
final class HttpFront implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpFront.class);

    private final EventLoopGroup group;
    private final Channel channel;

    private HttpFront(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Listens on {@code port} (0 for any free one) on all interfaces.
     *
     * @param ioThreads I/O threads; each serves its connections' checks itself
     * @param idleTimeoutSeconds how long a connection with nothing pending may send nothing before it is closed
     * @throws IllegalStateException if the port cannot be bound
     */
    static HttpFront start(int port, int maxBodyBytes, int ioThreads, int idleTimeoutSeconds, HttpApi api) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new IdleStateHandler(idleTimeoutSeconds, 0, 0, TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec())
                                .addLast(new Aggregator(maxBodyBytes))
                                .addLast(new Connection(api));
                    }
                });
        try {
            Channel channel = bootstrap.bind(port).syncUninterruptibly().channel();
            return new HttpFront(group, channel);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw cannotListen(port, e);
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
                int query = uri.indexOf('?');
                String path = query < 0 ? uri : uri.substring(0, query);
                Request r = new Request(request.headers(), uri, ByteBufUtil.getBytes(request.content()));
                api.dispatch(request.method().name(), path, r, response -> {
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

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("event=connection_error error=\"{}\"", cause.toString());
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
