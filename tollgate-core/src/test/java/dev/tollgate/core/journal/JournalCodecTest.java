package dev.tollgate.core.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.catalog.CatalogOrigin;
import dev.tollgate.core.engine.Decision;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Format 2 leaves a usage record's defaults out; format 1 payloads, already stored, still read the same. */
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
                answer);
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
                .isEqualTo(new JournalEntry.SessionClosed("acme", AT, "close:acme@s1", "acme@s1", false));
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
                .isEqualTo(new JournalEntry.CatalogPublished(1, AT, "api", back.document()));
    }

    @Test
    void a_catalog_record_round_trips_with_and_without_origin() {
        Map<String, Object> document = Map.of("plans", java.util.List.of());
        JournalEntry fromFile = new JournalEntry.CatalogPublished(
                3, AT, "startup:c.json", document, CatalogOrigin.ofFile("c.json", Map.of("other", true)));
        JournalEntry fromApi = new JournalEntry.CatalogPublished(4, AT, "startup:posing", document);

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
                answer);

        String payload = JournalCodec.encode(usage);

        assertThat(payload).contains("\"occurredAt\"", "\"dimensions\"", "\"held\"", "\"overageQuantity\"");
        assertThat(JournalCodec.decode("usage", payload)).isEqualTo(usage);
    }
}
