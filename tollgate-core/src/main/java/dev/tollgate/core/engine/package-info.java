/** The engine: per-customer state, checks, consumption and the commands that change state. */
@NullMarked
package dev.tollgate.core.engine;

import org.jspecify.annotations.NullMarked;
