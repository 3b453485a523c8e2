package dev.tollgate.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class RendezvousTest {
    private static final int CUSTOMERS = 30_000;

    @Test
    void every_node_computes_the_same_owner_whatever_the_order_of_the_nodes() {
        for (int i = 0; i < 1000; i++) {
            String c = "cust-" + i;
            assertThat(Rendezvous.owner(c, List.of("a", "b", "c")))
                    .isEqualTo(Rendezvous.owner(c, List.of("c", "a", "b")));
        }
    }

    @Test
    void customers_spread_evenly_over_three_nodes() {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < CUSTOMERS; i++) {
            counts.merge(
                    Rendezvous.owner("cust-" + i, List.of("n1", "n2", "n3")).orElseThrow(), 1, Integer::sum);
        }
        assertThat(counts).hasSize(3);
        assertThat(counts.values())
                .allSatisfy(n -> assertThat(n).isBetween(CUSTOMERS * 30 / 100, CUSTOMERS * 37 / 100));
    }

    @Test
    void a_node_that_leaves_moves_only_its_own_customers_and_one_that_joins_takes_only_from_others() {
        int movedOnJoin = 0;
        for (int i = 0; i < CUSTOMERS; i++) {
            String c = "cust-" + i;
            String withThree = Rendezvous.owner(c, List.of("n1", "n2", "n3")).orElseThrow();
            String withTwo = Rendezvous.owner(c, List.of("n1", "n3")).orElseThrow();
            if (!withThree.equals("n2")) {
                assertThat(withTwo).as(c).isEqualTo(withThree);
            }
            String withFour =
                    Rendezvous.owner(c, List.of("n1", "n2", "n3", "n4")).orElseThrow();
            if (!withFour.equals(withThree)) {
                assertThat(withFour).as(c).isEqualTo("n4");
                movedOnJoin++;
            }
        }
        assertThat(movedOnJoin).isBetween(CUSTOMERS * 20 / 100, CUSTOMERS * 30 / 100);
    }

    @Test
    void ids_are_not_confused_across_the_boundary_between_node_and_customer() {
        assertThat(Rendezvous.weight("ab", "c")).isNotEqualTo(Rendezvous.weight("a", "bc"));
    }

    @Test
    void no_node_no_owner() {
        assertThat(Rendezvous.owner("c", List.of())).isEmpty();
    }
}
