package dev.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The pricing side of leases: which features a lease may serve, the room a server's answer leaves in units (the limit,
 * and for a priced feature the credits at its unit price), what a local admission says it costs, and which leases
 * carry a price that is no longer the feature's.
 */
final class LeasePriceTest {
    private static final LeasePrice QUARTER = new LeasePrice("credits", new BigDecimal("0.25"));

    private static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    private static Entitlement metered(String enforcement, @Nullable BigDecimal limit, Entitlement.@Nullable Price p) {
        return new Entitlement(
                "calls",
                "metered",
                "plan:team@1",
                null,
                null,
                limit,
                limit == null,
                BigDecimal.ZERO,
                BigDecimal.ZERO,
                limit,
                enforcement,
                null,
                p);
    }

    private static Decision answer(
            @Nullable BigDecimal remaining, @Nullable String currency, @Nullable BigDecimal balance) {
        return new Decision(
                true,
                null,
                null,
                remaining,
                BigDecimal.ZERO,
                BigDecimal.ZERO,
                remaining,
                remaining == null,
                false,
                null,
                null,
                null,
                currency,
                currency == null ? null : BigDecimal.ONE,
                balance,
                true,
                Source.SERVER);
    }

    @Test
    void a_lease_serves_a_hard_or_unlimited_feature_without_a_price_or_with_one_unit_price() {
        assertThat(metered("hard", d("10"), null).leasable()).isTrue();
        assertThat(metered("hard", null, new Entitlement.Price("credits", d("0.25")))
                        .leasable())
                .isTrue();
        assertThat(metered("hard", null, new Entitlement.Price("credits", null)).leasable())
                .as("tiers or rates by dimension: the server prices each consume")
                .isFalse();
        assertThat(metered("soft", d("10"), null).leasable()).isFalse();
    }

    @Test
    void the_room_of_a_priced_feature_is_the_smaller_of_its_limit_and_its_credits_at_the_unit_price() {
        BigDecimal quarter = d("0.25");
        assertThat(LeaseSlot.room(answer(d("100"), null, null), null)).isEqualTo(100);
        assertThat(LeaseSlot.room(answer(null, null, null), null))
                .as("unlimited")
                .isEqualTo(-1);
        assertThat(LeaseSlot.room(answer(null, "credits", d("10.1")), quarter))
                .as("10.1 credits buy 40 units at 0.25")
                .isEqualTo(40);
        assertThat(LeaseSlot.room(answer(d("30"), "credits", d("10.1")), quarter))
                .isEqualTo(30);
        assertThat(LeaseSlot.room(answer(d("30"), "credits", d("-2")), quarter))
                .as("overdrawn")
                .isZero();
        assertThat(LeaseSlot.room(answer(d("30"), "credits", d("5")), BigDecimal.ZERO))
                .as("a price of 0 binds nothing")
                .isEqualTo(30);
    }

    @Test
    void a_local_admission_costs_its_units_at_the_lease_price_written_as_the_server_writes_credits() {
        assertThat(QUARTER.credits(4)).isEqualTo(d("1"));
        assertThat(QUARTER.credits(3)).isEqualTo(d("0.75"));
        assertThat(QUARTER.credits(0)).isEqualTo(BigDecimal.ZERO);
        assertThat(new LeasePrice("credits", d("0.001")).credits(123_000)).isEqualTo(d("123"));

        LeaseSlot slot = new LeaseSlot(
                "acme",
                "calls",
                null,
                LeaseSlot.Figures.of(answer(null, "credits", d("100"))),
                new Entitlement.Price("credits", d("0.25")),
                0);
        slot.localSince.addAndGet(3);
        Decision local = slot.admitted(3, QUARTER);
        assertThat(local.allowed()).isTrue();
        assertThat(local.recorded()).isTrue();
        assertThat(local.source()).isEqualTo(Source.CACHE);
        assertThat(local.currency()).isEqualTo("credits");
        assertThat(local.credits()).isEqualByComparingTo("0.75");
        assertThat(local.balance())
                .as("the server's 100 less what this process admitted since")
                .isEqualByComparingTo("99.25");

        Decision free = slot.admitted(1, LeasePrice.FREE);
        assertThat(free.currency()).isNull();
        assertThat(free.credits()).isNull();
        assertThat(free.balance()).isNull();
    }

    @Test
    void a_lease_price_is_current_only_while_the_entitlement_shows_the_same_currency_and_unit_price() {
        assertThat(QUARTER.current(new Entitlement.Price("credits", d("0.250"))))
                .isTrue();
        assertThat(QUARTER.current(new Entitlement.Price("credits", d("0.5")))).isFalse();
        assertThat(QUARTER.current(new Entitlement.Price("gpu-credits", d("0.25"))))
                .isFalse();
        assertThat(QUARTER.current(new Entitlement.Price("credits", null))).isFalse();
        assertThat(QUARTER.current(null)).as("the price was removed").isFalse();
        assertThat(LeasePrice.FREE.current(null)).isTrue();
        assertThat(LeasePrice.FREE.current(new Entitlement.Price("credits", d("1"))))
                .as("a price was added")
                .isFalse();
    }

    @Test
    void a_lease_whose_open_crossed_a_price_change_is_stale_and_one_opened_after_is_not() {
        LeaseSlot slot = new LeaseSlot(
                "acme",
                "calls",
                null,
                LeaseSlot.Figures.of(answer(null, "credits", d("100"))),
                new Entitlement.Price("credits", d("0.25")),
                0);
        Lease before = new Lease("acme@s1", 10, 100, Long.MAX_VALUE / 2, QUARTER);
        assertThat(slot.stale(before)).as("the price has not changed since").isFalse();

        slot.priceRead(new Entitlement.Price("credits", d("0.5")), 200);
        assertThat(slot.stale(before))
                .as("opened at 100, the price changed at 200")
                .isTrue();
        assertThat(slot.unitPrice).isEqualByComparingTo("0.5");
        Lease after = new Lease("acme@s2", 10, 300, Long.MAX_VALUE / 2, new LeasePrice("credits", d("0.5")));
        assertThat(slot.stale(after)).isFalse();
        Lease quotedAtTheNewPrice =
                new Lease("acme@s3", 10, 150, Long.MAX_VALUE / 2, new LeasePrice("credits", d("0.5")));
        assertThat(slot.stale(quotedAtTheNewPrice))
                .as("opened before the change was seen, but quoted at the new price")
                .isFalse();

        slot.priceRead(new Entitlement.Price("credits", d("0.5")), 400);
        assertThat(slot.priceSeenNanos).as("the same price again is no change").isEqualTo(200);
    }
}
