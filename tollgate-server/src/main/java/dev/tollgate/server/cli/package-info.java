/**
 * The command line: {@code Main} (the jar's entry point: {@code serve}, {@code verify}), {@code Commands} (picocli),
 * {@code Setting} (every setting, its flag, environment variable, config-file key and default) and {@code ConfigFile}
 * (the YAML file of settings). They resolve into a {@link dev.tollgate.server.ServerConfig}.
 */
@NullMarked
package dev.tollgate.server.cli;

import org.jspecify.annotations.NullMarked;
