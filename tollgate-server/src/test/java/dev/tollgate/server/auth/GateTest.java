package dev.tollgate.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The credential an {@code Authorization} header presents. */
final class GateTest {
    @Test
    void a_bearer_credential_in_any_case_is_presented_trimmed_and_another_scheme_is_not() {
        assertThat(Gate.presented("Bearer tg_sk_1")).isEqualTo("tg_sk_1");
        assertThat(Gate.presented("bEaReR   tg_sk_1  ")).isEqualTo("tg_sk_1");
        assertThat(Gate.presented("Bearer ")).isEmpty();
        assertThat(Gate.presented("Bearer")).isNull();
        assertThat(Gate.presented("Bearertg_sk_1")).isNull();
        assertThat(Gate.presented("Basic dXNlcjpwYXNz")).isNull();
        assertThat(Gate.presented(null)).isNull();
    }

    /**
     * The scheme is read as {@code String.regionMatches(true, ...)} reads it: every character from U+0000 to U+FFFF in
     * each of the scheme's seven places (a letter's other case, one that folds to it, a control character in place of
     * the space) is accepted exactly when that comparison accepts it.
     */
    @Test
    void the_scheme_is_compared_as_a_case_insensitive_region_match_would_for_every_character() {
        for (int place = 0; place < 7; place++) {
            for (char c = 0; c < Character.MAX_VALUE; c++) {
                char[] header = "Bearer tg_sk_1".toCharArray();
                header[place] = c;
                String h = new String(header);
                assertThat(Gate.presented(h)).as("U+%04X at %d", (int) c, place).isEqualTo(byRegionMatch(h));
            }
        }
    }

    private static @Nullable String byRegionMatch(String authorization) {
        return authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim()
                : null;
    }
}
