package dev.tollgate.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The idempotency keys of consumes admitted locally, with their answers, so that a repeated key answers the first
 * answer as the server would. Bounded: the oldest keys are forgotten first. A key being decided is claimed, so that a
 * concurrent repeat waits for the first decision instead of admitting twice.
 *
 * <p>Thread-safe.
 */
final class RecentKeys {
    private final ConcurrentHashMap<String, CompletableFuture<@Nullable Decision>> answers = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int max;

    RecentKeys(int max) {
        this.max = max;
    }

    /**
     * Claims {@code key} with {@code mine}: returns {@code null} when the caller holds it now (and must {@link
     * #complete} it), else the earlier claim's answer ({@code null} inside when that one was not decided locally).
     */
    @Nullable
    CompletableFuture<@Nullable Decision> claim(String key, CompletableFuture<@Nullable Decision> mine) {
        return answers.putIfAbsent(key, mine);
    }

    /** Settles the caller's claim: a local answer is remembered, none releases the key. */
    void complete(String key, CompletableFuture<@Nullable Decision> mine, @Nullable Decision answer) {
        mine.complete(answer);
        if (answer == null) {
            answers.remove(key, mine);
            return;
        }
        order.add(key);
        if (size.incrementAndGet() > max) {
            String oldest = order.poll();
            if (oldest != null) {
                answers.remove(oldest);
                size.decrementAndGet();
            }
        }
    }
}
