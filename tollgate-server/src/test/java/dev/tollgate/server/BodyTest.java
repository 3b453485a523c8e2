package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The id check, a hand-written loop on the request path, against the grammar it implements. */
final class BodyTest {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}");
    private static final String ALPHABET = "aZ09._:@/- \"\\\u00e9\u0000+#";

    @Test
    void is_id_agrees_with_the_grammar_on_random_strings() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int i = 0; i < 100_000; i++) {
            int length = r.nextInt(5) == 0 ? 120 + r.nextInt(20) : r.nextInt(8);
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < length; j++) {
                sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
            }
            String s = sb.toString();
            assertThat(Body.isId(s))
                    .as("seed=%d id=%s", seed, s)
                    .isEqualTo(ID.matcher(s).matches());
        }
        assertThat(Body.isId("acme@s1")).isTrue();
        assertThat(Body.isId("-acme")).isFalse();
        assertThat(Body.isId("a".repeat(128))).isTrue();
        assertThat(Body.isId("a".repeat(129))).isFalse();
    }
}
