package dev.tollgate.client.it;

import dev.tollgate.client.ConsumeRequest;
import dev.tollgate.client.Decision;
import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * {@code threads} threads that consume one unit at a time through one client, each until its first refusal, and count
 * what was admitted, by source. What a lease test's application does.
 */
final class ConsumeUntilRefused {
    /** What the threads were told: units admitted by source, and the reasons of the refusals that stopped them. */
    record Tally(Map<Source, Long> admitted, List<String> refusals) {
        long total() {
            return admitted.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private ConsumeUntilRefused() {}

    static Tally run(Tollgate tollgate, String customerId, @Nullable String scope, String keyPrefix, int threads)
            throws InterruptedException {
        Map<Source, AtomicLong> counts = new EnumMap<>(Source.class);
        for (Source s : Source.values()) {
            counts.put(s, new AtomicLong());
        }
        List<String> refusals = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String prefix = keyPrefix + "-t" + t + "-";
            Thread w = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; ; i++) {
                        ConsumeRequest r = ConsumeRequest.of(customerId, "queries", 1, prefix + i);
                        Decision d = tollgate.consume(scope == null ? r : r.withScope(scope));
                        if (!d.allowed()) {
                            synchronized (refusals) {
                                refusals.add(d.source() + ":" + d.reason());
                            }
                            return;
                        }
                        counts.get(d.source()).incrementAndGet();
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
        return new Tally(admitted, refusals);
    }
}
