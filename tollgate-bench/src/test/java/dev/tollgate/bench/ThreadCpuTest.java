package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Thread CPU read from /proc for this very JVM. The busy thread spins until the JVM says it has had 300 ms of CPU, not
 * for 300 ms of wall time: on a loaded machine a wall-time spin gets less CPU, and the test failed under a load of 4.
 */
final class ThreadCpuTest {
    @Test
    void a_busy_thread_is_seen_under_its_name_and_numbered_threads_are_summed() throws Exception {
        ThreadCpu cpu = new ThreadCpu(ProcessHandle.current().pid());
        Map<String, Double> before = cpu.seconds();
        long[] sink = {0};
        CountDownLatch spent = new CountDownLatch(1);
        CountDownLatch read = new CountDownLatch(1);
        Thread busy = new Thread(
                () -> {
                    // until this thread has had 300 ms of CPU, however long the machine makes that take
                    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                    while (threads.getCurrentThreadCpuTime() < 300_000_000L) {
                        sink[0] += System.nanoTime() % 7;
                    }
                    spent.countDown();
                    try {
                        // a thread's /proc entry goes when it ends: stay until it was read
                        read.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "probe-busy-7");
        busy.start();
        assertThat(spent.await(5, TimeUnit.MINUTES)).isTrue();
        Map<String, Double> perUnit = ThreadCpu.microsPer(before, cpu.seconds(), 1000);
        read.countDown();
        busy.join();

        assertThat(sink[0]).isPositive();
        assertThat(perUnit)
                .as("300 ms of CPU over 1000 units is about 300 us a unit; the tick is 10 ms")
                .hasEntrySatisfying("probe-busy-N", us -> assertThat(us).isBetween(150.0, 450.0));
    }
}
