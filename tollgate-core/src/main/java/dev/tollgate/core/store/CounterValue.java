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

    /**
     * A counter's identity.
     *
     * @param customerId the customer
     * @param feature the metered feature
     * @param windowStart the start of the counter's window
     */
    public record Key(String customerId, String feature, Instant windowStart) {}

    /** The counter's identity: customer, feature and window (a record, not a text: no instant is formatted). */
    public Key key() {
        return new Key(customerId, feature, windowStart);
    }
}
