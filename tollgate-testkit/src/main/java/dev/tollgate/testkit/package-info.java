/** Test support shared by every module: a mutable clock, an in-memory store, the store contract suite. */
@NullMarked
package dev.tollgate.testkit;

import org.jspecify.annotations.NullMarked;
