package dev.tollgate.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Compact JSON as bytes: the text, the escapes, UTF-8, and trees that read back as they were written. */
final class JsonWriterTest {
    @Test
    void writes_objects_field_by_field_and_trees_alike() {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("a", true);
        tree.put("n", new BigDecimal("1.500"));
        tree.put("list", List.of(BigDecimal.ONE, "x", List.of(), Map.of()));
        tree.put("none", null);
        JsonWriter byField = new JsonWriter().beginObject();
        tree.forEach(byField::field);

        String expected = "{\"a\":true,\"n\":1.5,\"list\":[1,\"x\",[],{}],\"none\":null}";
        assertThat(byField.endObject().toString()).isEqualTo(expected);
        assertThat(new String(new JsonWriter().value(tree).toByteArray(), StandardCharsets.UTF_8))
                .isEqualTo(expected);
        assertThat(Json.write(tree)).isEqualTo(expected);
        assertThat(byField.reset().beginObject().field("b", false).endObject().toString())
                .as("a writer reset writes the next document alone")
                .isEqualTo("{\"b\":false}");
    }

    @Test
    void escapes_what_json_must_and_writes_the_rest_as_utf8() {
        String text = "q\" b\\ n\n r\r t\t bell\u0007 é € 😀 lone\ud800 end";

        byte[] bytes = new JsonWriter().value(text).toByteArray();

        assertThat(new String(bytes, StandardCharsets.UTF_8))
                .isEqualTo("\"q\\\" b\\\\ n\\n r\\r t\\t bell\\u0007 é € 😀 lone\\ud800 end\"");
        assertThat(Json.parse(new String(bytes, StandardCharsets.UTF_8)))
                .as("a lone surrogate, escaped, reads back as it was")
                .isEqualTo(text);
    }

    @Test
    void refuses_a_value_outside_the_model() {
        assertThatThrownBy(() -> new JsonWriter().value(3.5d)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void generated_trees_read_back_as_they_were_written() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 2_000; i++) {
            Object tree = tree(random, 0);
            String written = Json.write(tree);
            assertThat(Json.writeBytes(tree))
                    .as("seed " + seed + ": the bytes are the text's UTF-8")
                    .isEqualTo(written.getBytes(StandardCharsets.UTF_8));
            assertThat(Json.parse(written))
                    .as("seed " + seed + ", written " + written)
                    .isEqualTo(tree);
        }
    }

    private static Object tree(Random random, int depth) {
        int kind = random.nextInt(depth > 3 ? 4 : 6);
        return switch (kind) {
            case 0 -> text(random);
            case 1 ->
                BigDecimal.valueOf( // no trailing zero: as Json.parse reads it back
                        (random.nextBoolean() ? 1 : -1)
                                * (random.nextLong(1_000_000_000_000L) * 10 + 1 + random.nextInt(9)),
                        random.nextInt(6));
            case 2 -> random.nextBoolean();
            case 3 -> text(random);
            case 4 -> {
                List<Object> list = new ArrayList<>();
                for (int j = random.nextInt(4); j > 0; j--) {
                    list.add(tree(random, depth + 1));
                }
                yield List.copyOf(list);
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int j = random.nextInt(4); j > 0; j--) {
                    map.put(text(random), tree(random, depth + 1));
                }
                yield map;
            }
        };
    }

    private static String text(Random random) {
        StringBuilder s = new StringBuilder();
        for (int j = random.nextInt(8); j > 0; j--) {
            s.append((char)
                    switch (random.nextInt(5)) {
                        case 0 -> random.nextInt(0x20);
                        case 1 -> 0x20 + random.nextInt(0x60);
                        case 2 -> 0x80 + random.nextInt(0x780);
                        case 3 -> 0xd800 + random.nextInt(0x800);
                        default -> 0x800 + random.nextInt(0xd000);
                    });
        }
        return s.toString();
    }
}
