/** The storage SPI that every backend implements; it stores records and answers queries, it holds no algorithms. */
@NullMarked
package dev.tollgate.core.store;

import org.jspecify.annotations.NullMarked;
