package dev.tollgate.core.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.period.internal.Periods;
import dev.tollgate.core.period.internal.Window;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The per-customer window cache answers exactly what {@link Periods#window} computes, whatever was asked before. */
final class CustomerStateWindowTest {
    private static final Instant T = Instant.parse("2026-03-15T23:30:00Z");

    @Test
    void anchored_windows_follow_the_anchor_asked_for() {
        CustomerState state = new CustomerState("c");
        Instant a = Instant.parse("2026-01-03T00:00:00Z");
        Instant b = Instant.parse("2026-01-20T00:00:00Z");

        assertThat(state.window(ResetPeriod.MONTH, false, a, T))
                .isEqualTo(Periods.window(ResetPeriod.MONTH, false, a, ZoneOffset.UTC, T));
        assertThat(state.window(ResetPeriod.MONTH, false, b, T))
                .as("another anchor in the same slot is recomputed, not served from the cache")
                .isEqualTo(Periods.window(ResetPeriod.MONTH, false, b, ZoneOffset.UTC, T));
        assertThat(state.window(ResetPeriod.MONTH, true, a, T))
                .isEqualTo(Periods.window(ResetPeriod.MONTH, true, a, ZoneOffset.UTC, T));
    }

    @Test
    void a_new_zone_or_a_time_past_the_window_recomputes() {
        CustomerState state = new CustomerState("c");
        assertThat(state.window(ResetPeriod.DAY, true, Instant.EPOCH, T).start())
                .isEqualTo(Instant.parse("2026-03-15T00:00:00Z"));

        state.zone = ZoneId.of("Europe/Paris");
        assertThat(state.window(ResetPeriod.DAY, true, Instant.EPOCH, T).start())
                .as("23:30 UTC is the next day in Paris")
                .isEqualTo(Instant.parse("2026-03-15T23:00:00Z"));

        Instant later = Instant.parse("2026-03-17T12:00:00Z");
        assertThat(state.window(ResetPeriod.DAY, true, Instant.EPOCH, later))
                .isEqualTo(Periods.window(ResetPeriod.DAY, true, Instant.EPOCH, ZoneId.of("Europe/Paris"), later));
        assertThat(state.window(ResetPeriod.NEVER, true, Instant.EPOCH, later).end())
                .isEqualTo(Window.FOREVER.end());
    }
}
