package dev.tollgate.client.it;

import dev.tollgate.client.ConsumeRequest;
import dev.tollgate.client.Decision;
import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * {@code threads} threads that consume one unit of a feature at a time through one client, each until its first
 * refusal, and count what was admitted, by source, and the credits the answers said it cost. What a lease test's
 * application does.
 */
final class ConsumeUntilRefused {
    /**
     * What the threads were told: units admitted by source, the credits of the admitted answers, and the refusals that
     * stopped them ({@code SOURCE:REASON}).
     */
    record Tally(Map<Source, Long> admitted, BigDecimal credits, List<String> refusals) {
        long total() {
            return admitted.values().stream().mapToLong(Long::longValue).sum();
        }

        /** The refusals counted by kind, e.g. {@code {SERVER:LIMIT_EXCEEDED=32}}. */
        Map<String, Integer> refusalCounts() {
            Map<String, Integer> counts = new TreeMap<>();
            refusals.forEach(r -> counts.merge(r, 1, Integer::sum));
            return counts;
        }
    }

    private ConsumeUntilRefused() {}

    static Tally run(
            Tollgate tollgate, String customerId, String feature, @Nullable String scope, String keyPrefix, int threads)
            throws InterruptedException {
        Map<Source, AtomicLong> counts = new EnumMap<>(Source.class);
        for (Source s : Source.values()) {
            counts.put(s, new AtomicLong());
        }
        List<String> refusals = new ArrayList<>();
        BigDecimal[] credits = new BigDecimal[threads];
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String prefix = keyPrefix + "-t" + t + "-";
            int slot = t;
            credits[slot] = BigDecimal.ZERO;
            Thread w = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; ; i++) {
                        ConsumeRequest r = ConsumeRequest.of(customerId, feature, 1, prefix + i);
                        Decision d = tollgate.consume(scope == null ? r : r.withScope(scope));
                        if (!d.allowed()) {
                            synchronized (refusals) {
                                refusals.add(d.source() + ":" + d.reason());
                            }
                            return;
                        }
                        counts.get(d.source()).incrementAndGet();
                        if (d.credits() != null) {
                            credits[slot] = credits[slot].add(d.credits());
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            w.start();
            workers.add(w);
        }
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        Map<Source, Long> admitted = new EnumMap<>(Source.class);
        counts.forEach((s, n) -> admitted.put(s, n.get()));
        BigDecimal sum = BigDecimal.ZERO;
        for (BigDecimal c : credits) {
            sum = sum.add(c);
        }
        return new Tally(admitted, sum, refusals);
    }
}
