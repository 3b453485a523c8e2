/**
 * Billing: the invoice-ready lines of a calendar month ({@link dev.tollgate.core.billing.BillingPeriod}, {@link
 * dev.tollgate.core.billing.PeriodLines}), computed purely from a customer's records ({@link
 * dev.tollgate.core.billing.PeriodExport}), and what an exporter sends a billing provider for them, kept in the
 * store's outbox ({@link dev.tollgate.core.billing.ExportItem}). See {@code docs/finance.md}.
 */
@NullMarked
package dev.tollgate.core.billing;

import org.jspecify.annotations.NullMarked;
