package dev.tollgate.core.billing;

import dev.tollgate.core.TollgateException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * A billing period: one calendar month in UTC, {@code [from, to)}, named {@code yyyy-mm}.
 *
 * <p>Which records belong to it: those the engine applied ({@code at}) within it, whatever their event time says. A
 * late event (its timestamp in October, reported in November) is billed in November, under the October window it
 * counted in; so each unit of usage, each credit movement and each recharge is billed in exactly one period, and a
 * period's lines never change once it is closed.
 *
 * <p>Closed: {@link #CLOSE_GRACE} after its end. A write applied just before the end may still be committing at the
 * end (a group commit, a retried commit); the grace covers that, and servers of a cluster whose clocks differ by less
 * than it. From then on the period's records are final and its export is the same bytes every time.
 *
 * @param month the calendar month
 */
public record BillingPeriod(YearMonth month) {
    /** How long after its end a period is closed. */
    public static final Duration CLOSE_GRACE = Duration.ofMinutes(10);

    private static final Pattern FORMAT = Pattern.compile("[0-9]{4}-[0-9]{2}");

    /**
     * Reads {@code yyyy-mm}.
     *
     * @throws TollgateException {@code INVALID_BILLING_PERIOD} ({@code field: period}) for anything else
     */
    public static BillingPeriod parse(String text) {
        if (FORMAT.matcher(text).matches()) {
            try {
                YearMonth m = YearMonth.parse(text);
                if (m.getYear() >= 1970) {
                    return new BillingPeriod(m);
                }
            } catch (DateTimeParseException e) {
                // a month outside 01-12: refused below
            }
        }
        throw TollgateException.invalid(
                "INVALID_BILLING_PERIOD",
                "a billing period is a month written yyyy-mm (1970-01 on), not '" + text + "'",
                "period");
    }

    /** The period containing {@code t}. */
    public static BillingPeriod containing(Instant t) {
        return new BillingPeriod(YearMonth.from(t.atOffset(ZoneOffset.UTC)));
    }

    /** Its first instant: the first day of the month, 00:00 UTC. */
    public Instant from() {
        return month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** Its end, exclusive: the first instant of the next month. */
    public Instant to() {
        return month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** When it is closed: its end plus {@link #CLOSE_GRACE}. */
    public Instant closesAt() {
        return to().plus(CLOSE_GRACE);
    }

    /** Whether it is closed at {@code now}. */
    public boolean closedAt(Instant now) {
        return !now.isBefore(closesAt());
    }

    /** The month after. */
    public BillingPeriod next() {
        return new BillingPeriod(month.plusMonths(1));
    }

    /** {@code yyyy-mm}. */
    @Override
    public String toString() {
        return month.toString();
    }
}
