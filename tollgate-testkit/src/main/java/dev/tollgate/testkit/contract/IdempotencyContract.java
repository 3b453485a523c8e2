package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.EventResult;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.PromotionRequest;
import dev.tollgate.core.api.SessionRequest;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.api.UsageEvent;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Idempotency keys tied to what they were used for (issue 16 item 4), run on every store: a key's first use decides;
 * the same request again replays, any other request with the key (another endpoint, or the same endpoint with other
 * content) is {@code IDEMPOTENCY_KEY_REUSED} and changes nothing, also after a restart and for records written before
 * fingerprints were kept. Keys are per customer.
 */
public abstract class IdempotencyContract extends EngineSuite {
    private static final Instant START = Instant.parse("2026-01-06T12:00:00Z");
    private static final Map<String, Object> CATALOG = Map.of(
            "currencies",
            List.of(Map.of("key", "credits", "depletion", "hard")),
            "features",
            List.of(
                    Map.of("key", "q", "type", "metered", "reset", "month"),
                    Map.of("key", "llm", "type", "metered", "reset", "month")),
            "rateCards",
            List.of(Map.of("feature", "llm", "currency", "credits", "per", 1, "rate", 1)),
            "plans",
            List.of(
                    Map.of(
                            "key",
                            "small",
                            "entitlements",
                            Map.of("q", Map.of("limit", 1000), "llm", Map.of("limit", "unlimited"))),
                    Map.of(
                            "key",
                            "big",
                            "entitlements",
                            Map.of("q", Map.of("limit", 5000), "llm", Map.of("limit", "unlimited")))));

    protected IdempotencyContract() {
        super(START, AfterEachTest.VERIFY);
    }

    @BeforeEach
    void startEngine() throws Exception {
        restart();
        engine().publishCatalog(CATALOG, "contract").get();
        customer("acme");
    }

    private void customer(String id) throws Exception {
        engine().upsertCustomer(id, new CustomerUpdate(id, Map.of(), null), "create-" + id)
                .get();
        engine().subscribe(id, new SubscriptionRequest("small", List.of(), null, null, "sub-" + id))
                .get();
        engine().grant(id, grant("credits", 1000, "grant-" + id)).get();
    }

    private static GrantRequest grant(String currency, long amount, String key) {
        return new GrantRequest(currency, BigDecimal.valueOf(amount), false, BigDecimal.ZERO, 0, null, null, key);
    }

    /** A write that takes a caller's key; {@code variant} changes its content but not its kind. */
    private enum Write {
        CUSTOMER,
        SUBSCRIPTION,
        PROMOTION,
        CONSUME,
        EVENT,
        GRANT,
        SESSION
    }

    /** The answer of a write: replayed or new, or the code it was refused with (an event's rejection reason). */
    private record Answer(
            @Nullable Boolean replayed, @Nullable String refused) {
        static Answer of(boolean replayed) {
            return new Answer(replayed, null);
        }

        static Answer refused(String code) {
            return new Answer(null, code);
        }
    }

    private Answer write(Write w, String key, int variant) throws Exception {
        try {
            return switch (w) {
                case CUSTOMER -> {
                    engine().upsertCustomer("acme", new CustomerUpdate("Acme " + variant, Map.of(), null), key)
                            .get();
                    yield Answer.of(false);
                }
                case SUBSCRIPTION ->
                    Answer.of(engine().subscribe(
                                    "acme",
                                    new SubscriptionRequest(variant == 0 ? "big" : "small", List.of(), null, null, key))
                            .get()
                            .replayed());
                case PROMOTION ->
                    Answer.of(engine().promote(
                                    "acme",
                                    new PromotionRequest(
                                            "q", Map.of("limit", BigDecimal.valueOf(9000 + variant)), null, null, key))
                            .get()
                            .replayed());
                case CONSUME ->
                    Answer.of(engine().consume(new ConsumeRequest(
                                    "acme", "q", BigDecimal.valueOf(1 + variant), key, null, Map.of()))
                            .get()
                            .replayed());
                case EVENT -> {
                    EventResult r = engine().report(List.of(new UsageEvent(
                                    key, "acme", "q", BigDecimal.valueOf(1 + variant), null, Map.of(), null)))
                            .get()
                            .get(0);
                    yield switch (r.status()) {
                        case ACCEPTED -> Answer.of(false);
                        case DUPLICATE -> Answer.of(true);
                        case REJECTED -> Answer.refused(String.valueOf(r.reason()));
                    };
                }
                case GRANT ->
                    Answer.of(engine().grant("acme", grant("credits", 10 + variant, key))
                            .get()
                            .replayed());
                case SESSION ->
                    Answer.of(engine().openSession(
                                    "acme",
                                    new SessionRequest(
                                            null,
                                            null,
                                            "q",
                                            BigDecimal.valueOf(2 + variant),
                                            Duration.ofMinutes(10),
                                            null,
                                            key))
                            .get()
                            .replayed());
            };
        } catch (TollgateException e) {
            return Answer.refused(e.code());
        }
    }

