package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.LedgerLine;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.api.SubscriptionRequest.AddonQuantity;
import dev.tollgate.core.api.SubscriptionRequest.VersionChoice;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.decision.Decision;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Allotments (SPEC §5): the credits a plan or an add-on grants each period, at the period's start, scaled by quantity,
 * replaced at the reset, and granted once when a subscription moves to another version mid-period, on every store.
 */
public abstract class AllotmentContract extends CreditSuite {
    @Test
    void an_allotment_expiring_at_the_period_reset_gives_way_to_the_next_one_at_that_instant() throws Exception {
        customer("monthly-co", "monthly");
        Instant reset = Instant.parse("2026-02-06T12:00:00Z");
        BigDecimal atStart = engine().balances("monthly-co").get(0).available();
        assertThat(atStart).as("issued at the period start, before any write").isEqualByComparingTo("100");
        Decision spent = engine().consume(
                        new ConsumeRequest("monthly-co", "llm", new BigDecimal("30000"), "m1", null, Map.of()))
                .get()
                .value();
        assertThat(spent.credit().balance()).isEqualByComparingTo("70");

        clock.set(reset.minusNanos(1));
        assertThat(engine().balances("monthly-co").get(0).available()).isEqualByComparingTo("70");
        clock.set(reset);
        assertThat(engine().balances("monthly-co").get(0).available())
                .as("the old remainder expired, the new allotment began, at the same instant")
                .isEqualByComparingTo("100");

        engine().consume(new ConsumeRequest("monthly-co", "llm", new BigDecimal("1000"), "m2", null, Map.of()))
                .get();
        List<LedgerLine> lines = engine().ledger("monthly-co", null, 0, 100);
        assertThat(lines)
                .extracting(LedgerLine::type, l -> l.amount().toPlainString(), LedgerLine::time)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(EntryType.GRANT, "100", T),
                        org.assertj.core.groups.Tuple.tuple(EntryType.CONSUME, "-30", T),
                        org.assertj.core.groups.Tuple.tuple(EntryType.EXPIRE, "-70", reset),
                        org.assertj.core.groups.Tuple.tuple(EntryType.GRANT, "100", reset),
                        org.assertj.core.groups.Tuple.tuple(EntryType.CONSUME, "-1", reset));
    }

    @Test
    void add_on_allotments_scale_with_quantity_and_accumulate_when_they_never_expire() throws Exception {
        engine().subscribe(
                        "acme",
                        new SubscriptionRequest(
                                "pro", List.of(new SubscriptionRequest.AddonQuantity("booster", 3)), null, null, null))
                .get();
        assertThat(available("credits")).as("3 × 50 at once").isEqualByComparingTo("150");
        assertThat(engine().grants("acme", "credits", false)).singleElement().satisfies(g -> {
            assertThat(g.grant().source()).isEqualTo("allotment");
            assertThat(g.grant().promotional()).isFalse();
            assertThat(g.grant().expiresAt()).isNull();
        });

        clock.set(Instant.parse("2026-03-06T12:00:00Z"));
        assertThat(available("credits")).as("February's and March's too").isEqualByComparingTo("450");
    }

    private void subscribe(String customer, SubscriptionRequest request) throws Exception {
        engine().subscribe(customer, request).get();
    }

    private void toMonthly(@Nullable VersionChoice version) throws Exception {
        subscribe("monthly-co", new SubscriptionRequest("monthly", version, List.of(), null, null, null));
    }

    private BigDecimal creditsOf(String customer) {
        return engine().balances(customer).stream()
                .filter(b -> b.currency().equals("credits"))
                .findFirst()
                .orElseThrow()
                .available();
    }

    /** The amounts of the allotment grants effective at {@code at}. */
    private List<String> allotted(String customer, Instant at) {
        return engine().grants(customer, "credits", false).stream()
                .filter(g -> g.grant().source().equals("allotment")
                        && g.grant().effectiveAt().equals(at))
                .map(g -> g.grant().amount().toPlainString())
                .toList();
    }

    @Test
    void moving_to_another_version_of_the_plan_mid_period_grants_the_period_allotment_once() throws Exception {
        customer("monthly-co", "monthly");
        engine().consume(new ConsumeRequest("monthly-co", "llm", new BigDecimal("30000"), "m1", null, Map.of()))
                .get();
        engine().publishCatalog(catalog(1_000_000, 100, 50), "contract").get();
        clock.advance(Duration.ofDays(3));

        toMonthly(VersionChoice.LATEST);
        assertThat(creditsOf("monthly-co")).as("v1 -> v2, same allotment").isEqualByComparingTo("70");
        toMonthly(VersionChoice.of(1));
        toMonthly(VersionChoice.of(2));
        assertThat(creditsOf("monthly-co")).as("back and forth").isEqualByComparingTo("70");
        restart();
        assertThat(creditsOf("monthly-co")).isEqualByComparingTo("70");
        toMonthly(VersionChoice.of(1));
        assertThat(creditsOf("monthly-co")).as("after a restart").isEqualByComparingTo("70");
        assertThat(allotted("monthly-co", T)).containsExactly("100");

        Instant february = Instant.parse("2026-02-06T12:00:00Z");
        clock.set(february);
        assertThat(creditsOf("monthly-co")).isEqualByComparingTo("100");
        toMonthly(VersionChoice.LATEST);
        assertThat(creditsOf("monthly-co")).isEqualByComparingTo("100");
        assertThat(allotted("monthly-co", february)).containsExactly("100");
    }

    @Test
    void a_larger_allotment_on_the_new_version_tops_up_the_period_and_a_smaller_one_takes_nothing_back()
            throws Exception {
        customer("monthly-co", "monthly");
        engine().publishCatalog(catalog("unlimited", 250, 50), "contract").get();

        toMonthly(VersionChoice.LATEST);
        assertThat(creditsOf("monthly-co"))
                .as("100 of v1, then 150 more for v2's 250")
                .isEqualByComparingTo("250");
        assertThat(allotted("monthly-co", T)).containsExactly("100", "150");
        toMonthly(VersionChoice.of(1));
        toMonthly(VersionChoice.of(2));
        restart();
        assertThat(creditsOf("monthly-co")).as("never more than the largest").isEqualByComparingTo("250");

        toMonthly(VersionChoice.of(1));
        Instant february = Instant.parse("2026-02-06T12:00:00Z");
        clock.set(february);
        assertThat(creditsOf("monthly-co")).as("February on v1").isEqualByComparingTo("100");
        toMonthly(VersionChoice.of(2));
        assertThat(creditsOf("monthly-co")).isEqualByComparingTo("250");
        assertThat(allotted("monthly-co", february)).containsExactly("100", "150");

        engine().upsertCustomer("big-first", new CustomerUpdate("b", Map.of(), null), null)
                .get();
        subscribe("big-first", new SubscriptionRequest("monthly", List.of(), null, null, null));
        assertThat(creditsOf("big-first")).isEqualByComparingTo("250");
        subscribe("big-first", new SubscriptionRequest("monthly", VersionChoice.of(1), List.of(), null, null, null));
        assertThat(creditsOf("big-first")).as("a smaller version adds nothing").isEqualByComparingTo("250");
    }

    @Test
    void an_add_on_re_sent_grants_its_allotment_once_and_a_larger_quantity_tops_it_up() throws Exception {
        List<Integer> quantities = List.of(3, 3, 4, 2, 4);
        for (int quantity : quantities) {
            subscribe(
                    "acme",
                    new SubscriptionRequest("pro", List.of(new AddonQuantity("booster", quantity)), null, null, null));
        }
        assertThat(available("credits")).as("the largest quantity held: 4 × 50").isEqualByComparingTo("200");
        restart();
        assertThat(available("credits")).isEqualByComparingTo("200");
        assertThat(allotted("acme", T)).containsExactly("150", "50");

        clock.set(Instant.parse("2026-02-06T12:00:00Z"));
        assertThat(available("credits")).as("February: 4 × 50 more").isEqualByComparingTo("400");
    }

    @Test
    void a_trial_then_the_paid_plan_grants_the_period_allotment_once() throws Exception {
        engine().upsertCustomer("trial-co", new CustomerUpdate("t", Map.of(), null), null)
                .get();
        subscribe(
                "trial-co",
                new SubscriptionRequest(
                        "monthly", List.of(), new SubscriptionRequest.TrialRequest(null, 7), null, null));
        assertThat(creditsOf("trial-co")).isEqualByComparingTo("100");
        clock.advance(Duration.ofDays(2));
        subscribe("trial-co", new SubscriptionRequest("monthly", List.of(), null, null, null));
        assertThat(creditsOf("trial-co")).isEqualByComparingTo("100");
        assertThat(allotted("trial-co", T)).containsExactly("100");
    }

    @Test
    void a_subscription_change_first_records_the_allotments_due_under_the_one_it_replaces() throws Exception {
        subscribe("acme", new SubscriptionRequest("pro", List.of(new AddonQuantity("booster", 1)), null, null, null));
        clock.set(Instant.parse("2026-03-10T12:00:00Z"));
        assertThat(available("credits")).as("January's, February's and March's").isEqualByComparingTo("150");

        subscribe("acme", new SubscriptionRequest("pro", List.of(new AddonQuantity("booster", 2)), null, null, null));

        assertThat(available("credits"))
                .as("the three months, then March's second unit")
                .isEqualByComparingTo("200");
        restart();
        assertThat(available("credits")).isEqualByComparingTo("200");
    }
}
