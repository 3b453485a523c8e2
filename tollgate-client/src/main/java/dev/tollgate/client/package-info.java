/**
 * The Java SDK of Tollgate: {@link dev.tollgate.client.Tollgate} answers checks and consumes from the server, from a
 * local cache, from leases held on the server, or from configured fallback values, and every answer says which
 * ({@link dev.tollgate.client.Source}). See {@code docs/sdk.md}.
 */
@NullMarked
package dev.tollgate.client;

import org.jspecify.annotations.NullMarked;
