package dev.tollgate.server.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A request as a handler reads it ({@link ApiRequest}), over Netty's headers; the body is copied out of Netty's buffer
 * (the buffer is released as soon as the request is handed on). Path and query parameters are percent-decoded when
 * read: {@code %zz} is {@code 400 MALFORMED_PATH} or {@code 400 MALFORMED_QUERY}, naming the parameter.
 *
 * <p>Not thread-safe: read by one thread at a time.
 */
final class NettyRequest implements Service.Request {
    private final HttpHeaders headers;
    private final String uri;
    private final byte[] body;
    private final @Nullable Object caller;
    private Map<String, String> params = Map.of();
    private @Nullable Map<String, List<String>> query;

    /** @param caller what the connection's head check accepted the request as */
    NettyRequest(HttpHeaders headers, String uri, byte[] body, @Nullable Object caller) {
        this.headers = headers;
        this.uri = uri;
        this.body = body;
        this.caller = caller;
    }

    @Override
    public @Nullable Object caller() {
        return caller;
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
    public String uri() {
        return uri;
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
