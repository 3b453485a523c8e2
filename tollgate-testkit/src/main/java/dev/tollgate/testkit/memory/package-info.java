/** An in-memory {@link dev.tollgate.core.store.Store}: the third store the contract suites run on. */
@NullMarked
package dev.tollgate.testkit.memory;

import org.jspecify.annotations.NullMarked;
