package dev.tollgate.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that tests move by hand: {@code clock.advance(Duration.ofDays(30))}.
 *
 * <p>Thread-safe.
 */
public final class MutableClock implements InstantSource {
    private final AtomicReference<Instant> now;

    private MutableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** A clock standing at {@code start}. */
    public static MutableClock at(Instant start) {
        return new MutableClock(start);
    }

    @Override
    public Instant instant() {
        return Objects.requireNonNull(now.get());
    }

    /** Moves the clock forward (or backward, for a negative duration). */
    public void advance(Duration by) {
        now.updateAndGet(t -> t.plus(by));
    }

    /** Sets the clock to {@code t}. */
    public void set(Instant t) {
        now.set(t);
    }
}
