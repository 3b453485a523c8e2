/** The embedded default store: the journal in one SQLite file, WAL mode, {@code synchronous=FULL}. */
@NullMarked
package dev.tollgate.store.sqlite;

import org.jspecify.annotations.NullMarked;
