package dev.tollgate.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.Limits;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.catalog.CatalogOrigin;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.json.Json;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Format 2 leaves a usage record's defaults out; format 1 payloads, already stored, still read the same; values at the
 * door's {@link Limits} encode to short payloads and read back (issue 16: what the door accepts, the journal reads).
 */
final class JournalCodecTest {
    private static final Instant AT = Instant.parse("2026-11-29T09:24:56.645100922Z");
    private static final Instant WINDOW = Instant.parse("2026-11-29T09:24:56.353598362Z");
    private static final Instant RESETS = Instant.parse("2026-12-29T09:24:56.353598362Z");

    /** A usage record as the events benchmark writes it, stored by the format 1 writer. */
    private static final String FORMAT_1 = "{\"v\":1,\"customerId\":\"ev0\",\"at\":\"2026-11-29T09:24:56.645100922Z\","
            + "\"key\":\"v0-0-0\",\"feature\":\"q\",\"quantity\":1,\"windowStart\":\"2026-11-29T09:24:56.353598362Z\","
            + "\"overage\":0,\"source\":\"EVENT\",\"occurredAt\":\"2026-11-29T09:24:56.645100922Z\",\"dimensions\":{},"
            + "\"answer\":{\"allowed\":true,\"used\":1,\"held\":0,\"unlimited\":true,\"overage\":false,"
            + "\"overageQuantity\":0,\"resetsAt\":\"2026-12-29T09:24:56.353598362Z\",\"recorded\":true}}";

    private static JournalEntry.UsageRecorded plainEvent() {
        Decision answer = new Decision(
                true,
                null,
                null,
                null,
                BigDecimal.ONE,
                BigDecimal.ZERO,
                null,
                true,
                false,
                BigDecimal.ZERO,
                RESETS,
                null,
                true,
                null);
        return new JournalEntry.UsageRecorded(
                "ev0",
                AT,
                "v0-0-0",
                "q",
                BigDecimal.ONE,
                WINDOW,
                BigDecimal.ZERO,
                UsageSource.EVENT,
                AT,
                null,
                Map.of(),
                answer,
                null,
                null);
    }

    /** A session's close as format 2 wrote it before settlements had a record of their own. */
    private static final String CLOSE_BEFORE_SETTLEMENTS = "{\"v\":2,\"customerId\":\"acme\","
            + "\"at\":\"2026-11-29T09:24:56.645100922Z\",\"key\":\"close:acme@s1\",\"session\":\"acme@s1\","
            + "\"expired\":false}";

    @Test
    void a_settlement_is_written_and_read_back_and_a_close_stored_before_settlements_still_reads() {
        JournalEntry.SessionSettled scoped =
                new JournalEntry.SessionSettled("acme", AT, null, "acme@s1", "team", "credits", new BigDecimal("0.35"));
        JournalEntry.SessionSettled unscoped =
                new JournalEntry.SessionSettled("acme", AT, null, "acme@s2", null, "credits", BigDecimal.ONE);

        assertThat(JournalCodec.type(scoped)).isEqualTo("settlement");
        assertThat(JournalCodec.decode("settlement", JournalCodec.encode(scoped)))
                .isEqualTo(scoped);
        assertThat(JournalCodec.decode("settlement", JournalCodec.encode(unscoped)))
                .isEqualTo(unscoped);
        assertThat(JournalCodec.decode("session-closed", CLOSE_BEFORE_SETTLEMENTS))
                .isEqualTo(new JournalEntry.SessionClosed("acme", AT, "close:acme@s1", "acme@s1", false, null, null));
    }

    /** A start-up catalog record written before origins were recorded (issue 15, item 7). */
    private static final String CATALOG_WITHOUT_ORIGIN = "{\"v\":2,\"at\":\"2026-11-29T09:24:56.645100922Z\","
            + "\"version\":1,\"author\":\"startup:catalog.yaml\","
            + "\"document\":{\"features\":[{\"type\":\"metered\",\"key\":\"q\"}]}}";

    @Test
    void a_catalog_record_without_origin_reads_back_with_the_origin_its_author_and_document_imply() {
        JournalEntry.CatalogPublished back =
                (JournalEntry.CatalogPublished) JournalCodec.decode("catalog", CATALOG_WITHOUT_ORIGIN);
        Map<String, Object> document = Map.of("features", java.util.List.of(Map.of("key", "q", "type", "metered")));

        assertThat(back.document()).isEqualTo(document);
        assertThat(back.origin()).isEqualTo(CatalogOrigin.ofFile("catalog.yaml", document));
        assertThat(JournalCodec.decode("catalog", CATALOG_WITHOUT_ORIGIN.replace("startup:catalog.yaml", "api")))
                .isEqualTo(new JournalEntry.CatalogPublished(1, AT, "api", back.document(), null));
    }

