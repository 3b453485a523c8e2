package dev.tollgate.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How the SDK sizes and keeps the leases it admits consumes against (see {@code docs/sdk.md}, "Leases"). Immutable.
 *
 * @param enabled whether consumes use leases at all; without, every consume goes to the server
 * @param initialUnits the size of a customer's first lease on a feature, before any rate is known; at least 1
 * @param maxUnits the largest lease; at least {@code initialUnits}
 * @param horizon how much consumption (at the recent rate) one lease is sized for
 * @param ttl the lease's deadline on the server (the session's {@code ttlSeconds}); whole seconds, at least 2 s
 * @param maxAge how long a lease admits before it is closed and replaced; at most half of {@code ttl}, so that its
 *     consumption reaches the server well before the server releases the hold
 * @param idle a lease nothing was admitted against for this long is closed, its rest returned
 * @param cooldown after the server refused a lease, consumes of that customer and feature go to the server for this
 *     long before a lease is tried again
 */
public record LeaseSettings(
        boolean enabled,
        long initialUnits,
        long maxUnits,
        Duration horizon,
        Duration ttl,
        Duration maxAge,
        Duration idle,
        Duration cooldown) {

    /** @throws IllegalArgumentException naming the first invalid setting */
    public LeaseSettings {
        if (initialUnits < 1 || maxUnits < initialUnits) {
            throw new IllegalArgumentException("need 1 <= initialUnits <= maxUnits: " + initialUnits + ", " + maxUnits);
        }
        positive(horizon, "horizon");
        positive(idle, "idle");
        positive(cooldown, "cooldown");
        if (Objects.requireNonNull(ttl, "ttl").toSeconds() < 2) {
            throw new IllegalArgumentException("ttl must be at least 2 s: " + ttl);
        }
        positive(maxAge, "maxAge");
        if (maxAge.multipliedBy(2).compareTo(ttl) > 0) {
            throw new IllegalArgumentException("maxAge must be at most half of ttl: " + maxAge + " > " + ttl);
        }
    }

    private static void positive(Duration d, String name) {
        if (Objects.requireNonNull(d, name).isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    /**
     * The defaults: first lease 10 units, at most 10 000, sized for 1 s of consumption, server deadline 60 s, replaced
     * after 15 s, returned after 2 s idle, 250 ms of remote consumes after a refusal.
     */
    public static LeaseSettings defaults() {
        return new LeaseSettings(
                true,
                10,
                10_000,
                Duration.ofSeconds(1),
                Duration.ofSeconds(60),
                Duration.ofSeconds(15),
                Duration.ofSeconds(2),
                Duration.ofMillis(250));
    }

    /** No leases: every consume is decided by the server. */
    public static LeaseSettings disabled() {
        LeaseSettings d = defaults();
        return new LeaseSettings(false, d.initialUnits, d.maxUnits, d.horizon, d.ttl, d.maxAge, d.idle, d.cooldown);
    }

    /** These settings with {@code units} as the first lease's size (and the largest, if it was smaller). */
    public LeaseSettings withInitialUnits(long units) {
        return new LeaseSettings(enabled, units, Math.max(units, maxUnits), horizon, ttl, maxAge, idle, cooldown);
    }

    /** These settings with {@code units} as the largest lease (and the first, if it was larger). */
    public LeaseSettings withMaxUnits(long units) {
        return new LeaseSettings(enabled, Math.min(initialUnits, units), units, horizon, ttl, maxAge, idle, cooldown);
    }

    /** These settings with {@code value} as the idle time after which a lease is returned. */
    public LeaseSettings withIdle(Duration value) {
        return new LeaseSettings(enabled, initialUnits, maxUnits, horizon, ttl, maxAge, value, cooldown);
    }
}
