package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.CustomerView;
import dev.tollgate.core.api.EventResult;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.PromotionRequest;
import dev.tollgate.core.api.SessionOutcome;
import dev.tollgate.core.api.SessionRequest;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.api.SubscriptionRequest.AddonQuantity;
import dev.tollgate.core.api.SubscriptionRequest.VersionChoice;
import dev.tollgate.core.api.UsageEvent;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.PlanRef;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.engine.Verifier;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's promises that depend on the store, run on every store: exact admission under concurrency, state and
 * idempotency answers rebuilt after a restart, counters kept beside the records that {@link Verifier} agrees with.
 * It runs on every store its test class lists ({@link StoreSuite}).
 */
public abstract class EngineContract extends EngineSuite {
    private static final Instant START = Instant.parse("2026-01-31T12:00:00Z");
    private static final Map<String, Object> CATALOG = catalog(500, 100);

    /**
     * The suite's catalog: plans {@code small} (with a trial) and {@code big}, add-on {@code boost}.
     *
     * @param smallLimit the limit of {@code q} on {@code small}: another value publishes another version of it
     * @param boost what each {@code boost} adds to {@code q}: another value publishes another version of it
     */
    private static Map<String, Object> catalog(int smallLimit, int boost) {
        return Map.of(
                "features",
                List.of(
                        Map.of("key", "q", "type", "metered", "reset", "month"),
                        Map.of("key", "runs", "type", "metered", "reset", "day", "resetOnPlanChange", "always"),
                        Map.of("key", "export", "type", "boolean")),
                "plans",
                List.of(
                        Map.of(
                                "key",
                                "small",
                                "entitlements",
                                Map.of("q", Map.of("limit", smallLimit), "runs", Map.of("limit", 9)),
                                "trial",
                                Map.of("days", 7)),
                        Map.of(
                                "key",
                                "big",
                                "entitlements",
                                Map.of("q", Map.of("limit", 5000), "runs", Map.of("limit", 90)))),
                "addons",
                List.of(Map.of(
                        "key", "boost", "entitlements", Map.of("q", Map.of("limit", boost, "mode", "increment")))));
    }

    protected EngineContract() {
        super(START, AfterEachTest.NOTHING);
    }

    @BeforeEach
    void startEngine() throws Exception {
        restart();
        engine().publishCatalog(CATALOG, "contract").get();
        engine().upsertCustomer("acme", new CustomerUpdate("Acme", Map.of(), null), "create")
                .get();
        engine().subscribe("acme", new SubscriptionRequest("small", List.of(), null, null, "sub-1"))
                .get();
        engine().setScope("acme", "team", "team", null, "The team").get();
    }

    private CompletableFuture<Outcome<Decision>> consume(String feature, String key, long quantity) {
        return engine().consume(
                        new ConsumeRequest("acme", feature, BigDecimal.valueOf(quantity), key, "team", Map.of()));
    }

    private BigDecimal used(String feature) {
        return engine().check(new CheckRequest("acme", feature, null, null, Map.of()))
                .used();
    }

    private BigDecimal limit(String customer, String feature) {
        return engine().check(new CheckRequest(customer, feature, null, null, Map.of()))
                .limit();
    }

    private Subscription subscribe(String customer, SubscriptionRequest request) throws Exception {
        CustomerView view = engine().subscribe(customer, request).get().value();
        assertThat(view.subscription()).isNotNull();
        return view.subscription();
    }

    private Subscription subscription(String customer) {
        Subscription sub = engine().customer(customer).orElseThrow().subscription();
        assertThat(sub).isNotNull();
        return sub;
    }

    private void assertVerified() {
        Verifier.Report report = Verifier.verify(store());
        assertThat(report.differences())
                .as("verify after " + report.records() + " records")
                .isEmpty();
    }

    @Test
    void many_threads_on_one_customer_admit_exactly_the_hard_limit_and_a_restart_agrees() throws Exception {
        int threads = 16;
        int each = 50;
        List<CompletableFuture<Outcome<Decision>>> answers =
                Race.run(threads, each, (thread, i) -> consume("q", "t" + thread + "-" + i, 1));
        long allowed = 0;
        for (CompletableFuture<Outcome<Decision>> a : answers) {
            if (a.get().value().allowed()) {
                allowed++;
            }
        }
        assertThat(answers).hasSize(threads * each);
        assertThat(allowed).isEqualTo(500);
        assertThat(used("q")).isEqualByComparingTo("500");
        assertVerified();

        restart();
        assertThat(used("q")).isEqualByComparingTo("500");
        assertThat(consume("q", "t0-0", 1).get().replayed()).isTrue();
        assertThat(consume("q", "one-more", 1).get().value().allowed()).isFalse();
    }

