package dev.tollgate.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class IsoInstantTest {
    @Test
    void writes_what_instant_to_string_writes_at_the_edges() {
        for (String text : new String[] {
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999999999Z",
            "0000-01-01T00:00:00Z",
            "0000-02-29T12:00:00.1Z",
            "9999-12-31T23:59:59.999999999Z",
            "2000-02-29T00:00:00.000001Z",
            "2100-03-01T00:00:00.010Z",
            "2026-01-06T10:00:00.123456789Z",
            "1600-12-31T23:59:59Z",
        }) {
            Instant t = Instant.parse(text);
            assertThat(IsoInstant.format(t)).isEqualTo(t.toString());
        }
        for (Instant t : new Instant[] {
            Instant.MIN, Instant.MAX, Instant.parse("-0001-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z")
        }) {
            assertThat(IsoInstant.format(t)).as("outside 0000-9999").isEqualTo(t.toString());
        }
    }

    @Test
    void writes_what_instant_to_string_writes_for_random_instants() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder("prefix:");
        for (int i = 0; i < 200_000; i++) {
            long second = random.nextLong(-62_300_000_000L, 253_500_000_000L);
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(second, nano);
            assertThat(IsoInstant.format(t)).as("seed %d, %s", seed, t).isEqualTo(t.toString());
            out.setLength(7);
            IsoInstant.append(t, out);
            assertThat(out.toString()).as("seed %d", seed).isEqualTo("prefix:" + t);
        }
    }
}
