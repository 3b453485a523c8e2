/** Plain reference models that tests compare the real engine against. */
@NullMarked
package dev.tollgate.testkit.reference;

import org.jspecify.annotations.NullMarked;
