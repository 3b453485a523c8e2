/** The production store: the journal and its derived counters in PostgreSQL. */
@NullMarked
package dev.tollgate.store.postgres;

import org.jspecify.annotations.NullMarked;
