package dev.tollgate.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * A closed loop of in-process calls: {@code threads} threads each call an operation as fast as it returns, for a
 * warm-up and then a measured window; the rate counts the calls that returned within the window. For what has no HTTP
 * of its own to drive: the SDK's consume, Bucket4j's {@code tryConsume}.
 *
 * <p>Not thread-safe; each run is one call.
 */
final class ThreadLoad {
    /** One call: answers whether it was admitted; {@code seq} is unique per thread (for idempotency keys). */
    @FunctionalInterface
    interface Op {
        boolean call(int thread, long seq) throws Exception;
    }

    /**
     * What a run measured.
     *
     * @param calls calls that returned within the measured window
     * @param seconds the window
     * @param admitted calls admitted over the whole run, warm-up included (for correctness gates)
     * @param refused calls refused over the whole run
     */
    record Run(long calls, double seconds, long admitted, long refused) {
        double rate() {
            return calls / seconds;
        }
    }

    private ThreadLoad() {}

    /**
     * Runs {@code op} on {@code threads} threads for {@code warmupSeconds} then {@code seconds}.
     *
     * @throws IllegalStateException if a call threw (the first failure)
     */
    static Run run(int threads, double warmupSeconds, double seconds, Op op) throws InterruptedException {
        LongAdder calls = new LongAdder();
        AtomicLong admitted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        Stopper stopper = new Stopper();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread w = new Thread(
                    () -> {
                        long ok = 0;
                        long no = 0;
                        try {
                            start.await();
                            for (long seq = 0; !stopper.stopped; seq++) {
                                if (op.call(thread, seq)) {
                                    ok++;
                                } else {
                                    no++;
                                }
                                calls.increment();
                            }
                        } catch (Exception | Error e) {
                            failure.compareAndSet(null, e);
                        } finally {
                            admitted.addAndGet(ok);
                            refused.addAndGet(no);
                        }
                    },
                    "thread-load-" + t);
            w.start();
            workers.add(w);
        }
        start.countDown();
        Thread.sleep((long) (warmupSeconds * 1000));
        long from = calls.sum();
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long to = calls.sum();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        stopper.stopped = true;
        for (Thread w : workers) {
            w.join();
        }
        Throwable f = failure.get();
        if (f != null) {
            throw new IllegalStateException("a call failed: " + f, f);
        }
        return new Run(to - from, elapsed, admitted.get(), refused.get());
    }

    private static final class Stopper {
        volatile boolean stopped;
    }
}
