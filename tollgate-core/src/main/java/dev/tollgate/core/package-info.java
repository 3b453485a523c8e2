/** Tollgate's pure domain: values shared by every other package of the core. */
@NullMarked
package dev.tollgate.core;

import org.jspecify.annotations.NullMarked;
