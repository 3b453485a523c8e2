package dev.tollgate.core.store;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Derived state kept beside the records: one usage counter's value after a batch, written in the same transaction as
 * the records that produced it. The core computes the value; a store only upserts it. A reset counter is written
 * with zeros.
 *
 * @param customerId the customer
 * @param feature the metered feature
 * @param windowStart the start of the counter's window
 * @param used usage recorded in the window, exact
 * @param overage the part of {@code used} past a soft limit, exact
 */
public record CounterValue(
        String customerId, String feature, Instant windowStart, BigDecimal used, BigDecimal overage) {

    /** The counter's identity: customer, feature and window. */
    public String key() {
        return customerId + '\u0000' + feature + '\u0000' + windowStart;
    }
}
