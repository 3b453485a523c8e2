package dev.tollgate.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * After the codec: tells the {@link Deadline} where requests begin and end, and refuses a request from its head when
 * the {@link Service}'s check says so.
 *
 * <p>A request target that is not a path starting with {@code /} is refused at once ({@code 400 MALFORMED_REQUEST}):
 * routing and the key check both read paths, and must agree on what is one.
 *
 * <p>Authentication first: a request under {@code /v1} is checked from its head, before its body is read and before
 * routing; without a valid key it is answered {@code 401} and the connection closed, whatever the route or method, so
 * that an unauthenticated client can make the server buffer nothing. A refused request is passed on as a
 * {@link Refusal}, to be answered in order, and the rest of what the connection sends is dropped until it closes.
 *
 * <p>Confined to the connection's I/O thread.
 */
final class Heads extends ChannelInboundHandlerAdapter {
    /** A request refused from its head, answered in order; the connection closes after it. */
    record Refusal(Response response) {}

    /**
     * The answer to a request target that is not a path (origin form, RFC 9112 §3.2.1): {@code v1/keys}, the absolute
     * form {@code http://host/v1/keys} (for proxies), {@code *}. Refused before the key check, which looks at paths.
     */
    private static final Response NOT_A_PATH = Response.error(
            400, "MALFORMED_REQUEST", "the request target must be a path starting with '/' (origin form)");

    private final Deadline deadline;
    private final Service.HeadCheck check;
    private boolean refused;

    /** @param check the connection's head check, from {@link Service#headCheck} */
    Heads(Deadline deadline, Service.HeadCheck check) {
        this.deadline = deadline;
        this.check = check;
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
                Response refusal = head.uri().startsWith("/")
                        ? check.refuse(head.method().name(), path(head.uri()), head.headers()::get)
                        : NOT_A_PATH;
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

    /** A request's path: its URI without the query string, still percent-encoded. */
    static String path(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }
}
