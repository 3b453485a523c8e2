/** The journal: the records every state change produces, their encoding, and the group commit that makes them durable. */
@NullMarked
package dev.tollgate.core.journal;

import org.jspecify.annotations.NullMarked;
