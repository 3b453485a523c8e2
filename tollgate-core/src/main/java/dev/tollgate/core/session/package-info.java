/** Sessions: reservations held on a balance, a feature limit and every budget of a scope path. */
@NullMarked
package dev.tollgate.core.session;

import org.jspecify.annotations.NullMarked;
