/**
 * Who may call what: credentials and their checks ({@code docs/security.md}).
 *
 * <ul>
 *   <li>{@code Gate}: the service in front of the API: it authenticates each request from its head ({@code
 *       Keyring}), answers CORS ({@code Cors}) and refuses a restricted caller a route it may not call ({@code
 *       Restrictions}) before anything else sees the request;
 *   <li>{@code Keyring}: every credential in force, in memory (the root key, stored secret and publishable keys,
 *       portal sessions), reloaded from the store when one changes; {@code Caller}: who a credential names;
 *   <li>{@code Secrets}: how keys and tokens are made, digested, compared and sealed; {@code CustomerTokens}: the
 *       customer token of a publishable key.
 * </ul>
 */
@NullMarked
package dev.tollgate.server.auth;

import org.jspecify.annotations.NullMarked;
