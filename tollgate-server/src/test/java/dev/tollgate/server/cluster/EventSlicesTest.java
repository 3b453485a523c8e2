package dev.tollgate.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

final class EventSlicesTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> items(String body) {
        List<byte[]> items = EventSlices.items(bytes(body));
        assertThat(items).isNotNull();
        return items.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void items_are_cut_byte_for_byte_as_sent() {
        assertThat(items("{\"events\": [ {\"customerId\":\"é\", \"quantity\": 1e400}, \"x\", [1,[2]] , null ]}"))
                .containsExactly("{\"customerId\":\"é\", \"quantity\": 1e400}", "\"x\"", "[1,[2]]", "null");
    }

    @Test
    void other_members_before_and_after_the_events_are_skipped() {
        assertThat(items("{\"a\": {\"events\": [9]}, \"events\": [{\"k\": 1}], \"z\": [1]}"))
                .containsExactly("{\"k\": 1}");
    }

    @Test
    void a_batch_is_built_again_from_items() {
        byte[] batch = EventSlices.batch(List.of(bytes("{\"k\":1}"), bytes("{\"k\":2}")));
        assertThat(new String(batch, StandardCharsets.UTF_8)).isEqualTo("{\"events\":[{\"k\":1},{\"k\":2}]}");
        assertThat(items(new String(batch, StandardCharsets.UTF_8))).containsExactly("{\"k\":1}", "{\"k\":2}");
    }

    @Test
    void what_is_not_a_batch_is_left_to_the_server_that_received_it() {
        assertThat(EventSlices.items(bytes("[1]"))).isNull();
        assertThat(EventSlices.items(bytes("{\"events\": {}}"))).isNull();
        assertThat(EventSlices.items(bytes("{\"events\": [1,"))).isNull();
        assertThat(EventSlices.items(bytes("{\"events\": [1]} trailing"))).isNull();
    }
}
