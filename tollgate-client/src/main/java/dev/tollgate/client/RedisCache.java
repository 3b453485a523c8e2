package dev.tollgate.client;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared cache in Redis, through Lettuce: string values with a day's expiry (the payload says when it was read,
 * which decides its freshness).
 *
 * <p>Failure modes: Redis down, slow or refusing: the call answers {@code null} (or drops the write), and the next
 * 5 s skip Redis altogether; then a new connection is tried. Nothing of Redis's failures reaches the caller.
 *
 * <p>Thread-safe: a Lettuce connection is.
 */
final class RedisCache implements SharedCache {
    private static final Logger LOG = LoggerFactory.getLogger(RedisCache.class);
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long EXPIRY_SECONDS = TimeUnit.DAYS.toSeconds(1);

    private final RedisClient client;
    private final Duration timeout;
    private volatile @Nullable StatefulRedisConnection<String, String> connection;
    private volatile long downUntilNanos;
    private volatile boolean down;

    RedisCache(String url, Duration timeout) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(timeout);
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .build());
        this.timeout = timeout;
    }

    @Override
    public @Nullable String get(String key) {
        StatefulRedisConnection<String, String> c = connection();
        if (c == null) {
            return null;
        }
        try {
            return c.sync().get(key);
        } catch (RuntimeException e) {
            failed(c, e);
            return null;
        }
    }

    @Override
    public void put(String key, String payload) {
        StatefulRedisConnection<String, String> c = connection();
        if (c == null) {
            return;
        }
        try {
            c.sync().set(key, payload, io.lettuce.core.SetArgs.Builder.ex(EXPIRY_SECONDS));
        } catch (RuntimeException e) {
            failed(c, e);
        }
    }

    private @Nullable StatefulRedisConnection<String, String> connection() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null && c.isOpen()) {
            return c;
        }
        if (down && System.nanoTime() - downUntilNanos < 0) {
            return null;
        }
        synchronized (this) {
            c = connection;
            if (c != null && c.isOpen()) {
                return c;
            }
            try {
                c = client.connect();
                c.setTimeout(timeout);
                connection = c;
                down = false;
                return c;
            } catch (RuntimeException e) {
                markDown(e);
                return null;
            }
        }
    }

    private void failed(StatefulRedisConnection<String, String> c, RuntimeException e) {
        synchronized (this) {
            if (connection == c) {
                connection = null;
                c.closeAsync();
            }
            markDown(e);
        }
    }

    private void markDown(RuntimeException e) {
        if (!down) {
            LOG.warn("event=redis_unavailable error=\"{}\"", e.toString());
        }
        downUntilNanos = System.nanoTime() + RETRY_NANOS;
        down = true;
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, timeout);
    }
}
