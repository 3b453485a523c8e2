/**
 * The HTTP front, which knows nothing of the engine. Two parts:
 *
 * <ul>
 *   <li>Connections (Netty): {@code HttpFront} listens and builds each connection's pipeline of one-job handlers,
 *       {@code ConnectionLimit}, {@code Deadline}, {@code Heads}, {@code BodyLimit} and {@code Connection} (answers in
 *       request order, back-pressure, idle connections); it serves a {@code Service}, answering {@code Response}s.
 *   <li>What a route handler works with: {@code RouteTable} and {@code Router} (method and path template to handler,
 *       and where it runs), {@code ApiRequest} and {@code Requests} (path ids, query parameters, page cursors, the
 *       wait for a commit), {@code Body} and {@code Trees} (checked JSON and YAML bodies), {@code Reply} (a handler's
 *       answer) and {@code ApiException} (a refusal with a stable code).
 * </ul>
 *
 * <p>See {@code docs/internals/http.md}.
 */
@NullMarked
package dev.tollgate.server.http;

import org.jspecify.annotations.NullMarked;
