package dev.tollgate.core.period.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.period.ResetPeriod;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

final class PeriodsTest {
    private static final ZoneId UTC = ZoneOffset.UTC;

    private static Window monthly(String anchor, String t) {
        return Periods.window(ResetPeriod.MONTH, false, Instant.parse(anchor), UTC, Instant.parse(t));
    }

    @Test
    void jan_6_anchor_has_the_window_mar_6_to_apr_6() {
        Window w = monthly("2026-01-06T00:00:00Z", "2026-03-20T08:00:00Z");
        assertThat(w.start()).isEqualTo(Instant.parse("2026-03-06T00:00:00Z"));
        assertThat(w.end()).isEqualTo(Instant.parse("2026-04-06T00:00:00Z"));
    }

    @Test
    void jan_31_anchor_resets_on_the_last_day_of_shorter_months_and_returns_to_the_31st() {
        String anchor = "2026-01-31T12:00:00Z";
        assertThat(monthly(anchor, "2026-02-15T00:00:00Z").end()).isEqualTo(Instant.parse("2026-02-28T12:00:00Z"));
        assertThat(monthly(anchor, "2026-03-01T00:00:00Z").start()).isEqualTo(Instant.parse("2026-02-28T12:00:00Z"));
        assertThat(monthly(anchor, "2026-03-01T00:00:00Z").end()).isEqualTo(Instant.parse("2026-03-31T12:00:00Z"));
        assertThat(monthly(anchor, "2026-04-10T00:00:00Z").end()).isEqualTo(Instant.parse("2026-04-30T12:00:00Z"));
    }

    @Test
    void leap_year_february_ends_on_the_29th() {
        Window w = monthly("2028-01-31T00:00:00Z", "2028-02-10T00:00:00Z");
        assertThat(w.end()).isEqualTo(Instant.parse("2028-02-29T00:00:00Z"));
    }

    @Test
    void feb_29_yearly_anchor_falls_on_feb_28_in_common_years() {
        Window w = Periods.window(
                ResetPeriod.YEAR,
                false,
                Instant.parse("2028-02-29T00:00:00Z"),
                UTC,
                Instant.parse("2029-06-01T00:00:00Z"));
        assertThat(w.start()).isEqualTo(Instant.parse("2029-02-28T00:00:00Z"));
        assertThat(w.end()).isEqualTo(Instant.parse("2030-02-28T00:00:00Z"));
    }

    @Test
    void windows_are_half_open_so_the_boundary_instant_starts_the_new_window() {
        Instant boundary = Instant.parse("2026-02-06T00:00:00Z");
        Window at = monthly("2026-01-06T00:00:00Z", "2026-02-06T00:00:00Z");
        Window before = Periods.window(
                ResetPeriod.MONTH, false, Instant.parse("2026-01-06T00:00:00Z"), UTC, boundary.minusNanos(1));
        assertThat(at.start()).isEqualTo(boundary);
        assertThat(before.end()).isEqualTo(boundary);
        assertThat(before.contains(boundary)).isFalse();
        assertThat(at.contains(boundary)).isTrue();
    }

    @Test
    void instants_before_the_anchor_fall_in_earlier_windows() {
        Window w = monthly("2026-05-10T00:00:00Z", "2026-03-15T00:00:00Z");
        assertThat(w.start()).isEqualTo(Instant.parse("2026-03-10T00:00:00Z"));
        assertThat(w.end()).isEqualTo(Instant.parse("2026-04-10T00:00:00Z"));
    }

    @Test
    void hour_day_and_week_windows_count_from_the_anchor() {
        Instant anchor = Instant.parse("2026-01-01T10:30:00Z");
        Instant t = Instant.parse("2026-01-10T08:00:00Z");
        assertThat(Periods.window(ResetPeriod.HOUR, false, anchor, UTC, t).start())
                .isEqualTo(Instant.parse("2026-01-10T07:30:00Z"));
        assertThat(Periods.window(ResetPeriod.DAY, false, anchor, UTC, t).start())
                .isEqualTo(Instant.parse("2026-01-09T10:30:00Z"));
        assertThat(Periods.window(ResetPeriod.WEEK, false, anchor, UTC, t).start())
                .isEqualTo(Instant.parse("2026-01-08T10:30:00Z"));
    }

    @Test
    void calendar_windows_align_to_month_start_monday_and_new_year() {
        Instant t = Instant.parse("2026-11-22T15:00:00Z");
        Instant ignoredAnchor = Instant.parse("2020-03-17T05:00:00Z");
        assertThat(Periods.window(ResetPeriod.MONTH, true, ignoredAnchor, UTC, t))
                .isEqualTo(new Window(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z")));
        assertThat(Periods.window(ResetPeriod.WEEK, true, ignoredAnchor, UTC, t))
                .isEqualTo(new Window(Instant.parse("2026-11-16T00:00:00Z"), Instant.parse("2026-11-23T00:00:00Z")));
        assertThat(Periods.window(ResetPeriod.YEAR, true, ignoredAnchor, UTC, t))
                .isEqualTo(new Window(Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z")));
        assertThat(Periods.window(ResetPeriod.HOUR, true, ignoredAnchor, UTC, t))
                .isEqualTo(new Window(Instant.parse("2026-11-22T15:00:00Z"), Instant.parse("2026-11-22T16:00:00Z")));
    }

    @Test
    void a_calendar_day_in_a_zone_spans_23_hours_on_the_spring_dst_change() {
        ZoneId ny = ZoneId.of("America/New_York");
        Window w = Periods.window(ResetPeriod.DAY, true, Instant.EPOCH, ny, Instant.parse("2026-03-08T12:00:00Z"));
        assertThat(w.start()).isEqualTo(Instant.parse("2026-03-08T05:00:00Z"));
        assertThat(Duration.between(w.start(), w.end())).isEqualTo(Duration.ofHours(23));
    }

    @Test
    void never_is_one_window_without_end() {
        assertThat(Periods.window(ResetPeriod.NEVER, false, Instant.EPOCH, UTC, Instant.parse("2099-01-01T00:00:00Z")))
                .isEqualTo(Window.FOREVER);
    }
}