    /** Everything readable that a write could change: records stored, usage, credits, profile, promotions. */
    private String snapshot() {
        return store().entries("acme").size()
                + " "
                + engine().check(new CheckRequest("acme", "q", null, null, Map.of()))
                        .used()
                + " " + engine().balances("acme")
                + " " + engine().customer("acme").orElseThrow()
                + " " + engine().entitlements("acme");
    }

    @Test
    void a_key_used_by_one_endpoint_is_refused_by_every_other_and_changes_nothing() throws Exception {
        Map<String, String> refusedBefore = new LinkedHashMap<>();
        for (Write first : Write.values()) {
            for (Write second : Write.values()) {
                if (first == second) {
                    continue;
                }
                String key = "k-" + first + "-" + second;
                assertThat(write(first, key, 0)).as(key + ": first use").isEqualTo(Answer.of(false));
                String before = snapshot();
                Answer again = write(second, key, 0);
                assertThat(again)
                        .as(key + ": another endpoint with the key")
                        .isEqualTo(Answer.refused("IDEMPOTENCY_KEY_REUSED"));
                assertThat(snapshot()).as(key + ": nothing changed").isEqualTo(before);
                refusedBefore.put(key, before);
            }
        }

        restart();
        for (Write first : Write.values()) {
            for (Write second : Write.values()) {
                if (first != second) {
                    String key = "k-" + first + "-" + second;
                    assertThat(write(second, key, 0))
                            .as(key + ": after a restart")
                            .isEqualTo(Answer.refused("IDEMPOTENCY_KEY_REUSED"));
                }
            }
        }
        assertThat(refusedBefore).hasSize(Write.values().length * (Write.values().length - 1));
    }

    @Test
    void the_same_request_replays_and_other_content_with_the_key_is_refused_also_after_a_restart() throws Exception {
        for (Write w : Write.values()) {
            String key = "same-" + w;
            assertThat(write(w, key, 0)).as(key).isEqualTo(Answer.of(false));
            String before = snapshot();
            if (w != Write.CUSTOMER) {
                assertThat(write(w, key, 0)).as(key + " again").isEqualTo(Answer.of(true));
            } else {
                assertThat(write(w, key, 0)).as(key + " again").isEqualTo(Answer.of(false));
            }
            assertThat(write(w, key, 1))
                    .as(key + " with other content")
                    .isEqualTo(Answer.refused("IDEMPOTENCY_KEY_REUSED"));
            assertThat(snapshot()).as(key + ": nothing changed").isEqualTo(before);
        }

        restart();
        for (Write w : Write.values()) {
            String key = "same-" + w;
            String before = snapshot();
            assertThat(write(w, key, 1))
                    .as(key + " with other content after a restart")
                    .isEqualTo(Answer.refused("IDEMPOTENCY_KEY_REUSED"));
            if (w != Write.CUSTOMER) {
                assertThat(write(w, key, 0)).as(key + " again after a restart").isEqualTo(Answer.of(true));
            }
            assertThat(snapshot()).as(key + ": nothing changed").isEqualTo(before);
        }
    }

