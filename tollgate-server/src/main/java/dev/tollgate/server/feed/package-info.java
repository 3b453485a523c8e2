/**
 * The change feed ({@code GET /v1/stream}): which customers changed, in commit order, with a cursor a client resumes
 * from. {@link dev.tollgate.server.feed.ChangeFeed} observes the journal and keeps each subscriber's coalesced queue;
 * the transport (Server-Sent Events over the HTTP front) drains it at the pace the client reads.
 */
@NullMarked
package dev.tollgate.server.feed;

import org.jspecify.annotations.NullMarked;
