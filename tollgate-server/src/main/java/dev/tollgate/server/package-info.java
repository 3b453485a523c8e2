/**
 * The Tollgate server. This package is the whole: {@code TollgateServer} (store, engine, HTTP front, webhooks and
 * sweeper, started and stopped together), {@code ServerConfig} (its settings) and {@code Stores} (opening the store
 * they name). Below it, one package a job:
 *
 * <ul>
 *   <li>{@code cli}: the command line ({@code Main}, picocli commands, every setting);
 *   <li>{@code http}: the HTTP front (Netty connections, routing, request bodies), knowing nothing of the engine;
 *   <li>{@code auth}: who may call what (credentials, CORS, the rights of publishable keys and portal tokens);
 *   <li>{@code api}: the API, one route family a capability, with the JSON of its answers;
 *   <li>{@code webhook}: delivering alerts to webhooks;
 *   <li>{@code feed}: the change feed, which customers changed in commit order, with a cursor to resume from;
 *   <li>{@code metrics}: Prometheus metrics.
 * </ul>
 *
 * <p>Dependencies go one way: {@code cli} → this package → {@code api} → {@code auth} → {@code http}; {@code api} →
 * {@code webhook}, {@code metrics}; {@code webhook} → {@code http}; {@code cluster} → {@code auth}; {@code feed}
 * depends on none of them.
 */
@NullMarked
package dev.tollgate.server;

import org.jspecify.annotations.NullMarked;
