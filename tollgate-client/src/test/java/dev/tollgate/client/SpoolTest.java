package dev.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SpoolTest {
    @TempDir
    Path dir;

    private static List<Spool.Entry> events(String prefix, int n) {
        List<Spool.Entry> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Spool.EventEntry(UsageEvent.of(prefix + i, "acme", "queries", i + 1)));
        }
        return list;
    }

    private static List<String> keys(Spool.Batch b) {
        List<String> keys = new ArrayList<>();
        for (Spool.Entry e : b.entries()) {
            keys.add(e instanceof Spool.EventEntry ev ? ev.event().idempotencyKey() : "close");
        }
        return keys;
    }

    private Path segment() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("segment-"))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow();
        }
    }

    @Test
    void entries_read_back_in_order_and_the_checkpoint_survives_a_reopen() {
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            spool.append(events("a", 3));
            spool.append(List.of(new Spool.CloseEntry("acme@s1", new BigDecimal("7"))));
            Spool.Batch first = spool.read(2);
            assertThat(keys(first)).containsExactly("a0", "a1");
            spool.commit(first.end());
        }
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            Spool.Batch rest = spool.read(10);
            assertThat(keys(rest)).containsExactly("a2", "close");
            Spool.CloseEntry close = (Spool.CloseEntry) rest.entries().get(1);
            assertThat(close.sessionId()).isEqualTo("acme@s1");
            assertThat(close.used()).isEqualByComparingTo("7");
            assertThat(spool.isEmpty()).isFalse();
            spool.commit(rest.end());
            assertThat(spool.isEmpty()).isTrue();
            assertThat(spool.read(10).entries()).isEmpty();
        }
    }

    @Test
    void an_event_without_a_timestamp_keeps_when_it_was_reported_and_is_delivered_stamped_with_it() {
        Instant madeAt = Instant.parse("2031-01-31T23:59:59.250Z");
        UsageEvent asMade = UsageEvent.of("k", "acme", "queries", 1);
        UsageEvent stamped = asMade.at(Instant.parse("2030-05-01T00:00:00Z"));
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            spool.append(List.of(new Spool.EventEntry(asMade, madeAt), new Spool.EventEntry(stamped)));
        }
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            List<Spool.Entry> read = spool.read(10).entries();
            Spool.EventEntry first = (Spool.EventEntry) read.get(0);
            Spool.EventEntry second = (Spool.EventEntry) read.get(1);
            assertThat(first.event()).as("as the application made it").isEqualTo(asMade);
            assertThat(first.madeAt()).isEqualTo(madeAt);
            assertThat(first.placed()).isEqualTo(asMade.at(madeAt));
            assertThat(second.madeAt()).isNull();
            assertThat(second.placed()).as("its own timestamp").isEqualTo(stamped);
        }
    }

    @Test
    void a_torn_last_line_is_ignored_and_cut_off_so_that_the_next_append_starts_clean() throws IOException {
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            spool.append(events("a", 3));
        }
        // a process killed in the middle of an append: half a line, no newline
        Files.writeString(segment(), "0badf00d {\"v\":1,\"t\":\"event\",\"ev", StandardOpenOption.APPEND);
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            assertThat(keys(spool.read(10))).containsExactly("a0", "a1", "a2");
            spool.append(events("b", 1));
            assertThat(keys(spool.read(10))).containsExactly("a0", "a1", "a2", "b0");
        }
    }

    @Test
    void a_whole_last_line_whose_checksum_fails_is_ignored_too() throws IOException {
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            spool.append(events("a", 2));
        }
        String valid = Files.readAllLines(segment(), StandardCharsets.UTF_8).get(1);
        Files.writeString(segment(), "00000000" + valid.substring(8) + "\n", StandardOpenOption.APPEND);
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            assertThat(keys(spool.read(10))).containsExactly("a0", "a1");
        }
    }

    @Test
    void the_spool_is_bounded_and_delivered_segments_free_their_space() {
        try (Spool spool = Spool.open(dir, 4096)) {
            spool.append(events("a", 20));
            assertThatThrownBy(() -> spool.append(events("b", 20)))
                    .isInstanceOfSatisfying(
                            TollgateClientException.class,
                            e -> assertThat(e.code()).isEqualTo("SPOOL_FULL"));
            assertThat(keys(spool.read(100))).hasSize(20);

            spool.commit(spool.read(100).end());
            assertThat(spool.bytes()).isZero();
            spool.append(events("b", 20));
            assertThat(keys(spool.read(100))).hasSize(20).first().isEqualTo("b0");
        }
    }

    @Test
    void one_process_at_a_time_uses_a_spool_directory() {
        try (Spool spool = Spool.open(dir, 4096)) {
            assertThat(spool.isEmpty()).isTrue();
            assertThatThrownBy(() -> Spool.open(dir, 4096)).isInstanceOf(IllegalStateException.class);
        }
    }
}
