package dev.tollgate.core.period.internal;

import dev.tollgate.core.period.ResetPeriod;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A half-open period {@code [start, end)}. A window of {@link ResetPeriod#NEVER} starts at the epoch and has no end.
 *
 * @param start the first instant inside the window
 * @param end the first instant after the window, or {@code null} if the window never ends
 */
public record Window(Instant start, @Nullable Instant end) {
    /** The one window of a counter that never resets. */
    public static final Window FOREVER = new Window(Instant.EPOCH, null);

    public Window {
        if (end != null && !end.isAfter(start)) {
            throw new IllegalArgumentException("window end " + end + " must be after start " + start);
        }
    }

    /** Tells whether {@code t} lies in {@code [start, end)}. */
    public boolean contains(Instant t) {
        return !t.isBefore(start) && (end == null || t.isBefore(end));
    }
}
