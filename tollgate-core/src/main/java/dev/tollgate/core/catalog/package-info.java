/** The catalog as data: currencies, features, plans, add-ons and rate cards, validated as a whole and versioned. */
@NullMarked
package dev.tollgate.core.catalog;

import org.jspecify.annotations.NullMarked;
