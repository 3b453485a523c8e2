package dev.tollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.FlatBody;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The fast way to read check and consume bodies ({@link FlatBody}) against the full way ({@code Trees} then {@code
 * Body}): over hand-picked and generated bodies, valid and broken, the request read or the refusal (status, code,
 * field, message) is the same whichever way the route takes; and plain bodies do take the fast way.
 */
final class FlatBodyTest {
    private static final FlatBody.Names NAMES = new FlatBody.Names(
            "customerId", "feature", "quantity", "scope", "sessionId", "dimensions", "idempotencyKey");

    private static final List<String> EDGES = List.of(
            "",
            " ",
            "{}",
            "[]",
            "null",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\"}",
            " {\n\t\"customerId\" : \"acme\" ,\r\n \"feature\":\"tokens\" } \n",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\"} x",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\"}{}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\"",
            "{\"customerId\":\"acme\" \"feature\":\"tokens\"}",
            "{\"customerId\":\"acme\",\"customerId\":\"acme\",\"feature\":\"tokens\"}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":0}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":00}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":01}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":0.0}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":-0}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":-1}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":1.}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":.5}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":1.50}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":1e3}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":1.2.3}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":999999999999999999}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":1000000000000000000}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":0.000000000000000000000000000001}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":123456789012345678901234567890123456789}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":\"5\"}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":null}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":true}",
            "{\"customerId\":null,\"feature\":\"tokens\"}",
            "{\"customerId\":\"\",\"feature\":\"tokens\"}",
            "{\"customerId\":\"-acme\",\"feature\":\"tokens\"}",
            "{\"customerId\":\"ac me\",\"feature\":\"tokens\"}",
            "{\"customerId\":\"ac\\u006de\",\"feature\":\"tokens\"}",
            "{\"customerId\":\"acmé\",\"feature\":\"tokens\"}",
            "{\"customerId\":7,\"feature\":\"tokens\"}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"extra\":1}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"scope\":\"team:a/user:b\"}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"sessionId\":\"s-1\",\"scope\":\"t.1\"}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"dimensions\":{}}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"dimensions\":{\"model\":\"gpt-4o\",\"region\":\"eu\"}}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"dimensions\":{\"model\":\"a\",\"model\":\"b\"}}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"dimensions\":{\"\":\"x\"}}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"dimensions\":{\"n\":1}}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"dimensions\":{\"n\":\"a\\\"b\"}}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"dimensions\":{\"n\":{\"x\":\"y\"}}}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"dimensions\":[]}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"dimensions\":\"x\"}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"dimensions\":null}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"idempotencyKey\":\"k-1\"}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"idempotencyKey\":\"\"}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"idempotencyKey\":\"tg:reserved\"}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"idempotencyKey\":7}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"idempotencyKey\":\"with space and / slash\"}",
            "{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":2,\"scope\":\"a\",\"scope\":\"b\"}");

    @Test
    void hand_picked_bodies_read_the_same_either_way() {
        for (String body : EDGES) {
            for (String header : new String[] {null, "h-1", "", "tg:x"}) {
                assertSameEitherWay(body, header);
            }
        }
    }

    @Test
    void generated_and_mutated_bodies_read_the_same_either_way() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int fast = 0;
        int fastConsumes = 0;
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            String body = random.nextInt(3) == 0 ? mutate(generate(random), random) : generate(random);
            String header = random.nextInt(4) == 0 ? null : "h-" + random.nextInt(9);
            try {
                assertSameEitherWay(body, header);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ", body " + body + ", header " + header, e);
            }
            fast += RequestBodies.fastCheck(request(body, header)) != null ? 1 : 0;
            fastConsumes += RequestBodies.fastConsume(request(body, header)) != null ? 1 : 0;
            refused += outcome(RequestBodies::fullCheck, body, header) instanceof Refusal ? 1 : 0;
        }
        assertThat(fast).as("seed " + seed + ": checks read the fast way").isGreaterThan(1_000);
        assertThat(fastConsumes)
                .as("seed " + seed + ": consumes read the fast way")
                .isGreaterThan(1_000);
        assertThat(refused).as("seed " + seed + ": bodies refused").isGreaterThan(2_000);
    }

    @Test
    void bodies_with_any_byte_read_the_same_either_way() {
        byte[] valid = bytes("{\"customerId\":\"acme\",\"feature\":\"tokens\"}");
        for (int b : new int[] {0xff, 0xfe, 0x80, 0xc0, 0x00, 0x7f, 0x1f}) {
            byte[] trailing = java.util.Arrays.copyOf(valid, valid.length + 1);
            trailing[valid.length] = (byte) b;
            assertSameEitherWay(trailing, null);
            byte[] inside = valid.clone();
            inside[15] = (byte) b;
            assertSameEitherWay(inside, "h-1");
        }
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 5_000; i++) {
            byte[] body = bytes(generate(random));
            if (body.length > 0) {
                body[random.nextInt(body.length)] = (byte) random.nextInt(256);
            }
            try {
                assertSameEitherWay(body, "h-1");
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ", body " + java.util.Arrays.toString(body), e);
            }
        }
    }

    @Test
    void plain_bodies_take_the_fast_way() {
        FlatBody flat = FlatBody.read(
                bytes("{\"customerId\":\"acme\",\"feature\":\"tokens\",\"quantity\":1.50,"
                        + "\"dimensions\":{\"model\":\"gpt-4o\"}}"),
                NAMES,
                5);

        assertThat(flat).isNotNull();
        assertThat(flat.string(0)).isEqualTo("acme");
        assertThat(flat.number(2)).isEqualByComparingTo("1.5");
        assertThat(flat.object(5)).isEqualTo(Map.of("model", "gpt-4o"));
        assertThat(FlatBody.read(bytes("{\"customerId\":\"acm\\u0065\"}"), NAMES, 5))
                .as("an escape is not plain")
                .isNull();
    }

    private static void assertSameEitherWay(String body, @Nullable String header) {
        assertSameEitherWay(bytes(body), header);
    }

    private static void assertSameEitherWay(byte[] body, @Nullable String header) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        assertThat(outcome(RequestBodies::check, body, header))
                .as("check " + text)
                .isEqualTo(outcome(RequestBodies::fullCheck, body, header));
        assertThat(outcome(RequestBodies::consume, body, header))
                .as("consume " + text + " with key header " + header)
                .isEqualTo(outcome(RequestBodies::fullConsume, body, header));
    }

    /** The request read, or the refusal as its status, code, field and message. */
    private static Object outcome(Function<ApiRequest, Object> read, String body, @Nullable String header) {
        return outcome(read, bytes(body), header);
    }

    private static Object outcome(Function<ApiRequest, Object> read, byte[] body, @Nullable String header) {
        try {
            return read.apply(request(body, header));
        } catch (ApiException e) {
            return new Refusal(e.status(), e.code(), e.field(), e.getMessage());
        }
    }

    private record Refusal(
            int status, String code, @Nullable String field, String message) {}

    /** A body of the request path's fields, most of them, in any order; half of them valid. */
    private static String generate(Random random) {
        boolean clean = random.nextBoolean();
        List<String> fields = new ArrayList<>();
        String[] names = {"customerId", "feature", "quantity", "scope", "sessionId", "dimensions", "idempotencyKey"};
        for (String name : names) {
            boolean required = name.equals("customerId") || name.equals("feature");
            if (required ? clean || random.nextInt(20) > 0 : random.nextBoolean()) {
                fields.add(quote(name) + space(random) + ":" + space(random) + value(name, random, clean));
            }
        }
        if (!clean && random.nextInt(15) == 0) {
            fields.add(quote(random.nextBoolean() ? "other" : "customerId") + ":" + quote("x"));
        }
        java.util.Collections.shuffle(fields, random);
        return space(random) + "{" + space(random) + String.join("," + space(random), fields) + space(random) + "}"
                + space(random);
    }

    /** A value for field {@code name}; when {@code clean}, one that the request path accepts. */
    private static String value(String name, Random random, boolean clean) {
        if (!clean && random.nextInt(12) == 0) {
            return pick(random, "null", "true", "[]", "{}", "12", "\"\"", "\"a\\nb\"", "\"\\u0000\"", "\"ü\"");
        }
        return switch (name) {
            case "quantity" ->
                pick(
                        random,
                        "0",
                        "1",
                        "7",
                        "1.5",
                        "2.50",
                        "0.25",
                        "10",
                        "1e2",
                        "-3",
                        "01",
                        "1.",
                        "99999999999999999999",
                        "0.0000000000000000000000001",
                        "3.000",
                        "12345678901234567.5",
                        "1E-2");
            case "dimensions" -> {
                int n = random.nextInt(4);
                List<String> entries = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    entries.add(
                            clean
                                    ? quote("d" + i) + ":" + quote(pick(random, "gpt-4o", "eu", "x y"))
                                    : quote(pick(random, "model", "region", "m", "", "model")) + ":"
                                            + (random.nextInt(10) == 0
                                                    ? "1"
                                                    : quote(pick(random, "gpt-4o", "eu", "x y", "a\\tb"))));
                }
                yield "{" + String.join(",", entries) + "}";
            }
            case "idempotencyKey" ->
                clean
                        ? quote(pick(random, "k-1", "k 2", "key/with:stuff"))
                        : quote(pick(random, "k-1", "k 2", "", "tg:x", "key/with:stuff", "é"));
            default ->
                clean
                        ? quote(pick(random, "acme", "tokens", "team:a/user:b", "x", "a.b_c@d"))
                        : quote(pick(random, "acme", "tokens", "team:a/user:b", "-bad", "a b", "x", "a.b_c@d"));
        };
    }

    /** The body with one byte replaced, removed or repeated. */
    private static String mutate(String body, Random random) {
        if (body.isEmpty()) {
            return body;
        }
        int at = random.nextInt(body.length());
        String chars = "{}[]\":,. 0-9aeE\\\t\n";
        return switch (random.nextInt(3)) {
            case 0 -> body.substring(0, at) + chars.charAt(random.nextInt(chars.length())) + body.substring(at + 1);
            case 1 -> body.substring(0, at) + body.substring(at + 1);
            default -> body.substring(0, at) + body.charAt(at) + body.substring(at);
        };
    }

    private static String space(Random random) {
        return pick(random, "", "", "", " ", "\n", "\t ", "\r\n");
    }

    private static String pick(Random random, String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ApiRequest request(String body, @Nullable String idempotencyHeader) {
        return request(bytes(body), idempotencyHeader);
    }

    private static ApiRequest request(byte[] bytes, @Nullable String idempotencyHeader) {
        return new ApiRequest() {
            @Override
            public @Nullable String header(String name) {
                return name.equalsIgnoreCase("Idempotency-Key") ? idempotencyHeader : null;
            }

            @Override
            public String pathParam(String name) {
                throw new IllegalArgumentException(name);
            }

            @Override
            public @Nullable String queryParam(String name) {
                return null;
            }

            @Override
            public byte[] bodyAsBytes() {
                return bytes;
            }
        };
    }
}
