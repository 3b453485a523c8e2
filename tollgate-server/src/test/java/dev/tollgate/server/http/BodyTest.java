package dev.tollgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The id check, a hand-written loop on the request path, against the grammar it implements; values refused at the
 * door answered with their own code and path by every accessor.
 */
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

    private static Body items(String json) {
        return Body.of(Trees.jsonItems(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static ApiException refusal(Runnable read) {
        try {
            read.run();
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    void issue_16_review_a_refused_version_answers_its_own_code_not_invalid_version() {
        assertThat(refusal(() -> items("{\"planVersion\":1e1000000000}").optVersion("planVersion")))
                .satisfies(e -> assertThat(e.code()).isEqualTo("OUT_OF_RANGE"))
                .satisfies(e -> assertThat(e.field()).isEqualTo("planVersion"));
        assertThat(refusal(() -> items("{\"planVersion\":\"\\ud800\"}").optVersion("planVersion")))
                .satisfies(e -> assertThat(e.code()).isEqualTo("INVALID_STRING"));
        assertThat(refusal(() -> Body.object(
                                items("{\"addons\":[{\"version\":2,\"version\":3}]}")
                                        .optList("addons", 10)
                                        .get(0),
                                "addons[0]")
                        .optVersion("version")))
                .satisfies(e -> assertThat(e.code()).isEqualTo("MALFORMED_JSON"))
                .satisfies(e -> assertThat(e.field()).isEqualTo("addons[0].version"));
        assertThat(refusal(() -> items("{\"planVersion\":1.5}").optVersion("planVersion"))
                        .code())
                .as("a value within the limits that is no version")
                .isEqualTo("INVALID_VERSION");
        assertThat(items("{\"planVersion\":2}").optVersion("planVersion")).isNotNull();
    }

    @Test
    void issue_16_review_json_refuses_the_first_value_beyond_the_limits_naming_its_path() {
        assertThatThrownBy(() -> Trees.json("{\"a\":1,\"b\":[{\"c\":\"x\"},{\"d\":1e1000000000,\"e\":\"\\u0000\"}]}"
                        .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("OUT_OF_RANGE");
                    assertThat(e.field()).isEqualTo("b[1].d");
                    assertThat(e.getMessage()).startsWith("b[1].d is out of range");
                });
        assertThatThrownBy(() -> Trees.json("[[1],[2,\"\\u0000\"]]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.field()).isEqualTo("[1][1]"));
        assertThatThrownBy(() -> Trees.json("1e1000000000".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.field()).isNull();
                    assertThat(e.getMessage()).startsWith("the body is out of range");
                });
        assertThat(Trees.json("{\"a\":[1,{\"b\":\"c\"}]}".getBytes(StandardCharsets.UTF_8)))
                .hasToString("{a=[1, {b=c}]}");
    }
}
