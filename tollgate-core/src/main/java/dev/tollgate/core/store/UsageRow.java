package dev.tollgate.core.store;

import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.journal.JournalEntry;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One accepted usage as attribution reads it: kept by the store, indexed by customer and time, written in the same
 * transaction as the record it comes from.
 *
 * @param customerId the customer
 * @param occurredAt when the usage happened
 * @param feature the metered feature, or {@code null} for the settlement of a currency session (credits only)
 * @param quantity units of the feature used (0 for a currency session's settlement: credits alone, no feature units)
 * @param currency the currency it was priced in, or {@code null}
 * @param credits what it cost, or {@code null} if not priced
 * @param scope the scope it was recorded at, or {@code null}
 * @param dimensions its dimensions
 * @param overage the part of {@code quantity} beyond the feature's limit (past a soft limit, or reported past a hard
 *     one); zero when none
 * @param windowStart the start of the feature's window (period) it counted in
 * @param limit the feature's limit when it was recorded, or {@code null} if unlimited
 * @param windowEnd the end of that window, or {@code null} if it never ends
 */
public record UsageRow(
        String customerId,
        Instant occurredAt,
        @Nullable String feature,
        BigDecimal quantity,
        @Nullable String currency,
        @Nullable BigDecimal credits,
        @Nullable String scope,
        Map<String, String> dimensions,
        BigDecimal overage,
        Instant windowStart,
        @Nullable BigDecimal limit,
        @Nullable Instant windowEnd) {

    public UsageRow {
        dimensions = Map.copyOf(dimensions);
    }

    /** The row a usage record produces. */
    public static UsageRow of(JournalEntry.UsageRecorded e) {
        CreditCharge c = e.answer().credit();
        return new UsageRow(
                e.customerId(),
                e.occurredAt(),
                e.feature(),
                e.quantity(),
                c == null ? null : c.currency(),
                c == null ? null : c.credits(),
                e.scope(),
                e.dimensions(),
                e.overage(),
                e.windowStart(),
                e.answer().limit(),
                e.answer().resetsAt());
    }

    /**
     * The row a currency session's settlement produces: credits at the session's scope, without a feature or units of
     * one (a quantity in credits would add to the features' units in every total), no overage and no feature window
     * (its window is the instant it was settled).
     */
    public static UsageRow of(JournalEntry.SessionSettled e) {
        return new UsageRow(
                e.customerId(),
                e.at(),
                null,
                BigDecimal.ZERO,
                e.currency(),
                e.credits(),
                e.scope(),
                Map.of(),
                BigDecimal.ZERO,
                e.at(),
                null,
                null);
    }

    /**
     * The row a record adds to attribution: usage records and sessions' settlements add one, nothing else does.
     * Stores index exactly these records.
     *
     * @return the row, or {@code null}
     */
    public static @Nullable UsageRow from(JournalEntry e) {
        if (e instanceof JournalEntry.UsageRecorded u) {
            return of(u);
        }
        return e instanceof JournalEntry.SessionSettled s ? of(s) : null;
    }

    /** {@code occurredAt} as nanoseconds since the epoch: a sortable, exact column. */
    public long occurredNanos() {
        return nanos(occurredAt);
    }

    /**
     * An instant as nanoseconds since the epoch, the unit of {@link #occurredNanos()}. A long holds 1677-09-21 to
     * 2262-04-11; an instant outside saturates to {@link Long#MIN_VALUE} or {@link Long#MAX_VALUE}, so that a range
     * such as the API's default, up to 9999-12-31, still covers every row (it overflowed to a negative count, and a
     * usage query without {@code to} found nothing).
     */
    public static long nanos(Instant at) {
        try {
            return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
        } catch (ArithmeticException e) {
            return at.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** The instant of a nanosecond column value. */
    public static Instant ofNanos(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