    @Test
    void content_a_record_holds_only_in_its_fingerprint_still_tells_requests_apart_after_a_restart() throws Exception {
        clock.advance(Duration.ofHours(1));
        engine().consume(new ConsumeRequest("acme", "q", BigDecimal.ONE, "dims", null, Map.of("model", "a")))
                .get();
        engine().report(List.of(new UsageEvent("late", "acme", "q", BigDecimal.ONE, null, Map.of(), START)))
                .get();
        restart();

        assertThatThrownBy(() -> engine().consume(
                                new ConsumeRequest("acme", "q", BigDecimal.ONE, "dims", null, Map.of("model", "b"))))
                .as("same feature and quantity, other dimensions")
                .isInstanceOfSatisfying(
                        TollgateException.class, e -> assertThat(e.code()).isEqualTo("IDEMPOTENCY_KEY_REUSED"));
        assertThat(engine().consume(new ConsumeRequest(
                                "acme", "q", new BigDecimal("1.00"), "dims", null, Map.of("model", "a")))
                        .get()
                        .replayed())
                .as("1.00 is the quantity 1")
                .isTrue();
        assertThat(engine().report(List.of(
                                new UsageEvent("late", "acme", "q", BigDecimal.ONE, null, Map.of(), null),
                                new UsageEvent("late", "acme", "q", BigDecimal.ONE, null, Map.of(), START)))
                        .get())
                .extracting(EventResult::status, EventResult::reason)
                .as("another timestamp is another event; the same one a duplicate")
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(EventResult.Status.REJECTED, Reason.IDEMPOTENCY_KEY_REUSED),
                        org.assertj.core.groups.Tuple.tuple(EventResult.Status.DUPLICATE, null));
    }

    @Test
    void a_key_repeated_inside_one_events_batch_with_other_content_is_rejected() throws Exception {
        List<EventResult> results = engine().report(List.of(
                        new UsageEvent("twice", "acme", "q", BigDecimal.ONE, null, Map.of(), null),
                        new UsageEvent("twice", "acme", "q", BigDecimal.ONE, null, Map.of(), null),
                        new UsageEvent("twice", "acme", "q", BigDecimal.TEN, null, Map.of(), null)))
                .get();
        assertThat(results)
                .extracting(EventResult::status, EventResult::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(EventResult.Status.ACCEPTED, null),
                        org.assertj.core.groups.Tuple.tuple(EventResult.Status.DUPLICATE, null),
                        org.assertj.core.groups.Tuple.tuple(
                                EventResult.Status.REJECTED, Reason.IDEMPOTENCY_KEY_REUSED));
        assertThat(engine().check(new CheckRequest("acme", "q", null, null, Map.of()))
                        .used())
                .isEqualByComparingTo("1");
    }

    @Test
    void keys_are_per_customer() throws Exception {
        customer("other");
        engine().consume(new ConsumeRequest("acme", "q", BigDecimal.ONE, "shared", null, Map.of()))
                .get();
        assertThat(engine().grant("other", grant("credits", 5, "shared")).get().replayed())
                .as("another customer's key is a new key")
                .isFalse();
        assertThat(engine().report(
                                List.of(new UsageEvent("shared", "other", "q", BigDecimal.ONE, null, Map.of(), null)))
                        .get())
                .extracting(EventResult::reason)
                .as("the key is the other customer's grant's now")
                .containsExactly(Reason.IDEMPOTENCY_KEY_REUSED);
    }

    @Test
    void keys_the_engine_makes_itself_cannot_be_taken_by_a_caller() throws Exception {
        String grantId = engine().grants("acme", null, false).get(0).grant().id();
        for (String key : List.of("void:" + grantId, "refund:c1", "close:acme@s1", "delivered:x")) {
            assertThatThrownBy(() ->
                            engine().consume(new ConsumeRequest("acme", "q", BigDecimal.ONE, key, null, Map.of())))
                    .as(key)
                    .isInstanceOfSatisfying(
                            TollgateException.class, e -> assertThat(e.code()).isEqualTo("INVALID_IDEMPOTENCY_KEY"));
            assertThat(engine().report(List.of(new UsageEvent(key, "acme", "q", BigDecimal.ONE, null, Map.of(), null)))
                            .get())
                    .extracting(EventResult::reason)
                    .containsExactly(Reason.INVALID_IDEMPOTENCY_KEY);
        }
        assertThat(engine().voidGrant("acme", grantId).get().value().status())
                .as("the void is not taken for a replay")
                .isEqualTo("voided");
    }

    @Test
    void records_written_before_fingerprints_compare_what_they_hold() throws Exception {
        Decision refusal = Decision.denied(Reason.LIMIT_EXCEEDED);
        Grant old = new Grant("g-old", "credits", BigDecimal.TEN, false, BigDecimal.ZERO, 0, START, null, "api", null);
        stopEngine();
        store().append(
                        JournalRecord.all(List.of(
                                new JournalEntry.ConsumptionDenied(
                                        "acme",
                                        START,
                                        "old-denial",
                                        "q",
                                        BigDecimal.ONE,
                                        null,
                                        Map.of(),
                                        null,
                                        refusal,
                                        null),
                                new JournalEntry.GrantCreated("acme", START, "old-grant", old, null))),
                        List.of());
        restart();

        assertThat(engine().consume(new ConsumeRequest("acme", "q", BigDecimal.ONE, "old-denial", null, Map.of()))
                        .get())
                .as("same feature and quantity: the old refusal")
                .satisfies(o -> assertThat(o.replayed()).isTrue())
                .satisfies(o -> assertThat(o.value().reason()).isEqualTo(Reason.LIMIT_EXCEEDED));
        assertThat(write(Write.CONSUME, "old-denial", 4)).isEqualTo(Answer.refused("IDEMPOTENCY_KEY_REUSED"));
        assertThat(write(Write.EVENT, "old-denial", 0)).isEqualTo(Answer.refused("IDEMPOTENCY_KEY_REUSED"));
        assertThat(engine().grant("acme", grant("credits", 10, "old-grant"))
                        .get()
                        .replayed())
                .as("same currency and amount: the old grant")
                .isTrue();
        assertThat(write(Write.GRANT, "old-grant", 7)).isEqualTo(Answer.refused("IDEMPOTENCY_KEY_REUSED"));
        assertThat(write(Write.CONSUME, "old-grant", 0)).isEqualTo(Answer.refused("IDEMPOTENCY_KEY_REUSED"));
    }
}
