/**
 * The contract suites every store runs, each a {@link dev.tollgate.testkit.contract.StoreSuite} parameterised over
 * {@link dev.tollgate.testkit.contract.StoreSpec}s: a store's test class extends a suite and lists its specs in a
 * static {@code stores()} method.
 */
@NullMarked
package dev.tollgate.testkit.contract;

import org.jspecify.annotations.NullMarked;