    @Test
    void a_catalog_record_round_trips_with_and_without_origin() {
        Map<String, Object> document = Map.of("plans", java.util.List.of());
        JournalEntry fromFile = new JournalEntry.CatalogPublished(
                3, AT, "startup:c.json", document, CatalogOrigin.ofFile("c.json", Map.of("other", true)));
        JournalEntry fromApi = new JournalEntry.CatalogPublished(4, AT, "startup:posing", document, null);

        assertThat(JournalCodec.decode("catalog", JournalCodec.encode(fromFile)))
                .isEqualTo(fromFile);
        assertThat(JournalCodec.decode("catalog", JournalCodec.encode(fromApi)))
                .as("an API author that looks like a file is not taken for one once origins are recorded")
                .isEqualTo(fromApi);
    }

    @Test
    void the_fingerprint_ignores_key_order_and_number_spelling_but_not_content() {
        Map<String, Object> a = new java.util.LinkedHashMap<>();
        a.put("key", "q");
        a.put("limit", new BigDecimal("100.0"));
        Map<String, Object> b = new java.util.LinkedHashMap<>();
        b.put("limit", 100);
        b.put("key", "q");

        assertThat(CatalogOrigin.fingerprint(a))
                .isEqualTo(CatalogOrigin.fingerprint(b))
                .hasSize(64);
        assertThat(CatalogOrigin.fingerprint(a))
                .isNotEqualTo(CatalogOrigin.fingerprint(Map.of("key", "q", "limit", 50)));
    }

    @Test
    void every_record_a_callers_key_writes_keeps_its_request_fingerprint_and_one_without_reads_as_null() {
        String print = "AAAAAAAAAAAAAAAA";
        JournalEntry.UsageRecorded u = plainEvent();
        Grant grant = new Grant("g", "credits", BigDecimal.ONE, false, BigDecimal.ZERO, 0, AT, null, "api", null);
        List<JournalEntry> entries = List.of(
                new JournalEntry.CustomerUpserted("c", AT, "k", null, Map.of(), null, print),
                new JournalEntry.SubscriptionSet(
                        "c",
                        AT,
                        "k",
                        new dev.tollgate.core.customer.Subscription(
                                new dev.tollgate.core.customer.PlanRef("p", 1), List.of(), AT, null, null),
                        Map.of(),
                        print),
                new JournalEntry.UsageRecorded(
                        u.customerId(),
                        AT,
                        "k",
                        "q",
                        BigDecimal.ONE,
                        WINDOW,
                        BigDecimal.ZERO,
                        UsageSource.CONSUME,
                        AT,
                        null,
                        Map.of(),
                        u.answer(),
                        null,
                        print),
                new JournalEntry.ConsumptionDenied(
                        "c",
                        AT,
                        "k",
                        "q",
                        BigDecimal.ONE,
                        "team",
                        Map.of("model", "m"),
                        "acme@s1",
                        Decision.denied(dev.tollgate.core.Reason.LIMIT_EXCEEDED),
                        print),
                new JournalEntry.GrantCreated("c", AT, "k", grant, print),
                new JournalEntry.SessionOpened(
                        "c",
                        AT,
                        "k",
                        new dev.tollgate.core.session.Session(
                                "c@s1", null, null, "q", BigDecimal.ONE, AT, AT.plusSeconds(60), AT.plusSeconds(120)),
                        print));
        for (JournalEntry entry : entries) {
            String payload = JournalCodec.encode(entry);
            assertThat(payload).as(JournalCodec.type(entry)).contains("\"request\":\"" + print + "\"");
            JournalEntry back = JournalCodec.decode(JournalCodec.type(entry), payload);
            assertThat(back).as(JournalCodec.type(entry)).isEqualTo(entry);
            assertThat(back.request()).isEqualTo(print);
        }
        assertThat(JournalCodec.decode("usage", FORMAT_1).request())
                .as("written before fingerprints")
                .isNull();
        assertThat(JournalCodec.encode(plainEvent())).doesNotContain("request");
    }

    @Test
    void a_format_1_usage_record_reads_as_it_was_written() {
        assertThat(JournalCodec.decode("usage", FORMAT_1)).isEqualTo(plainEvent());
    }

    @Test
    void format_2_leaves_the_defaults_out_and_reads_them_back() {
        String payload = JournalCodec.encode(plainEvent());

        assertThat(payload)
                .startsWith("{\"v\":2,")
                .doesNotContain("occurredAt", "dimensions", "held", "overage")
                .hasSizeLessThan(FORMAT_1.length() - 100);
        assertThat(JournalCodec.decode("usage", payload)).isEqualTo(plainEvent());
    }

    @Test
    void values_other_than_the_defaults_are_written_and_read_back() {
        Decision answer = new Decision(
                true,
                null,
                null,
                new BigDecimal("10"),
                new BigDecimal("12.5"),
                new BigDecimal("0.25"),
                BigDecimal.ZERO,
                false,
                true,
                new BigDecimal("2.5"),
                RESETS,
                null,
                true,
                null);
        JournalEntry.UsageRecorded usage = new JournalEntry.UsageRecorded(
                "c",
                AT,
                "k",
                "q",
                new BigDecimal("3.5"),
                WINDOW,
                new BigDecimal("2.5"),
                UsageSource.EVENT,
                AT.minusSeconds(30),
                "team-a",
                Map.of("model", "gpt-4o"),
                answer,
                null,
                null);

        String payload = JournalCodec.encode(usage);

        assertThat(payload).contains("\"occurredAt\"", "\"dimensions\"", "\"held\"", "\"overageQuantity\"");
        assertThat(JournalCodec.decode("usage", payload)).isEqualTo(usage);
    }

