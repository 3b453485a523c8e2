/**
 * The group commit: one writer thread that drains the records the engine applied and commits them to the store in
 * batches, one transaction and one fsync for many commands ({@code GroupCommitJournal}). Between the engine, which
 * enqueues, and the store, which persists.
 */
@NullMarked
package dev.tollgate.core.commit;

import org.jspecify.annotations.NullMarked;
