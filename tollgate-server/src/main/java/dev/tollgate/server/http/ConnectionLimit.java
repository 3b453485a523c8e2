package dev.tollgate.server.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * Counts open connections and refuses those beyond the limit.
 *
 * <p>Design: beyond {@code max} open connections a new one is closed as soon as it is accepted, without an answer,
 * and a warning says so at most every {@value Throttle#WARN_EVERY_SECONDS} s with the count refused since. When
 * accepting itself fails (out of file descriptors, most often), {@link AcceptFailures} on the listening channel warns
 * at most as often, and accepting pauses for a second instead of spinning on the error. Without a limit, 20 000
 * connections that sent nothing took every file descriptor, and then the store could open no file either.
 *
 * <p>Thread-safe.
 */
final class ConnectionLimit {
    private static final Logger LOG = HttpFront.LOG;

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

    /**
     * On the listening channel: a failed accept (out of file descriptors, most often) is logged at most every
     * {@value Throttle#WARN_EVERY_SECONDS} s, and accepting pauses for a second rather than retrying at once.
     */
    static final class AcceptFailures extends ChannelInboundHandlerAdapter {
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
}
