package dev.tollgate.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FeedCursorTest {
    @Test
    void a_cursor_carries_each_nodes_position_and_reads_back_as_written() {
        FeedCursor c = FeedCursor.NONE
                .with("n1", 10)
                .with("host:8080", 1795996800000273L)
                .with("n1", 12);
        String text = c.encode();
        assertThat(text).startsWith("m").matches("[A-Za-z0-9_-]+");
        FeedCursor back = FeedCursor.parse(text);
        assertThat(back).isEqualTo(c);
        assertThat(back.of("n1")).isEqualTo(12);
        assertThat(back.of("host:8080")).isEqualTo(1795996800000273L);
        assertThat(back.of("n3")).isNull();
    }

    @Test
    void a_position_never_moves_back() {
        FeedCursor c = FeedCursor.NONE.with("n1", 12);
        assertThat(c.with("n1", 11)).isSameAs(c);
        assertThat(c.with("n1", 12)).isSameAs(c);
    }

    @Test
    void the_positions_of_nodes_that_left_are_forgotten() {
        FeedCursor c = FeedCursor.NONE.with("n1", 12).with("old-pod:8080", 40).with("n2", 7);
        FeedCursor kept = c.retain(Set.of("n1", "n2", "n3"));
        assertThat(kept.positions()).containsOnlyKeys("n1", "n2");
        assertThat(kept.of("n1")).isEqualTo(12);
        assertThat(kept.encode().length()).isLessThan(c.encode().length());
        assertThat(kept.retain(Set.of("n1", "n2"))).isSameAs(kept);
    }

    @Test
    void no_cursor_or_a_plain_one_places_the_subscriber_nowhere() {
        assertThat(FeedCursor.parse(null)).isEqualTo(FeedCursor.NONE);
        assertThat(FeedCursor.parse("1795996800000273")).isEqualTo(FeedCursor.NONE);
        assertThat(FeedCursor.NONE.positions()).isEmpty();
    }

    @Test
    void what_is_no_cursor_is_refused() {
        for (String bad :
                new String[] {"x1", "m!!", "m" + b64("[1]"), "m" + b64("{\"n1\":5}"), "m" + b64("{\"n1\":\"-5\"}")}) {
            assertThatThrownBy(() -> FeedCursor.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        Map<String, Long> m = new TreeMap<>(Map.of("n1", 1L));
        assertThat(FeedCursor.parse("m" + b64("{\"n1\":\"1\"}")).positions()).isEqualTo(m);
    }

    private static String b64(String s) {
        return java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
