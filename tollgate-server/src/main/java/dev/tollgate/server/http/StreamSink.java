package dev.tollgate.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A streamed answer's body on one connection: chunks of text written with the connection's I/O thread, which is the
 * sink's thread ({@link EventSink#execute}). Timers it runs stop when the connection closes.
 *
 * <p>Confined to the connection's I/O thread, except {@link #execute}.
 */
final class StreamSink implements EventSink {
    private final ChannelHandlerContext ctx;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private boolean ended;

    StreamSink(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public boolean writable() {
        return !ended && ctx.channel().isWritable();
    }

    @Override
    public void write(String text) {
        if (!ended) {
            ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)), ctx.voidPromise());
        }
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public void close() {
        if (!ended) {
            ended = true;
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void abort() {
        if (!ended) {
            ended = true;
            ctx.flush();
            ctx.close();
        }
    }

    @Override
    public void execute(Runnable task) {
        ctx.executor().execute(task);
    }

    @Override
    public void every(Duration period, Runnable task) {
        long nanos = period.toNanos();
        timers.add(ctx.executor().scheduleAtFixedRate(task, nanos, nanos, TimeUnit.NANOSECONDS));
    }

    /** The connection is gone: stops the timers, and nothing more is written. */
    void ended() {
        ended = true;
        timers.forEach(t -> t.cancel(false));
        timers.clear();
    }
}
