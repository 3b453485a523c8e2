package dev.tollgate.server.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.json.Json;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SharedRendersTest {
    private final AtomicInteger renders = new AtomicInteger();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final SharedRenders shared = new SharedRenders(
            id -> {
                renders.incrementAndGet();
                return Map.of("exists", true, "render", renders.get());
            },
            nanos::get);

    @Test
    void subscribers_writing_the_same_change_share_one_render() {
        String first = shared.event("acme", 42);
        String second = shared.event("acme", 42);

        assertThat(second).isSameAs(first);
        assertThat(renders).hasValue(1);
        assertThat(first).startsWith("id: 42\nevent: state\ndata: {\"customerId\":\"acme\",\"cursor\":\"42\",");
    }

    @Test
    void a_later_change_of_the_customer_is_rendered_again() {
        shared.event("acme", 42);
        String later = shared.event("acme", 43);

        assertThat(renders).hasValue(2);
        assertThat(later).contains("\"render\":2");
    }

    @Test
    void a_change_of_another_customer_in_the_same_slot_is_not_taken_for_it() {
        shared.event("acme", 42);
        String other = shared.event("globex", 42 + 1024);
        String again = shared.event("acme", 42);

        assertThat(other).contains("\"customerId\":\"globex\"");
        assertThat(again).contains("\"customerId\":\"acme\"").contains("\"render\":3");
        assertThat(renders).hasValue(3);
    }

    @Test
    void a_render_older_than_fresh_is_made_again_so_time_dependent_state_stays_current() {
        shared.event("acme", 42);
        nanos.addAndGet(SharedRenders.FRESH.toNanos());
        String again = shared.event("acme", 42);

        assertThat(renders).hasValue(2);
        assertThat(again).contains("\"render\":2");
    }

    @Test
    void the_data_line_is_one_json_object_also_for_an_empty_state_and_an_id_that_needs_escaping() {
        SharedRenders empty = new SharedRenders(id -> Map.of(), nanos::get);
        String event = empty.event("a\"b", 7);
        String data = event.substring(event.indexOf("data: ") + 6, event.length() - 2);

        assertThat(Json.parse(data)).isEqualTo(Map.of("customerId", "a\"b", "cursor", "7"));
    }

    @Test
    void a_node_of_a_cluster_writes_only_what_it_holds_with_its_epoch_and_keeps_no_render_of_one_given_up() {
        Map<String, Long> held = new java.util.concurrent.ConcurrentHashMap<>(Map.of("acme", 4L));
        java.util.concurrent.atomic.AtomicBoolean giveUp = new java.util.concurrent.atomic.AtomicBoolean(true);
        SharedRenders node = new SharedRenders(
                id -> {
                    renders.incrementAndGet();
                    if (id.equals("moving") && giveUp.getAndSet(false)) {
                        held.remove(id); // given up while its state is read
                    }
                    return Map.of("exists", true);
                },
                id -> held.getOrDefault(id, Residency.NOT_HELD),
                nanos::get);

        String event = node.event("acme", 42);
        assertThat(event).contains("\"epoch\":4");
        String data = event.substring(event.indexOf("data: ") + 6, event.length() - 2);
        assertThat(Json.parse(data))
                .isEqualTo(Map.of(
                        "customerId",
                        "acme",
                        "cursor",
                        "42",
                        "epoch",
                        java.math.BigDecimal.valueOf(4),
                        "exists",
                        true));

        assertThat(node.event("globex", 43)).as("not held: its owner writes it").isNull();
        held.put("moving", 2L);
        assertThat(node.event("moving", 44)).as("given up while read").isNull();
        held.put("moving", 2L); // taken again at the same epoch (the same process)
        int before = renders.get();
        assertThat(node.event("moving", 44))
                .as("read again, not taken from a render of the gap")
                .isNotNull();
        assertThat(renders.get()).isEqualTo(before + 1);

        held.put("acme", 5L);
        assertThat(node.event("acme", 42))
                .as("taken again at another epoch: rendered anew")
                .contains("\"epoch\":5");
    }
}
