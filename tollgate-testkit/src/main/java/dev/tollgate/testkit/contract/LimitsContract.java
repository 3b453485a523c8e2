package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.Limits;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.Delivery;
import dev.tollgate.core.api.EventResult;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.GrantView;
import dev.tollgate.core.api.PromotionRequest;
import dev.tollgate.core.api.SessionOutcome;
import dev.tollgate.core.api.SessionRequest;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.api.UsageEvent;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.engine.Verifier;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * What the HTTP door accepts, the journal reads back: every kind of journal record, written through the engine with
 * values at the {@link Limits} (ids, keys, names and dimensions at their longest, in every kind of well-formed text;
 * metadata nested as deep as a body may be; numbers at the largest, smallest and finest; instants at both ends), then
 * a restart on the same store that must start, answer the same, and pass {@link Verifier}. It runs on every store its
 * test class lists ({@link StoreSuite}).
 */
public abstract class LimitsContract extends EngineSuite {
    private static final Instant START = Instant.parse("2026-01-31T12:00:00Z");

    /** Text of every kind the door lets through: quotes, escapes, controls but U+0000, non-ASCII, pairs. */
    private static final String[] ATOMS = {
        "a",
        "\"",
        "\\",
        "/",
        "\u0001",
        "\n",
        "\t",
        "\u001f",
        "\u007f",
        "\u00e9",
        "\u2028",
        "\u4e2d",
        "\ufffe",
        "\uffff",
        "\ud83d\udca9",
        "\udbff\udfff",
        "?"
    };

    private static final BigDecimal MAX_QUANTITY =
            Decimals.MAX_VALUE.subtract(BigDecimal.ONE.movePointLeft(Decimals.MAX_SCALE));
    private static final BigDecimal MIN_QUANTITY = BigDecimal.ONE.movePointLeft(Decimals.MAX_SCALE);
    private static final BigDecimal MAX_NUMBER =
            new BigDecimal("9".repeat(Limits.MAX_INTEGER_DIGITS) + "." + "9".repeat(Limits.MAX_FRACTION_DIGITS));
    private static final BigDecimal TINY = BigDecimal.ONE.movePointLeft(Limits.MAX_FRACTION_DIGITS);

    protected LimitsContract() {
        super(START, AfterEachTest.NOTHING);
    }

    /** Exactly {@code length} UTF-16 units of mixed text starting with {@code prefix}, never splitting a pair. */
    static String text(String prefix, int length) {
        StringBuilder sb = new StringBuilder(prefix);
        for (int i = 0; sb.length() < length; i++) {
            String atom = ATOMS[i % ATOMS.length];
            sb.append(sb.length() + atom.length() <= length ? atom : "x");
        }
        return sb.toString();
    }

    /** The longest id starting with {@code prefix}. */
    static String id(String prefix) {
        return longest(prefix, "._:@/-9Z");
    }

    /** The longest catalog key starting with {@code prefix} (no {@code @} or {@code /} there). */
    static String key(String prefix) {
        return longest(prefix, "._:-9Z");
    }

    private static String longest(String prefix, String tail) {
        StringBuilder sb = new StringBuilder(prefix);
        for (int i = 0; sb.length() < Limits.MAX_ID_LENGTH; i++) {
            sb.append(tail.charAt(i % tail.length()));
        }
        return sb.toString();
    }

