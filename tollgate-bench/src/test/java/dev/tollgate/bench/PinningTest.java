package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The CPUs a process may run on, as {@code /proc/self/status} lists them. */
final class PinningTest {
    @Test
    void ranges_and_single_cpus_of_the_allowed_list_are_read_in_order() {
        assertThat(Pinning.allowedCpus(List.of("Name:\tjava", "Cpus_allowed:\t3", "Cpus_allowed_list:\t0-1")))
                .containsExactly(0, 1);
        assertThat(Pinning.allowedCpus(List.of("Cpus_allowed_list:\t2-4,7,9-10")))
                .containsExactly(2, 3, 4, 7, 9, 10);
        assertThat(Pinning.allowedCpus(List.of("Name:\tjava"))).isEmpty();
    }
}
