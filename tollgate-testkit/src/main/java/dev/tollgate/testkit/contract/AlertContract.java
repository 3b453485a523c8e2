package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Alerts (SPEC §6), run on every store: each threshold fires once per threshold per period, the event log lists them
 * newest first, and the webhook outbox survives a restart until a delivery is recorded.
 */
public abstract class AlertContract extends EngineSuite {
    private static final Instant T = Instant.parse("2026-04-10T09:00:00Z");
    private static final Map<String, Object> CATALOG = Map.of(
            "currencies",
            List.of(Map.of("key", "credits", "depletion", "hard", "lowBalance", 20)),
            "features",
            List.of(
                    Map.of("key", "q", "type", "metered", "reset", "month", "calendar", true),
                    Map.of("key", "llm", "type", "metered", "reset", "month", "calendar", true)),
            "rateCards",
            List.of(Map.of("feature", "llm", "currency", "credits", "per", 1, "rate", 1)),
            "plans",
            List.of(Map.of(
                    "key",
                    "p",
                    "entitlements",
                    Map.of("q", Map.of("limit", 10), "llm", Map.of("limit", "unlimited")))));

    protected AlertContract() {
        super(T, AfterEachTest.VERIFY);
    }

    @BeforeEach
    void startEngine() throws Exception {
        restart();
        engine().publishCatalog(CATALOG, "contract").get();
        engine().upsertCustomer("acme", new CustomerUpdate("Acme", Map.of(), null), null)
                .get();
        engine().subscribe("acme", new SubscriptionRequest("p", List.of(), null, null, null))
                .get();
    }

    private Decision consume(String feature, int quantity, String key, @Nullable String scope) throws Exception {
        return engine().consume(new ConsumeRequest("acme", feature, BigDecimal.valueOf(quantity), key, scope, Map.of()))
                .get()
                .value();
    }

    private void grant(int amount, @Nullable Instant expiresAt, String key) throws Exception {
        engine().grant(
                        "acme",
                        new GrantRequest(
                                "credits", BigDecimal.valueOf(amount), false, BigDecimal.ONE, 0, null, expiresAt, key))
                .get();
    }

    private List<Alert> log() {
        return engine().eventLog("acme", 100);
    }

    private List<String> types() {
        return log().stream().map(Alert::type).toList();
    }

    @Test
    void a_limit_threshold_fires_once_per_threshold_per_period() throws Exception {
        assertThat(consume("q", 7, "c1", null).allowed()).isTrue();
        assertThat(log()).as("70 percent raises nothing").isEmpty();

        consume("q", 1, "c2", null);
        assertThat(log()).hasSize(1);
        Alert eighty = log().get(0);
        assertThat(eighty.type()).isEqualTo("limit.threshold");
        assertThat(eighty.customerId()).isEqualTo("acme");
        assertThat((BigDecimal) eighty.data().get("threshold")).isEqualByComparingTo("0.8");
        assertThat((BigDecimal) eighty.data().get("used")).isEqualByComparingTo("8");
        assertThat(eighty.data().get("feature")).isEqualTo("q");

        restart();
        consume("q", 1, "c3", null);
        assertThat(log())
                .as("passing a fired threshold again, also after a restart")
                .hasSize(1);

        consume("q", 1, "c4", null);
        assertThat(consume("q", 1, "c5", null).allowed())
                .as("the hard limit refuses")
                .isFalse();
        List<Alert> both = log();
        assertThat(both).as("newest first").hasSize(2);
        assertThat((BigDecimal) both.get(0).data().get("threshold")).isEqualByComparingTo("1");
        assertThat(both.get(1).id()).isEqualTo(eighty.id());

        clock.set(Instant.parse("2026-05-02T00:00:00Z"));
        consume("q", 8, "c7", null);
        assertThat(log()).as("the next period fires again").hasSize(3);
        assertThat(log().get(0).data().get("windowStart")).isEqualTo("2026-05-01T00:00:00Z");
    }

