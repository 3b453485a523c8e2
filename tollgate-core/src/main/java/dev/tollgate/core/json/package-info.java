/** A small, strict JSON codec for journal payloads and catalog documents; the core's only text format. */
@NullMarked
package dev.tollgate.core.json;

import org.jspecify.annotations.NullMarked;
