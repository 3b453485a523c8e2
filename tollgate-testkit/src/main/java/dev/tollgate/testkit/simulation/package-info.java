/** Seeded random simulations of the real engine against reference models. */
@NullMarked
package dev.tollgate.testkit.simulation;

import org.jspecify.annotations.NullMarked;
