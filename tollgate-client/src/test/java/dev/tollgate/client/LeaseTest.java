package dev.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class LeaseTest {
    private static final long FAR = Long.MAX_VALUE / 2;

    @Test
    void threads_racing_for_a_lease_admit_exactly_its_amount_and_seal_fixes_the_count() throws InterruptedException {
        Lease lease = new Lease("acme@s1", 1000, 0, FAR, LeasePrice.FREE);
        AtomicLong admitted = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 200; i++) {
                    lease.eventQueued();
                    if (lease.tryAdmit(1 + i % 3, 1)) {
                        admitted.addAndGet(1 + i % 3);
                    }
                    lease.eventDone();
                }
            });
            th.start();
            threads.add(th);
        }
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }

        assertThat(admitted.get()).isLessThanOrEqualTo(1000).isEqualTo(lease.admitted());
        assertThat(lease.amount - admitted.get())
                .as("what is left is less than the largest ask")
                .isLessThan(3);
        assertThat(lease.seal()).isEqualTo(admitted.get());
        assertThat(lease.tryAdmit(1, 1)).isFalse();
        assertThat(lease.drained()).isCompleted();
    }

    @Test
    void a_lease_admits_nothing_past_its_age() {
        Lease lease = new Lease("acme@s1", 10, 0, 100, LeasePrice.FREE);
        assertThat(lease.tryAdmit(1, 99)).isTrue();
        assertThat(lease.tryAdmit(1, 100)).isFalse();
        assertThat(lease.spent(100)).isTrue();
    }

    @Test
    void a_sealed_lease_is_drained_once_its_last_event_is_settled() {
        Lease lease = new Lease("acme@s1", 10, 0, FAR, LeasePrice.FREE);
        lease.eventQueued();
        assertThat(lease.tryAdmit(4, 1)).isTrue();
        assertThat(lease.seal()).isEqualTo(4);
        assertThat(lease.drained()).isNotCompleted();
        lease.eventDone();
        assertThat(lease.drained()).isCompleted();
    }
}
