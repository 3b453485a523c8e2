/** The HTTP server: API contract, authentication, configuration, metrics and the command-line entry point. */
@NullMarked
package dev.tollgate.server;

import org.jspecify.annotations.NullMarked;
