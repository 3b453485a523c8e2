package dev.tollgate.server.http;

import java.time.Duration;

/**
 * The transport side of a stream: a long-lived HTTP answer that text is written to as it comes (Server-Sent Events).
 *
 * <p>Every method is called on the sink's own thread ({@link #execute}), except {@link #execute} itself, which any
 * thread may call. Writes are buffered until {@link #flush}; {@link #writable} turns {@code false} while the client
 * reads slower than the stream writes (its buffer past the high-water mark).
 */
public interface EventSink {
    /** Whether the client keeps up: {@code false} while its outbound buffer is past the high-water mark. */
    boolean writable();

    /** Appends {@code text} to the answer (buffered). */
    void write(String text);

    /** Sends what was written. */
    void flush();

    /** Ends the answer and closes the connection; {@link StreamHandler#closed} follows. */
    void close();

    /**
     * Breaks the answer off: closes the connection without ending the body, so that the client sees an incomplete
     * answer (a chunked body without its last chunk) rather than a complete one that lacks its end. For an answer
     * that failed after its head was sent. {@link StreamHandler#closed} follows.
     */
    void abort();

    /** Runs {@code task} on the sink's thread, soon. Callable from any thread; never blocks. */
    void execute(Runnable task);

    /** Runs {@code task} on the sink's thread every {@code period} until the stream is closed. */
    void every(Duration period, Runnable task);
}
