/** Reset periods and the half-open windows they cut time into, anchored or calendar-aligned. */
@NullMarked
package dev.tollgate.core.period;

import org.jspecify.annotations.NullMarked;
