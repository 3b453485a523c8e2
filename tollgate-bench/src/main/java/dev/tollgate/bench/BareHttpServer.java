package dev.tollgate.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The bare-HTTP baseline: a Netty HTTP/1.1 server that answers every request, whatever its body, with a fixed JSON
 * body shaped like a check answer. Whatever Tollgate costs beyond this is Tollgate's. Runs in its own process
 * ({@code main}) so that it competes for the cores exactly as the Tollgate server does.
 */
final class BareHttpServer {
    private static final byte[] BODY =
            "{\"allowed\":true,\"limit\":1000,\"used\":1,\"held\":0,\"remaining\":999,\"unlimited\":false,\"overage\":false}"
                    .getBytes(StandardCharsets.UTF_8);

    private BareHttpServer() {}

    /**
     * Starts on the port given as the first argument (0 for any) with as many I/O threads as the second (2 if not
     * given), and prints {@code port=<n>} once listening.
     *
     * @param args the port and the I/O threads
     */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        int ioThreads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec()).addLast(new FixedAnswer());
                    }
                });
        Channel ch = b.bind(port).sync().channel();
        System.out.println("port=" + ((InetSocketAddress) ch.localAddress()).getPort());
        System.out.flush();
        ch.closeFuture().sync();
    }

    /** Answers at the end of each request. */
    private static final class FixedAnswer extends SimpleChannelInboundHandler<HttpObject> {
        private final ByteBuf body = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(BODY));

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpContent && msg instanceof LastHttpContent) {
                FullHttpResponse r =
                        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body.duplicate());
                r.headers()
                        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length);
                ctx.writeAndFlush(r);
            }
        }
    }
}