    private static final BigDecimal MAX_NUMBER =
            new BigDecimal("9".repeat(Limits.MAX_INTEGER_DIGITS) + "." + "9".repeat(Limits.MAX_FRACTION_DIGITS));
    private static final BigDecimal TINY = BigDecimal.ONE.movePointLeft(Limits.MAX_FRACTION_DIGITS);
    private static final BigDecimal MAX_QUANTITY =
            Decimals.MAX_VALUE.subtract(BigDecimal.ONE.movePointLeft(Decimals.MAX_SCALE));
    private static final String TEXT = "\"\\/\u0001\n\t\u001f\u007f\u00e9\u2028\u4e2d\uffff\ud83d\udca9\udbff\udfff?";

    /** {@code containers} objects nested, the innermost holding the extreme numbers and every kind of text. */
    private static Object nested(int containers) {
        Object inner = new LinkedHashMap<String, Object>(Map.of(
                "n", List.of(MAX_NUMBER, MAX_NUMBER.negate(), TINY, TINY.negate(), BigDecimal.ZERO), TEXT, TEXT));
        for (int i = 1; i < containers; i++) {
            inner = i % 2 == 0 ? Map.of(TEXT, inner) : List.of(inner);
        }
        return inner;
    }

    @Test
    void every_value_the_door_accepts_encodes_short_and_reads_back() {
        String key = TEXT.repeat(Limits.MAX_KEY_LENGTH / TEXT.length());
        Map<String, String> dims = new LinkedHashMap<>();
        for (int i = 0; i < Limits.MAX_DIMENSIONS; i++) {
            dims.put(i + TEXT, TEXT.repeat(Limits.MAX_DIMENSION_LENGTH / TEXT.length() - 1));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> metadata = (Map<String, Object>) nested(Limits.MAX_DEPTH - 1);
        List<JournalEntry> entries = List.of(
                new JournalEntry.CatalogPublished(7, AT, TEXT, Map.of("features", nested(Limits.MAX_DEPTH)), null),
                new JournalEntry.CustomerUpserted("c", AT, key, TEXT.repeat(200), metadata, "Pacific/Chatham", null),
                new JournalEntry.GrantCreated(
                        "c",
                        AT,
                        key,
                        new Grant(
                                "g",
                                "credits",
                                MAX_QUANTITY,
                                false,
                                MAX_QUANTITY,
                                -1_000_000,
                                Limits.MIN_INSTANT,
                                Limits.MAX_INSTANT,
                                "api",
                                key),
                        null),
                new JournalEntry.BudgetSet(
                        "c",
                        AT,
                        null,
                        "s",
                        "b",
                        new Budget(
                                "b",
                                null,
                                "q",
                                MAX_QUANTITY,
                                ResetPeriod.NEVER,
                                true,
                                List.of(TINY, BigDecimal.TEN),
                                dims)),
                new JournalEntry.UsageRecorded(
                        "c",
                        AT,
                        key,
                        "q",
                        MAX_QUANTITY,
                        WINDOW,
                        BigDecimal.ONE.movePointLeft(Decimals.MAX_SCALE),
                        UsageSource.EVENT,
                        Limits.MIN_INSTANT,
                        "s",
                        dims,
                        plainEvent().answer(),
                        null,
                        null));
        for (JournalEntry entry : entries) {
            String payload = JournalCodec.encode(entry);
            assertThat(payload).as(JournalCodec.type(entry)).hasSizeLessThan(64 * 1024);
            assertThat(JournalCodec.decode(JournalCodec.type(entry), payload))
                    .as(JournalCodec.type(entry))
                    .isEqualTo(entry);
        }
    }

    @Test
    void a_payload_missing_a_required_field_is_refused_as_malformed() {
        String at = "\"at\":\"2025-01-01T00:00:00Z\"";
        List<String[]> missing = List.of(
                new String[] {"customer", "{" + at + ",\"customerId\":\"acme\"}"},
                new String[] {"session-closed", "{\"v\":2," + at + ",\"customerId\":\"acme\",\"session\":\"s1\"}"});
        for (String[] typeAndPayload : missing) {
            assertThatThrownBy(() -> JournalCodec.decode(typeAndPayload[0], typeAndPayload[1]))
                    .as(typeAndPayload[1])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("missing field");
        }
    }

    @Test
    void the_reader_accepts_a_body_nested_to_the_limit_inside_its_record_and_refuses_past_its_own() {
        assertThat(Limits.STORED_DEPTH).isGreaterThan(Limits.MAX_DEPTH + 1);
        String atTheLimit = "[".repeat(Limits.STORED_DEPTH) + "1" + "]".repeat(Limits.STORED_DEPTH);
        assertThat(Json.parse(atTheLimit)).isInstanceOf(List.class);
        assertThatThrownBy(() -> Json.parse("[" + atTheLimit + "]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nested too deeply");
    }
}
