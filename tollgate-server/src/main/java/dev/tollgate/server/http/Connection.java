package dev.tollgate.server.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * One connection, last in its pipeline: requests in, handed to the {@link Service}, answers out in the same order.
 *
 * <p>Order: a client may pipeline requests, and writes complete out of order, so the connection keeps its answers in
 * request order (a queue of slots) and sends an answer only once all earlier ones are sent. Nothing after a request
 * that closes the connection ({@code Connection: close}, HTTP/1.0, a malformed request) is executed (RFC 9112, 9.6).
 *
 * <p>Back-pressure: the connection stops being read while its answers wait in Netty's outbound buffer beyond the high
 * water mark (a client that pipelines without reading), or while {@value #MAX_PENDING} of its requests await their
 * answers; it is read again once both drain. Without this, such a client made the server buffer every answer in
 * memory.
 *
 * <p>Idle connections: one that sent nothing for the idle timeout, with no answer owed or still being written to it,
 * is closed, so that clients that vanished without closing do not hold sockets forever. Only reads are timed: an
 * {@code IdleStateHandler} that timed writes too would trade every answer's void promise for a real one.
 *
 * <p>Refusals it answers itself, in order: a body too large ({@code 413}, from {@link BodyLimit}), a request refused
 * from its head ({@link Heads}), bytes that are not HTTP/1.x ({@code 400 MALFORMED_REQUEST}, and that connection only
 * is closed), a request past its deadline ({@code 408}, from {@link Deadline}).
 *
 * <p>Confined to its I/O thread.
 */
final class Connection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = HttpFront.LOG;

    /** Warnings that connections fail for want of memory, shared by all connections. */
    private static final Throttle MEMORY_EXHAUSTED = new Throttle();

    /**
     * An answer's headers: names are this server's own constants, so they are not validated again on every answer
     * (Netty's token check was a twentieth of a check's time on the I/O thread); values still are.
     */
    private static final HttpHeadersFactory ANSWER_HEADERS =
            DefaultHttpHeadersFactory.headersFactory().withNameValidation(false);

    /** Requests awaiting their answers at which the connection stops being read. */
    static final int MAX_PENDING = 1024;

    private final Service service;
    private final Service.HeadCheck check;
    private final ArrayDeque<Slot> pending = new ArrayDeque<>();
    /** An answer that closes the connection is queued: later requests are not executed (RFC 9112, 9.6). */
    private boolean closeQueued;

    private boolean closing;

    /** The streamed answer this connection now carries, and its handler; {@code null} until one starts. */
    private @Nullable StreamSink streamSink;

    private @Nullable StreamHandler streamHandler;

    /** @param check the connection's head check, which {@link Heads} runs: what it accepted goes with each request */
    Connection(Service service, Service.HeadCheck check) {
        this.service = service;
        this.check = check;
    }

    /** A request's place in the answer order. */
    private static final class Slot {
        final boolean keepAlive;

        @Nullable
        Response response;

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
        if (msg instanceof BodyLimit.TooLarge tooLarge) {
            Slot slot = queue(tooLarge.keepAlive());
            complete(ctx, slot, Response.error(413, "BODY_TOO_LARGE", "the request body is too large"));
            return;
        }
        if (msg instanceof Heads.Refusal refusal) {
            complete(ctx, queue(false), refusal.response());
            return;
        }
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            serve(ctx, request);
        } finally {
            request.release();
            pace(ctx);
        }
    }

    /** Hands a whole request to the service; its answer completes the request's slot, on this I/O thread. */
    private void serve(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            Slot slot = queue(false);
            complete(ctx, slot, Response.error(400, "MALFORMED_REQUEST", "malformed HTTP request"));
            return;
        }
        Slot slot = queue(HttpUtil.isKeepAlive(request));
        String uri = request.uri();
        NettyRequest r =
                new NettyRequest(request.headers(), uri, ByteBufUtil.getBytes(request.content()), check.accepted());
        service.dispatch(request.method().name(), Heads.path(uri), r, response -> {
            if (ctx.executor().inEventLoop()) {
                complete(ctx, slot, response);
            } else {
                ctx.executor().execute(() -> complete(ctx, slot, response));
            }
        });
    }

    /**
     * Answers a request past its deadline; closes a connection that sent nothing for the timeout, unless an answer is
     * still owed on it (a write awaiting its commit) or still in Netty's outbound buffer (a large answer draining to a
     * slow reader).
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == Deadline.TimedOut.INSTANCE) {
            if (!closing && !closeQueued) {
                complete(
                        ctx,
                        queue(false),
                        Response.error(408, "REQUEST_TIMEOUT", "the request did not arrive in time"));
            }
            return;
        }
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        if (event instanceof IdleStateEvent
                && streamHandler == null
                && pending.isEmpty()
                && (out == null || out.totalPendingWriteBytes() == 0)) {
            LOG.debug("event=connection_idle_closed remote={}", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (streamHandler != null) {
            if (ctx.channel().isWritable()) {
                streamHandler.writable();
            }
        } else {
            pace(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        StreamHandler handler = streamHandler;
        StreamSink sink = streamSink;
        if (handler != null && sink != null) {
            sink.ended();
            streamHandler = null;
            handler.closed();
        }
        ctx.fireChannelInactive();
    }

    /**
     * Sends a streamed answer's head and hands the connection to its handler. The connection then carries that answer
     * only: what the client sends is read (so that its closing is seen at once) and dropped (a request pipelined after
     * it is never executed), and it is not closed for being idle.
     */
    private void startStream(ChannelHandlerContext ctx, Response response, StreamHandler handler) {
        closing = true;
        pending.clear();
        DefaultHttpResponse head =
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()));
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
        response.headers().forEach(head.headers()::set);
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.writeAndFlush(head, ctx.voidPromise());
        StreamSink sink = new StreamSink(ctx);
        streamSink = sink;
        streamHandler = handler;
        handler.started(sink);
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

    private void complete(ChannelHandlerContext ctx, Slot slot, Response response) {
        slot.response = response;
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peek().response != null && !closing) {
            Slot next = pending.poll();
            Response ready = Objects.requireNonNull(next.response);
            StreamHandler stream = ready.stream();
            if (stream != null) {
                startStream(ctx, ready, stream);
                return;
            }
            FullHttpResponse out = toNetty(ready, next.keepAlive);
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

    private static FullHttpResponse toNetty(Response response, boolean keepAlive) {
        FullHttpResponse out = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(response.status()),
                Unpooled.wrappedBuffer(response.body()),
                ANSWER_HEADERS.newHeaders(),
                EmptyHttpHeaders.INSTANCE); // an answer of known length has no trailers: none made per answer
        HttpHeaders headers = out.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, response.body().length);
        response.headers().forEach(headers::set);
        HttpUtil.setKeepAlive(out, keepAlive);
        return out;
    }

    /**
     * Closes the connection. A reset or a protocol error is routine (debug); running out of memory (direct buffers,
     * most often) is logged as a warning at most every {@value Throttle#WARN_EVERY_SECONDS} s.
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
