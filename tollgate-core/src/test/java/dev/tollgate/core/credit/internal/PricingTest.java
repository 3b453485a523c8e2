package dev.tollgate.core.credit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.catalog.RateCard;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class PricingTest {
    private static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    private static RateCard tiers(boolean volume) {
        return new RateCard(
                "f",
                "credits",
                BigDecimal.ONE,
                null,
                Map.of(),
                List.of(new RateCard.Tier(d("10"), d("2")), new RateCard.Tier(d("20"), d("1"))),
                volume);
    }

    @Test
    void a_listed_dimension_value_wins_then_the_default_and_nothing_is_unpriced() {
        RateCard card = new RateCard(
                "llm", "credits", d("1000"), d("1"), Map.of("model", Map.of("gpt-4o", d("5"))), List.of(), false);
        assertThat(Pricing.price(card, d("2000"), Map.of("model", "gpt-4o"), BigDecimal.ZERO))
                .isEqualByComparingTo("10");
        assertThat(Pricing.price(card, d("2000"), Map.of("model", "x"), BigDecimal.ZERO))
                .isEqualByComparingTo("2");
        RateCard noDefault = new RateCard(
                "llm", "credits", d("1000"), null, Map.of("model", Map.of("gpt-4o", d("5"))), List.of(), false);
        assertThat(Pricing.price(noDefault, d("1"), Map.of("model", "x"), BigDecimal.ZERO))
                .isNull();
        assertThat(Pricing.price(noDefault, d("1"), Map.of(), BigDecimal.ZERO)).isNull();
    }

    @Test
    void graduated_tiers_price_each_unit_in_its_tier_and_past_the_last_at_the_last_rate() {
        RateCard card = tiers(false);
        assertThat(Pricing.price(card, d("4"), Map.of(), d("8")))
                .as("2 at 2, 2 at 1")
                .isEqualByComparingTo("6");
        assertThat(Pricing.price(card, d("30"), Map.of(), BigDecimal.ZERO))
                .as("10 at 2, 10 at 1, 10 past the end at 1")
                .isEqualByComparingTo("40");
        assertThat(Pricing.price(card, d("0.5"), Map.of(), d("9.75"))).isEqualByComparingTo("0.75");
    }

    @Test
    void volume_tiers_price_the_whole_quantity_at_the_tier_reached() {
        RateCard card = tiers(true);
        assertThat(Pricing.price(card, d("4"), Map.of(), d("8")))
                .as("12 reached: tier 2")
                .isEqualByComparingTo("4");
        assertThat(Pricing.price(card, d("2"), Map.of(), d("8")))
                .as("10 reached: tier 1")
                .isEqualByComparingTo("4");
    }

    @Test
    void a_division_that_does_not_terminate_is_rounded_half_even_to_twelve_places() {
        RateCard card = new RateCard("f", "credits", d("3"), d("1"), Map.of(), List.of(), false);
        assertThat(Pricing.price(card, d("1"), Map.of(), BigDecimal.ZERO)).isEqualByComparingTo("0.333333333333");
        assertThat(Pricing.price(card, d("2"), Map.of(), BigDecimal.ZERO)).isEqualByComparingTo("0.666666666667");
    }

    @Test
    void a_unit_price_exists_only_for_a_flat_card_whose_rate_per_unit_is_an_exact_decimal() {
        RateCard flat = new RateCard("llm", "credits", d("1000"), d("3"), Map.of(), List.of(), false);
        assertThat(Pricing.unitPrice(flat)).isEqualTo(d("0.003"));
        for (long q : new long[] {1, 7, 1000, 123_457}) {
            assertThat(Pricing.price(flat, BigDecimal.valueOf(q), Map.of("model", "any"), d("99")))
                    .as("%d units cost what the unit price says", q)
                    .isEqualByComparingTo(BigDecimal.valueOf(q).multiply(d("0.003")));
        }
        assertThat(Pricing.unitPrice(new RateCard("f", "credits", d("3"), d("1"), Map.of(), List.of(), false)))
                .as("1/3 is not an exact decimal; a consumption's price is rounded")
                .isNull();
        assertThat(Pricing.unitPrice(tiers(false))).isNull();
        assertThat(Pricing.unitPrice(new RateCard(
                        "f", "credits", d("1"), d("1"), Map.of("model", Map.of("big", d("5"))), List.of(), false)))
                .as("priced by dimension")
                .isNull();
        assertThat(Pricing.unitPrice(new RateCard("f", "credits", d("1"), null, Map.of(), List.of(), false)))
                .isNull();
    }
}
