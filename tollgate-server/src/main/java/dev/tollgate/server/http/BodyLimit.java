package dev.tollgate.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import org.jspecify.annotations.Nullable;

/**
 * Gathers a request's body, up to the limit.
 *
 * <p>Limits: a body over {@code maxBodyBytes} is refused with {@code 413 BODY_TOO_LARGE}, in request order, instead of
 * Netty's bare 413: the aggregator reads the rest of it and discards it, and a keep-alive connection stays usable. With
 * {@code Expect: 100-continue} the body never comes, so that connection is closed after the answer.
 *
 * <p>Confined to the connection's I/O thread.
 */
final class BodyLimit extends HttpObjectAggregator {
    /**
     * A body over the limit, passed on in request order to be answered {@code 413}.
     *
     * @param keepAlive whether the connection stays open: the aggregator discards the rest of the body, so a
     *     keep-alive client can go on; closing at once instead would reset a client still sending it before it reads
     *     the 413
     */
    record TooLarge(boolean keepAlive) {}

    BodyLimit(int maxBodyBytes) {
        super(maxBodyBytes);
    }

    /**
     * Leaves an oversized {@code Expect: 100-continue} request to {@link #handleOversizedMessage}, so that it too gets
     * the JSON error in request order instead of Netty's bare 413.
     */
    @Override
    protected @Nullable Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
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
