package dev.tollgate.bench;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;

/**
 * The peer baseline of a local consume: Bucket4j's distributed token bucket in Redis over Lettuce ({@code
 * bucket4j_jdk17-lettuce}, compare-and-swap based), as an application would use it to limit one customer's usage
 * across a fleet: one bucket, one multiplexed connection shared by every thread, {@code tryConsume(1)} per request.
 * The bucket is large enough (10^12 tokens) never to refuse during a run.
 *
 * <p>Thread-safe: {@link #tryConsume} may be called from any number of threads.
 */
final class Bucket4jBaseline implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final BucketProxy bucket;

    private Bucket4jBaseline(
            RedisClient client, StatefulRedisConnection<String, byte[]> connection, BucketProxy bucket) {
        this.client = client;
        this.connection = connection;
        this.bucket = bucket;
    }

    /** Connects to the Redis at {@code 127.0.0.1:port} and creates a bucket of its own ({@code key}). */
    static Bucket4jBaseline connect(int port, String key) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        StatefulRedisConnection<String, byte[]> connection =
                client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        BucketConfiguration configuration = BucketConfiguration.builder()
                .addLimit(limit ->
                        limit.capacity(1_000_000_000_000L).refillGreedy(1_000_000_000_000L, Duration.ofDays(1)))
                .build();
        BucketProxy bucket =
                Bucket4jLettuce.casBasedBuilder(connection).build().builder().build(key, () -> configuration);
        return new Bucket4jBaseline(client, connection, bucket);
    }

    /** One token; blocks for Redis's answers (a read and a compare-and-swap script, again on a conflict). */
    boolean tryConsume() {
        return bucket.tryConsume(1);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
