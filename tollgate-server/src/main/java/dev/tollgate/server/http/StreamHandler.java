package dev.tollgate.server.http;

/**
 * What drives a streamed answer: the HTTP front sends the answer's head, then calls these on the sink's thread.
 */
public interface StreamHandler {
    /** The head is sent; from now on the handler writes to {@code sink}. */
    void started(EventSink sink);

    /** The client caught up: {@link EventSink#writable} is {@code true} again. */
    void writable();

    /** The connection is closed, by either side. Called once. */
    void closed();
}