    /**
     * Metadata as deep as a request body may carry it: {@link Limits#MAX_DEPTH} containers with the body's own object,
     * objects and arrays alternating.
     */
    static Map<String, Object> deepMetadata() {
        Object inner = List.of(MAX_NUMBER, MAX_NUMBER.negate(), TINY, TINY.negate(), BigDecimal.ZERO, text("", 300));
        for (int level = Limits.MAX_DEPTH - 3; level > 0; level--) {
            inner = level % 2 == 0 ? List.of(inner, true, "x") : Map.of(text("k", 40), inner, "n", BigDecimal.ONE);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put(text("deep", 100), inner);
        metadata.put("", text("", Limits.MAX_STRING_LENGTH));
        return metadata;
    }

    static Map<String, String> dimensions() {
        Map<String, String> dims = new LinkedHashMap<>();
        for (int i = 0; i < Limits.MAX_DIMENSIONS; i++) {
            dims.put(text("d" + i, Limits.MAX_DIMENSION_LENGTH), text("v" + i, Limits.MAX_DIMENSION_LENGTH));
        }
        return dims;
    }

    private static Map<String, Object> catalog(String metered, String currency) {
        Map<String, Object> meteredFeature = new LinkedHashMap<>();
        meteredFeature.put("key", metered);
        meteredFeature.put("type", "metered");
        meteredFeature.put("reset", "month");
        meteredFeature.put("name", text("name", Limits.MAX_STRING_LENGTH));
        meteredFeature.put("description", text("description", Limits.MAX_STRING_LENGTH));
        return Map.of(
                "currencies",
                List.of(Map.of("key", currency, "depletion", "soft")),
                "features",
                List.of(meteredFeature, Map.of("key", "flag", "type", "boolean")),
                "rateCards",
                List.of(Map.of(
                        "feature", metered, "currency", currency, "per", BigDecimal.ONE, "rate", BigDecimal.ONE)),
                "plans",
                List.of(Map.of(
                        "key",
                        "p",
                        "name",
                        text("plan", Limits.MAX_STRING_LENGTH),
                        "entitlements",
                        Map.of(metered, Map.of("limit", MAX_QUANTITY, "enforcement", "hard")))));
    }

    @Test
    void every_kind_of_record_at_the_limits_survives_a_restart_and_verify() throws Exception {
        restart();
        String customer = id("c");
        String metered = key("m");
        String currency = key("cr");
        String scope = id("s");
        engine().publishCatalog(catalog(metered, currency), text("author", 128)).get();

        engine().upsertCustomer(
                        customer,
                        new CustomerUpdate(text("name", Limits.MAX_STRING_LENGTH), deepMetadata(), "Pacific/Chatham"),
                        text("create", Limits.MAX_KEY_LENGTH))
                .get();
        engine().subscribe(
                        customer, new SubscriptionRequest("p", List.of(), null, Limits.MIN_INSTANT, text("sub", 255)))
                .get();
        String later = id("l");
        engine().upsertCustomer(later, new CustomerUpdate(null, Map.of(), null), null)
                .get();
        engine().subscribe(later, new SubscriptionRequest("p", List.of(), null, Limits.MAX_INSTANT, null))
                .get();
        engine().cancel(later, true).get();
        engine().promote(
                        customer,
                        new PromotionRequest(
                                "flag",
                                Map.of("enabled", true),
                                Limits.MIN_INSTANT,
                                Limits.MAX_INSTANT,
                                text("promo", 255)))
                .get();

        engine().setScope(customer, scope, id("k"), null, text("scope", Limits.MAX_STRING_LENGTH))
                .get();
        engine().setScope(customer, id("t"), "team", scope, null).get();
        List<BigDecimal> alerts = new ArrayList<>(List.of(TINY, BigDecimal.TEN));
        while (alerts.size() < 20) {
            alerts.add(Decimals.normalize(new BigDecimal("0." + alerts.size()))); // as the door normalizes them
        }
        engine().setBudget(
                        customer,
                        scope,
                        id("b"),
                        new Budget(id("b"), null, metered, MAX_QUANTITY, ResetPeriod.YEAR, false, alerts, Map.of()))
                .get();
        engine().setBudget(
                        customer,
                        scope,
                        id("money"),
                        new Budget(
                                id("money"),
                                currency,
                                null,
                                MAX_QUANTITY,
                                ResetPeriod.NEVER,
                                true,
                                alerts,
                                dimensions()))
                .get();
        engine().setWebhook(new Webhook(
                        id("w"),
                        "https://example.com/" + "x".repeat(Limits.MAX_STRING_LENGTH - 20),
                        List.of("*"),
                        text("secret", Limits.MAX_STRING_LENGTH)))
                .get();

        GrantView grant = engine().grant(
                        customer,
                        new GrantRequest(
                                currency,
                                MAX_QUANTITY,
                                false,
                                MAX_QUANTITY,
                                -1_000_000,
                                Limits.MIN_INSTANT,
                                Limits.MAX_INSTANT,
                                text("grant", 255)))
                .get()
                .value();
        engine().grant(
                        customer,
                        new GrantRequest(currency, MIN_QUANTITY, true, BigDecimal.ZERO, 1_000_000, null, null, "g2"))
                .get();
        engine().setAutoRecharge(
                        customer,
                        currency,
                        new AutoRecharge(
                                currency,
                                MIN_QUANTITY,
                                MAX_QUANTITY,
                                MAX_QUANTITY,
                                MAX_QUANTITY,
                                1_000_000,
                                MAX_QUANTITY))
                .get();

        String consumeKey = text("consume", Limits.MAX_KEY_LENGTH);
        Decision consumed = engine().consume(
                        new ConsumeRequest(customer, metered, MIN_QUANTITY, consumeKey, scope, dimensions(), null))
                .get()
                .value();
        assertThat(consumed.allowed()).as("%s", consumed).isTrue();
        Decision denied = engine().consume(
                        new ConsumeRequest(customer, metered, MAX_QUANTITY, text("denied", 255), scope, Map.of(), null))
                .get()
                .value();
        assertThat(denied.allowed()).as("%s", denied).isFalse();
        List<EventResult> reported = engine().report(List.of(new UsageEvent(
                        text("event", 255),
                        customer,
                        metered,
                        MIN_QUANTITY,
                        scope,
                        dimensions(),
                        Limits.MIN_INSTANT,
                        null)))
                .get();
        assertThat(reported.get(0).status()).as("%s", reported).isEqualTo(EventResult.Status.ACCEPTED);
        engine().refund(customer, consumeKey).get();
        engine().voidGrant(customer, grant.grant().id()).get();

        SessionOutcome opened = engine().openSession(
                        customer,
                        new SessionRequest(
                                scope,
                                null,
                                metered,
                                MIN_QUANTITY,
                                Duration.ofDays(7),
                                Duration.ofDays(7),
                                text("session", 255)))
                .get()
                .value();
        String session =
                Objects.requireNonNull(opened.session(), "opened").session().id();
        engine().heartbeat(session, Duration.ofDays(7)).get();
        engine().closeSession(session, MIN_QUANTITY).get();
        for (Delivery d : engine().pendingDeliveries()) {
            engine().markDelivered(d.alert().id(), d.webhook().id()).get();
        }

        List<Object> before = readable(customer, later, session);
        restart();
        assertThat(readable(customer, later, session)).isEqualTo(before);
        Verifier.Report report = Verifier.verify(store());
        assertThat(report.differences())
                .as("verify after " + report.records() + " records")
                .isEmpty();
    }

    /** Everything a client can read of the two customers. */
    private List<Object> readable(String customer, String later, String session) {
        Engine e = engine();
        return List.of(
                e.catalog().version(),
                e.customer(customer).orElseThrow(),
                e.customer(later).orElseThrow(),
                e.entitlements(customer),
                e.balances(customer),
                e.ledger(customer, null, 0, Integer.MAX_VALUE),
                e.grants(customer, null, false),
                e.scopes(customer),
                e.usage(customer, Limits.MIN_INSTANT, Limits.MAX_INSTANT, List.of(), null),
                e.eventLog(null, 1000),
                e.session(session));
    }
}
