/**
 * The contract suites every store runs: extend {@link dev.tollgate.testkit.contract.StoreContract} and {@link
 * dev.tollgate.testkit.contract.EngineContract} in the store's own tests and say how to open the store.
 */
@NullMarked
package dev.tollgate.testkit.contract;

import org.jspecify.annotations.NullMarked;
