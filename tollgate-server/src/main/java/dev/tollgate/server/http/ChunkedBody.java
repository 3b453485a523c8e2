package dev.tollgate.server.http;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A body too large to hold in memory, written as it is produced: a producer on a worker thread writes text, which
 * reaches the client in chunks of about {@value #CHUNK_CHARS} characters.
 *
 * <p>Back-pressure: at most {@value #QUEUED} chunks wait between the producer and the connection; the producer blocks
 * while they do, and the connection's thread sends them only while the client keeps up ({@link EventSink#writable}).
 * So a slow client slows the producer (and its store reads) down instead of filling memory.
 *
 * <p>Failure: if the producer throws after the head was sent, the connection is broken off ({@link EventSink#abort})
 * without the body's last chunk, so the client sees an incomplete answer, never a truncated one that looks whole. If
 * the client goes away, the producer's next write throws {@link Gone} and it stops.
 *
 * <p>Thread-safe: the producer runs on one worker thread; everything else on the connection's thread.
 */
public final class ChunkedBody implements StreamHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkedBody.class);
    static final int CHUNK_CHARS = 16 * 1024;
    static final int QUEUED = 16;

    /** Writes the body. */
    @FunctionalInterface
    public interface Producer {
        /**
         * Writes the whole body to {@code out}, then returns.
         *
         * @throws Gone if the client went away (thrown by {@code out})
         */
        void produce(Out out) throws Exception;
    }

    /** Where a producer writes. */
    public interface Out {
        /** Appends text; may block while the client is behind. */
        void write(String text);
    }

    /** The client went away: the producer should stop. */
    public static final class Gone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Gone() {
            super("the client closed the connection", null, false, false);
        }
    }

    /** A piece for the connection: text, the end, or a failure. */
    private record Chunk(String text, boolean last, boolean failed) {}

    private final Executor workers;
    private final Producer producer;
    private final String name;
    private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED);
    private volatile boolean gone;
    private @Nullable EventSink sink;

    /**
     * @param workers where the producer runs
     * @param name what the body is, for the log
     */
    public ChunkedBody(Executor workers, String name, Producer producer) {
        this.workers = workers;
        this.name = name;
        this.producer = producer;
    }

    @Override
    public void started(EventSink sink) {
        this.sink = sink;
        workers.execute(this::produce);
    }

    private void produce() {
        StringBuilder pending = new StringBuilder();
        try {
            producer.produce(text -> {
                pending.append(text);
                if (pending.length() >= CHUNK_CHARS) {
                    put(new Chunk(pending.toString(), false, false));
                    pending.setLength(0);
                }
            });
            if (pending.length() > 0) {
                put(new Chunk(pending.toString(), false, false));
            }
            put(new Chunk("", true, false));
        } catch (Gone e) {
            LOG.debug("event=export_abandoned body={}", name);
        } catch (Exception e) {
            LOG.warn("event=export_failed body={} error=\"{}\"", name, e.getMessage(), e);
            try {
                put(new Chunk("", false, true));
            } catch (Gone closed) {
                // nobody to tell
            }
        }
    }

    /** Queues a chunk, waiting while the queue is full; throws {@link Gone} once the client has gone. */
    private void put(Chunk chunk) {
        EventSink s = java.util.Objects.requireNonNull(sink, "started before producing");
        try {
            while (!gone) {
                if (queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                    s.execute(this::drain);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new Gone();
    }

    /** On the connection's thread: sends what waits while the client keeps up. */
    private void drain() {
        EventSink s = sink;
        if (s == null || gone) {
            return;
        }
        boolean wrote = false;
        while (s.writable()) {
            Chunk c = queue.poll();
            if (c == null) {
                break;
            }
            if (c.last()) {
                s.close();
                return;
            }
            if (c.failed()) {
                s.abort();
                return;
            }
            s.write(c.text());
            wrote = true;
        }
        if (wrote) {
            s.flush();
        }
    }

    @Override
    public void writable() {
        drain();
    }

    @Override
    public void closed() {
        gone = true;
        queue.clear();
    }
}
