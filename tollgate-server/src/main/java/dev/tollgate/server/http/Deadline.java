package dev.tollgate.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * A connection's request deadlines, and the handler before the codec that sees the bytes arrive. {@link Heads}, after
 * the codec, tells it when a head and a whole request have arrived.
 *
 * <p>Deadlines: a request's head must arrive within the header timeout of its first byte (or, for a connection's first
 * request, of the connection's opening), and its body within the body timeout of the head. Past it the request is
 * answered {@code 408 REQUEST_TIMEOUT} in order ({@link TimedOut}, for {@link Connection}) and the connection closed;
 * a connection that never sent a byte is just closed (an unasked-for answer could be read by a client pool as the
 * answer to its next request). Between requests on a keep-alive connection only the idle timeout counts. Time during
 * which the connection is not read (back-pressure, see {@link Connection}) does not count. One timer per connection,
 * re-armed only when it fires (at least every min(header, body timeout), so a deadline is overrun by at most that), so
 * that a request schedules nothing. Without deadlines, 20 000 clients sending a header a byte at a time (slowloris)
 * held every file descriptor.
 *
 * <p>Confined to the connection's I/O thread.
 */
final class Deadline extends ChannelInboundHandlerAdapter implements Runnable {
    private static final Logger LOG = HttpFront.LOG;

    /** A request past its deadline, passed to {@link Connection} to be answered {@code 408} in order. */
    enum TimedOut {
        INSTANCE
    }

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
    private @Nullable ScheduledFuture<?> timer;

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
                "event=request_timed_out phase={} remote={}", phase, c.channel().remoteAddress());
        if (anyByte) {
            c.fireUserEventTriggered(TimedOut.INSTANCE);
        } else {
            c.close();
        }
    }
}
