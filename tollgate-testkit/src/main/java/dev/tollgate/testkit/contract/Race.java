package dev.tollgate.testkit.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

/**
 * The contract suites' concurrency harness: many threads released at once, each making its calls in turn, and every
 * call's result once all threads are done. A call that throws fails the race with its cause.
 */
final class Race {
    /** One call: the thread's number and the call's number within the thread. */
    @FunctionalInterface
    interface Call<T> {
        T make(int thread, int call) throws Exception;
    }

    private Race() {}

    /**
     * Starts {@code threads} threads together; each makes {@code each} calls. Blocks until all are done.
     *
     * @return every call's result, in no particular order ({@code threads * each} of them)
     * @throws ExecutionException if a call threw
     */
    static <T> List<T> run(int threads, int each, Call<T> call) throws InterruptedException, ExecutionException {
        ConcurrentLinkedQueue<T> results = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            workers.add(new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        results.add(call.make(thread, i));
                    }
                } catch (Exception e) {
                    failures.add(e);
                }
            }));
        }
        workers.forEach(Thread::start);
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        if (!failures.isEmpty()) {
            throw new ExecutionException("a call of the race failed", failures.peek());
        }
        return new ArrayList<>(results);
    }
}
