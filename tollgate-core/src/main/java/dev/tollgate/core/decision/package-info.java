/**
 * What a check or consumption decided ({@code Decision}), what bound it ({@code BoundBy}) and what it charged
 * ({@code CreditCharge}): the answers the engine gives, the journal keeps and the stores index. A package of its own so
 * that the journal and the stores can carry them without depending on the engine.
 */
@NullMarked
package dev.tollgate.core.decision;

import org.jspecify.annotations.NullMarked;
