/** A customer's own state: subscription (pinned plan version, add-ons, trial), promotions. */
@NullMarked
package dev.tollgate.core.customer;

import org.jspecify.annotations.NullMarked;
