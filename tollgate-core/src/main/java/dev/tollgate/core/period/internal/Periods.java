package dev.tollgate.core.period.internal;

import dev.tollgate.core.period.ResetPeriod;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;

/**
 * Cuts time into reset windows.
 *
 * <p>Anchored windows: the {@code k}-th window starts at {@code anchor + k periods}, computed from the anchor each
 * time (never by chaining), so a subscription that began on Jan 31 resets on Feb 28 (or 29), Mar 31, Apr 30: the
 * day-of-month is clamped to the month's length, and the anchor's day comes back as soon as the month has it. Days,
 * weeks, months and years are calendar units in the customer's zone (a day across a DST change is 23 or 25 hours);
 * hours are exact durations.
 *
 * <p>Calendar windows align to the zone's calendar: the hour, midnight, Monday, the first of the month, January 1.
 *
 * <p>Thread-safe: stateless and pure.
 */
public final class Periods {
    private Periods() {}

    /**
     * The window of {@code period} that contains {@code t}.
     *
     * @param period the reset period
     * @param calendar {@code true} for calendar-aligned windows, {@code false} for windows anchored at {@code anchor}
     * @param anchor the instant the anchored windows count from (the subscription start); ignored when calendar
     * @param zone the customer's zone (UTC by default)
     * @param t any instant, before or after the anchor
     * @return the half-open window containing {@code t}
     */
    public static Window window(ResetPeriod period, boolean calendar, Instant anchor, ZoneId zone, Instant t) {
        if (period == ResetPeriod.NEVER) {
            return Window.FOREVER;
        }
        ZonedDateTime base = calendar ? calendarStart(period, t.atZone(zone)) : anchor.atZone(zone);
        long k = estimate(period, base, t.atZone(zone));
        while (!start(period, base, k).toInstant().isAfter(t)) {
            k++;
        }
        while (start(period, base, k - 1).toInstant().isAfter(t)) {
            k--;
        }
        return new Window(
                start(period, base, k - 1).toInstant(), start(period, base, k).toInstant());
    }

    private static long estimate(ResetPeriod period, ZonedDateTime base, ZonedDateTime t) {
        return unit(period).between(base, t);
    }

    private static ChronoUnit unit(ResetPeriod period) {
        return switch (period) {
            case HOUR -> ChronoUnit.HOURS;
            case DAY -> ChronoUnit.DAYS;
            case WEEK -> ChronoUnit.WEEKS;
            case MONTH -> ChronoUnit.MONTHS;
            case YEAR -> ChronoUnit.YEARS;
            case NEVER -> throw new IllegalArgumentException("never has no unit");
        };
    }

    private static ZonedDateTime start(ResetPeriod period, ZonedDateTime base, long k) {
        return switch (period) {
            case HOUR -> base.plusHours(k);
            case DAY -> base.plusDays(k);
            case WEEK -> base.plusWeeks(k);
            case MONTH -> base.plusMonths(k);
            case YEAR -> base.plusYears(k);
            case NEVER -> throw new IllegalArgumentException("never has no windows");
        };
    }

    private static ZonedDateTime calendarStart(ResetPeriod period, ZonedDateTime t) {
        ZonedDateTime day = t.truncatedTo(ChronoUnit.DAYS);
        return switch (period) {
            case HOUR -> t.truncatedTo(ChronoUnit.HOURS);
            case DAY -> day;
            case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> day.withDayOfMonth(1);
            case YEAR -> day.withDayOfYear(1);
            case NEVER -> throw new IllegalArgumentException("never has no windows");
        };
    }
}