    @Test
    void a_restart_answers_repeated_keys_with_the_first_decision() throws Exception {
        Decision first = consume("q", "k1", 120).get().value();
        Decision denied = consume("q", "k2", 900).get().value();
        assertThat(denied.allowed()).isFalse();

        restart();

        Outcome<Decision> again = consume("q", "k1", 120).get();
        assertThat(again.replayed()).isTrue();
        assertThat(again.value()).isEqualTo(first);
        assertThat(consume("q", "k2", 900).get().value()).isEqualTo(denied);
        assertThat(used("q")).isEqualByComparingTo("120");
        assertVerified();
    }

    @Test
    void events_with_duplicates_count_once_and_survive_a_restart() throws Exception {
        List<UsageEvent> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            batch.add(new UsageEvent("e" + (i % 150), "acme", "q", new BigDecimal("0.5"), "team", Map.of(), null));
        }
        List<EventResult> results = engine().report(batch).get();
        assertThat(results.stream().filter(r -> r.status() == EventResult.Status.ACCEPTED))
                .hasSize(150);
        assertThat(used("q")).isEqualByComparingTo("75");

        restart();
        assertThat(used("q")).isEqualByComparingTo("75");
        assertThat(engine().report(batch.subList(0, 10)).get())
                .extracting(EventResult::status)
                .containsOnly(EventResult.Status.DUPLICATE);
        assertVerified();
    }

    @Test
    void counters_follow_windows_and_plan_change_resets() throws Exception {
        consume("q", "jan", 100).get();
        consume("runs", "r1", 4).get();
        clock.advance(Duration.ofDays(1));
        assertThat(used("q"))
                .as("a new month (anchored on Jan 31: Feb 28 is the next start)")
                .isEqualByComparingTo("100");
        clock.set(Instant.parse("2026-02-28T12:00:00Z"));
        assertThat(used("q")).isEqualByComparingTo("0");
        consume("q", "feb", 30).get();
        consume("runs", "r2", 5).get();
        engine().subscribe("acme", new SubscriptionRequest("big", List.of(), null, null, "sub-2"))
                .get();
        assertThat(used("runs")).as("runs reset on a plan change").isEqualByComparingTo("0");
        assertThat(used("q")).isEqualByComparingTo("30");
        assertVerified();

        restart();
        assertThat(used("runs")).isEqualByComparingTo("0");
        assertThat(used("q")).isEqualByComparingTo("30");
        assertVerified();
    }

    @Test
    void customers_are_listed_by_id_a_page_at_a_time_filtered_by_plan_and_survive_a_restart() throws Exception {
        engine().upsertCustomer("zed", new CustomerUpdate("Zed", Map.of(), null), null)
                .get();
        engine().subscribe("zed", new SubscriptionRequest("big", List.of(), null, null, null))
                .get();
        engine().upsertCustomer("bob", new CustomerUpdate("Bob", Map.of(), null), null)
                .get();
        engine().setWebhook(new Webhook("ops", "http://127.0.0.1:9/ops", List.of("*"), "0123456789abcdef"))
                .get();

        for (int pass = 0; pass < 2; pass++) {
            assertThat(engine().customers(null, null, 2))
                    .extracting(CustomerView::id)
                    .containsExactly("acme", "bob");
            assertThat(engine().customers(null, "bob", 2))
                    .as("the page after bob; no reserved ids")
                    .extracting(CustomerView::id)
                    .containsExactly("zed");
            assertThat(engine().customers("big", null, 10)).singleElement().satisfies(c -> {
                assertThat(c.id()).isEqualTo("zed");
                assertThat(c.subscription()).isNotNull();
                assertThat(c.subscription().plan().version()).isEqualTo(1);
            });
            assertThat(engine().customers("small", "acme", 10)).isEmpty();
            restart();
        }
    }

    @Test
    void a_customer_stays_on_its_plan_version_until_plan_version_moves_it() throws Exception {
        engine().publishCatalog(catalog(600, 100), "contract").get();
        List<AddonQuantity> boost = List.of(new AddonQuantity("boost", 1));

        Subscription addon = subscribe("acme", new SubscriptionRequest("small", boost, null, null, "sub-addon"));
        assertThat(addon.plan()).as("buying an add-on").isEqualTo(new PlanRef("small", 1));
        assertThat(limit("acme", "q")).isEqualByComparingTo("600");
        Subscription trial = subscribe(
                "acme",
                new SubscriptionRequest("small", boost, new SubscriptionRequest.TrialRequest(null, null), null, "t"));
        assertThat(trial.plan()).as("starting a trial").isEqualTo(new PlanRef("small", 1));
        assertThat(trial.trial().plan())
                .as("a trial of the plan tries its version")
                .isEqualTo(trial.plan());
        assertThat(subscribe("acme", new SubscriptionRequest("small", boost, null, null, "again"))
                        .plan())
                .as("the same body again")
                .isEqualTo(new PlanRef("small", 1));

        Subscription latest =
                subscribe("acme", new SubscriptionRequest("small", VersionChoice.LATEST, boost, null, null, "up"));
        assertThat(latest.plan()).isEqualTo(new PlanRef("small", 2));
        assertThat(limit("acme", "q")).isEqualByComparingTo("700");
        Subscription back =
                subscribe("acme", new SubscriptionRequest("small", VersionChoice.of(1), boost, null, null, "down"));
        assertThat(back.plan()).isEqualTo(new PlanRef("small", 1));
        assertThat(limit("acme", "q")).isEqualByComparingTo("600");

        restart();
        assertThat(subscription("acme").plan()).isEqualTo(new PlanRef("small", 1));
        assertThat(limit("acme", "q")).isEqualByComparingTo("600");
        assertThat(subscribe("acme", new SubscriptionRequest("small", List.of(), null, null, "after-restart"))
                        .plan())
                .isEqualTo(new PlanRef("small", 1));

        engine().upsertCustomer("newco", new CustomerUpdate("New", Map.of(), null), null)
                .get();
        assertThat(subscribe("newco", new SubscriptionRequest("small", List.of(), null, null, null))
                        .plan())
                .as("a new subscription takes the latest")
                .isEqualTo(new PlanRef("small", 2));
        assertThat(subscribe(
                                "newco",
                                new SubscriptionRequest("small", VersionChoice.of(1), List.of(), null, null, null))
                        .plan())
                .as("unless planVersion names another")
                .isEqualTo(new PlanRef("small", 1));
        subscribe("acme", new SubscriptionRequest("big", List.of(), null, null, "to-big"));
        assertThat(subscribe("acme", new SubscriptionRequest("small", List.of(), null, null, "from-big"))
                        .plan())
                .as("a change from another plan takes the latest")
                .isEqualTo(new PlanRef("small", 2));
        assertVerified();
    }

    @Test
    void an_add_on_stays_on_its_version_until_its_version_moves_it() throws Exception {
        subscribe("acme", new SubscriptionRequest("small", List.of(new AddonQuantity("boost", 2)), null, null, "a1"));
        engine().publishCatalog(catalog(500, 150), "contract").get();

        Subscription more = subscribe(
                "acme", new SubscriptionRequest("small", List.of(new AddonQuantity("boost", 3)), null, null, "a2"));
        assertThat(more.addons()).containsExactly(new AddonRef("boost", 1, 3));
        assertThat(limit("acme", "q")).isEqualByComparingTo("800");
        Subscription latest = subscribe(
                "acme",
                new SubscriptionRequest(
                        "small", List.of(new AddonQuantity("boost", 3, VersionChoice.LATEST)), null, null, "a3"));
        assertThat(latest.addons()).containsExactly(new AddonRef("boost", 2, 3));
        assertThat(limit("acme", "q")).isEqualByComparingTo("950");
        Subscription back = subscribe(
                "acme",
                new SubscriptionRequest(
                        "small", List.of(new AddonQuantity("boost", 1, VersionChoice.of(1))), null, null, "a4"));
        assertThat(back.addons()).containsExactly(new AddonRef("boost", 1, 1));

        restart();
        assertThat(subscription("acme").addons()).containsExactly(new AddonRef("boost", 1, 1));
        assertThat(limit("acme", "q")).isEqualByComparingTo("600");
        engine().upsertCustomer("newco", new CustomerUpdate("New", Map.of(), null), null)
                .get();
        assertThat(subscribe(
                                "newco",
                                new SubscriptionRequest(
                                        "small", List.of(new AddonQuantity("boost", 1)), null, null, null))
                        .addons())
                .as("an add-on bought anew takes the latest")
                .containsExactly(new AddonRef("boost", 2, 1));
        assertVerified();
    }

    @Test
    void an_unknown_plan_or_add_on_version_is_refused_and_changes_nothing() throws Exception {
        assertThatThrownBy(() -> engine().subscribe(
                                "acme",
                                new SubscriptionRequest("small", VersionChoice.of(2), List.of(), null, null, "v2"))
                        .get())
                .isInstanceOfSatisfying(TollgateException.class, e -> {
                    assertThat(e.kind()).isEqualTo(TollgateException.Kind.NOT_FOUND);
                    assertThat(e.code()).isEqualTo("PLAN_VERSION_NOT_FOUND");
                    assertThat(e.field()).isEqualTo("planVersion");
                });
        assertThatThrownBy(() -> engine().subscribe(
                                "acme",
                                new SubscriptionRequest(
                                        "small",
                                        List.of(new AddonQuantity("boost", 1, VersionChoice.of(7))),
                                        null,
                                        null,
                                        "b7"))
                        .get())
                .isInstanceOfSatisfying(TollgateException.class, e -> {
                    assertThat(e.code()).isEqualTo("ADDON_VERSION_NOT_FOUND");
                    assertThat(e.field()).isEqualTo("addons[0].version");
                });
        assertThat(subscription("acme").plan()).isEqualTo(new PlanRef("small", 1));
        assertThat(subscription("acme").addons()).isEmpty();
    }

    /** Why {@code customer} may not use {@code feature} now: the check's, the consume's, an event's, a session's. */
    private List<Reason> refusals(String customer, String feature, String key) throws Exception {
        Decision check = engine().check(new CheckRequest(customer, feature, BigDecimal.ONE, null, Map.of()));
        Decision consume = engine().consume(new ConsumeRequest(customer, feature, BigDecimal.ONE, key, null, Map.of()))
                .get()
                .value();
        EventResult event = engine().report(List.of(
                        new UsageEvent(key + "-event", customer, feature, BigDecimal.ONE, null, Map.of(), null)))
                .get()
                .get(0);
        SessionOutcome session = engine().openSession(
                        customer,
                        new SessionRequest(
                                null, null, feature, BigDecimal.ONE, Duration.ofMinutes(5), null, key + "-session"))
                .get()
                .value();
        assertThat(event.status()).isEqualTo(EventResult.Status.REJECTED);
        assertThat(session.refusal()).isNotNull();
        return List.of(
                check.reason(),
                consume.reason(),
                event.reason(),
                session.refusal().reason());
    }

    @Test
    void without_a_subscription_in_force_a_refusal_says_no_subscription() throws Exception {
        engine().upsertCustomer("nosub", new CustomerUpdate("No sub", Map.of(), null), null)
                .get();
        assertThat(refusals("nosub", "q", "never")).containsOnly(Reason.NO_SUBSCRIPTION);

        engine().promote("nosub", new PromotionRequest("q", Map.of("limit", 10), null, null, "promo"))
                .get();
        assertThat(engine().consume(new ConsumeRequest("nosub", "q", BigDecimal.ONE, "promoted", null, Map.of()))
                        .get()
                        .value()
                        .allowed())
                .as("a promotion needs no subscription")
                .isTrue();
        assertThat(engine().check(new CheckRequest("nosub", "export", null, null, Map.of()))
                        .reason())
                .isEqualTo(Reason.NO_SUBSCRIPTION);

        assertThat(engine().check(new CheckRequest("acme", "export", null, null, Map.of()))
                        .reason())
                .as("subscribed, but the plan does not grant it")
                .isEqualTo(Reason.NOT_ENTITLED);
        engine().cancel("acme", true).get();
        assertThat(engine().check(new CheckRequest("acme", "q", null, null, Map.of()))
                        .allowed())
                .as("cancelled at period end: still running")
                .isTrue();
        clock.set(Instant.parse("2026-02-28T12:00:00Z"));
        assertThat(refusals("acme", "q", "ended")).containsOnly(Reason.NO_SUBSCRIPTION);

        restart();
        assertThat(engine().consume(new ConsumeRequest("acme", "q", BigDecimal.ONE, "ended", null, Map.of()))
                        .get()
                        .value()
                        .reason())
                .as("the recorded refusal, replayed")
                .isEqualTo(Reason.NO_SUBSCRIPTION);
        assertVerified();
    }

    @Test
    void re_sending_the_subscription_neither_resets_usage_nor_restarts_its_trial() throws Exception {
        consume("runs", "r1", 4).get();
        subscribe(
                "acme", new SubscriptionRequest("small", List.of(new AddonQuantity("boost", 1)), null, null, "boost"));
        assertThat(used("runs")).as("buying an add-on is no plan change").isEqualByComparingTo("4");

        SubscriptionRequest.TrialRequest trial = new SubscriptionRequest.TrialRequest(null, null);
        Instant ends = subscribe("acme", new SubscriptionRequest("small", List.of(), trial, null, "trial"))
                .trial()
                .endsAt();
        clock.advance(Duration.ofDays(3));
        Subscription again = subscribe("acme", new SubscriptionRequest("small", List.of(), trial, null, "again"));
        assertThat(again.trial().endsAt()).as("the running trial keeps its end").isEqualTo(ends);

        subscribe("acme", new SubscriptionRequest("small", VersionChoice.LATEST, List.of(), null, null, "same"));
        consume("runs", "r2", 2).get();
        engine().publishCatalog(catalog(600, 100), "contract").get();
        subscribe("acme", new SubscriptionRequest("small", VersionChoice.LATEST, List.of(), null, null, "v2"));
        assertThat(used("runs"))
                .as("a move to another version is a plan change")
                .isEqualByComparingTo("0");
        assertVerified();
    }
}
