/** Billing providers: the Stripe exporter, fed by the store's export outbox ({@code docs/finance.md}). */
@NullMarked
package dev.tollgate.server.billing;

import org.jspecify.annotations.NullMarked;
