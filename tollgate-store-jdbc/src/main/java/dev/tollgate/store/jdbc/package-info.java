/** What the SQL stores share: the journal's reads and the failure classification, with a dialect for what differs. */
@NullMarked
package dev.tollgate.store.jdbc;

import org.jspecify.annotations.NullMarked;