    @Test
    void a_budget_fires_at_each_of_its_thresholds_on_every_scope_of_the_path() throws Exception {
        engine().setScope("acme", "research", "team", null, null).get();
        engine().setScope("acme", "bot", "agent", "research", null).get();
        engine().setBudget(
                        "acme",
                        "research",
                        "monthly",
                        new Budget(
                                "monthly",
                                null,
                                "llm",
                                new BigDecimal("100"),
                                ResetPeriod.MONTH,
                                false,
                                List.of(new BigDecimal("0.5"), BigDecimal.ONE),
                                Map.of()))
                .get();
        grant(1000, null, "g1");

        consume("llm", 49, "u1", "bot");
        assertThat(types()).isEmpty();
        consume("llm", 1, "u2", "bot");
        assertThat(types()).containsExactly("budget.threshold");
        assertThat(log().get(0).data()).containsEntry("scope", "research").containsEntry("budget", "monthly");

        Decision over = consume("llm", 70, "u3", "bot");
        assertThat(over.allowed()).as("a soft budget admits").isTrue();
        assertThat(types()).containsExactly("budget.threshold", "budget.threshold");
        assertThat((BigDecimal) log().get(0).data().get("threshold")).isEqualByComparingTo("1");
        assertThat((BigDecimal) log().get(0).data().get("used")).isEqualByComparingTo("120");
    }

    @Test
    void low_balance_and_depletion_fire_once_per_grant_expiry_and_recharge_fire_per_grant() throws Exception {
        grant(100, null, "g1");
        consume("llm", 79, "u1", null);
        assertThat(types()).isEmpty();
        consume("llm", 6, "u2", null);
        assertThat(types()).containsExactly("balance.low");
        assertThat((BigDecimal) log().get(0).data().get("available")).isEqualByComparingTo("15");
        consume("llm", 5, "u3", null);
        assertThat(types()).as("still low: nothing new").containsExactly("balance.low");
        consume("llm", 10, "u4", null);
        assertThat(types()).containsExactly("balance.depleted", "balance.low");

        grant(50, clock.instant().plus(Duration.ofHours(1)), "g2");
        consume("llm", 40, "u5", null);
        assertThat(types())
                .as("a new grant re-arms low balance")
                .hasSize(3)
                .first()
                .isEqualTo("balance.low");

        clock.advance(Duration.ofHours(2));
        engine().sweep();
        assertThat(types().get(0)).isEqualTo("credits.expired");
        assertThat((BigDecimal) log().get(0).data().get("amount")).isEqualByComparingTo("10");

        grant(30, null, "g3");
        engine().setAutoRecharge(
                        "acme",
                        "credits",
                        new AutoRecharge(
                                "credits",
                                new BigDecimal("20"),
                                new BigDecimal("100"),
                                new BigDecimal("50"),
                                new BigDecimal("0.02"),
                                null,
                                null))
                .get();
        consume("llm", 15, "u6", null);
        Alert recharged = log().stream()
                .filter(a -> a.type().equals("credits.recharged"))
                .findFirst()
                .orElseThrow();
        assertThat((BigDecimal) recharged.data().get("amount")).isEqualByComparingTo("100");
        assertThat((BigDecimal) recharged.data().get("charge")).isEqualByComparingTo("2");
        assertThat(recharged.data()).containsEntry("trigger", "u6");
    }

