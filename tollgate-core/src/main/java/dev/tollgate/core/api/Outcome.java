package dev.tollgate.core.api;

/**
 * The answer to a write, and whether it is the replay of an earlier write with the same idempotency key.
 *
 * @param value the answer
 * @param replayed {@code true} if the key had been seen and nothing changed
 * @param <T> the answer type
 */
public record Outcome<T>(T value, boolean replayed) {}