    @Test
    void the_outbox_holds_each_alert_for_each_matching_webhook_until_delivered_across_restarts() throws Exception {
        engine().setWebhook(new Webhook("ops", "http://127.0.0.1:9/ops", List.of("*"), "0123456789abcdef"))
                .get();
        engine().setWebhook(
                        new Webhook("budgets", "http://127.0.0.1:9/b", List.of("budget.threshold"), "0123456789abcdef"))
                .get();
        consume("q", 8, "c1", null);

        assertThat(engine().pendingDeliveries())
                .as("only the webhook that wants limit alerts")
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.webhook().id()).isEqualTo("ops");
                    assertThat(d.alert().type()).isEqualTo("limit.threshold");
                });
        String alertId = engine().pendingDeliveries().get(0).alert().id();

        restart();
        assertThat(engine().pendingDeliveries())
                .as("the outbox survives a restart")
                .hasSize(1);
        assertThat(engine().pendingDeliveries().get(0).alert().id()).isEqualTo(alertId);

        engine().markDelivered(alertId, "ops").get();
        assertThat(engine().pendingDeliveries()).isEmpty();
        restart();
        assertThat(engine().pendingDeliveries())
                .as("a recorded delivery is not sent again")
                .isEmpty();
        assertThat(log()).hasSize(1);
    }

    @Test
    void a_removed_webhook_is_listed_no_more_and_gets_nothing_not_even_what_waited_also_after_a_restart()
            throws Exception {
        engine().setWebhook(new Webhook("ops", "http://127.0.0.1:9/ops", List.of("*"), "0123456789abcdef"))
                .get();
        engine().setWebhook(new Webhook("audit", "http://127.0.0.1:9/a", List.of("*"), "0123456789abcdef"))
                .get();
        consume("q", 8, "c1", null);
        assertThat(engine().pendingDeliveries()).hasSize(2);
        assertThat(engine().webhooks()).extracting(Webhook::id).containsExactly("audit", "ops");

        assertThat(engine().removeWebhook("ops").get().url()).isEqualTo("http://127.0.0.1:9/ops");
        assertThat(engine().webhooks()).extracting(Webhook::id).containsExactly("audit");
        assertThat(engine().pendingDeliveries())
                .as("what waited for the removed webhook is dropped")
                .extracting(d -> d.webhook().id())
                .containsExactly("audit");
        assertThatThrownBy(() -> engine().removeWebhook("ops"))
                .isInstanceOfSatisfying(
                        TollgateException.class, e -> assertThat(e.code()).isEqualTo("WEBHOOK_NOT_FOUND"));

        restart();
        assertThat(engine().webhooks()).extracting(Webhook::id).containsExactly("audit");
        assertThat(engine().pendingDeliveries())
                .extracting(d -> d.webhook().id())
                .containsExactly("audit");

        engine().setWebhook(new Webhook("ops", "http://127.0.0.1:9/ops2", List.of("*"), "0123456789abcdef"))
                .get();
        restart();
        assertThat(engine().pendingDeliveries())
                .as("an alert raised before the removal never goes to a new webhook of the same id")
                .extracting(d -> d.webhook().id())
                .containsExactly("audit");
        consume("q", 2, "c2", null);
        assertThat(engine().pendingDeliveries())
                .as("alerts raised after it do")
                .extracting(d -> d.webhook().id())
                .containsExactlyInAnyOrder("audit", "audit", "ops");
    }

    @Test
    void each_delivery_of_an_alert_is_delivered_pending_or_dropped_also_after_a_restart() throws Exception {
        for (String id : List.of("ops", "audit", "gone")) {
            engine().setWebhook(new Webhook(id, "http://127.0.0.1:9/" + id, List.of("*"), "0123456789abcdef"))
                    .get();
        }
        consume("q", 8, "c1", null);
        Alert alert = log().get(0);
        assertThat(engine().deliveries(alert))
                .containsOnly(Map.entry("audit", "pending"), Map.entry("gone", "pending"), Map.entry("ops", "pending"));

        engine().markDelivered(alert.id(), "ops").get();
        engine().removeWebhook("gone").get();
        for (int pass = 0; pass < 2; pass++) {
            assertThat(engine().deliveries(log().get(0)))
                    .as("pass %d", pass)
                    .containsOnly(
                            Map.entry("audit", "pending"), Map.entry("gone", "dropped"), Map.entry("ops", "delivered"));
            restart();
        }
    }

    @Test
    void a_replaced_webhook_gets_what_waits_for_it_at_its_new_url_with_its_new_secret() throws Exception {
        engine().setWebhook(new Webhook("ops", "http://127.0.0.1:9/old", List.of("*"), "0123456789abcdef"))
                .get();
        consume("q", 8, "c1", null);
        engine().setWebhook(new Webhook("ops", "http://127.0.0.1:9/new", List.of("*"), "fedcba9876543210"))
                .get();
        assertThat(engine().pendingDeliveries()).singleElement().satisfies(d -> {
            assertThat(d.webhook().url()).isEqualTo("http://127.0.0.1:9/new");
            assertThat(d.webhook().secret()).isEqualTo("fedcba9876543210");
        });
    }
}
