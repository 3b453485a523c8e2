package dev.tollgate.core.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.Reason;
import dev.tollgate.core.catalog.Enforcement;
import dev.tollgate.core.catalog.FeatureType;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.period.internal.Window;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class MeteredLimitTest {
    private static final Window WINDOW =
            new Window(Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-02-01T00:00:00Z"));

    private static EffectiveEntitlement limit(String value, Enforcement enforcement) {
        return new EffectiveEntitlement(
                "q",
                FeatureType.METERED,
                true,
                null,
                value == null ? null : new BigDecimal(value),
                enforcement,
                ResetPeriod.MONTH,
                false,
                "plan:p@1");
    }

    private static Decision decide(EffectiveEntitlement e, String used, String held, String q, MeteredLimit.Mode mode) {
        return MeteredLimit.decide(
                e,
                new MeteredLimit.Standing(WINDOW, new BigDecimal(used), new BigDecimal(held)),
                q == null ? null : new BigDecimal(q),
                mode);
    }

    @Test
    void the_boundary_is_exact_used_plus_held_plus_quantity_at_most_limit() {
        EffectiveEntitlement hard = limit("1.0", Enforcement.HARD);
        assertThat(decide(hard, "0.7", "0", "0.3", MeteredLimit.Mode.CONSUME).allowed())
                .isTrue();
        assertThat(decide(hard, "0.7", "0", "0.30000001", MeteredLimit.Mode.CONSUME)
                        .allowed())
                .isFalse();
        assertThat(decide(hard, "0.5", "0.2", "0.3", MeteredLimit.Mode.CONSUME).allowed())
                .isTrue();
        assertThat(decide(hard, "0.5", "0.3", "0.3", MeteredLimit.Mode.CONSUME).allowed())
                .isFalse();
    }

    @Test
    void a_hard_denial_names_the_feature_and_records_nothing() {
        Decision d = decide(limit("10", Enforcement.HARD), "9", "0", "2", MeteredLimit.Mode.CONSUME);
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
        assertThat(d.boundBy()).isEqualTo(BoundBy.feature("q"));
        assertThat(d.used()).isEqualByComparingTo("9");
        assertThat(d.remaining()).isEqualByComparingTo("1");
        assertThat(d.resetsAt()).isEqualTo(WINDOW.end());
    }

    @Test
    void an_admitted_consumption_reports_usage_after_it() {
        Decision d = decide(limit("10", Enforcement.HARD), "4", "1", "3", MeteredLimit.Mode.CONSUME);
        assertThat(d.allowed()).isTrue();
        assertThat(d.used()).isEqualByComparingTo("7");
        assertThat(d.held()).isEqualByComparingTo("1");
        assertThat(d.remaining()).isEqualByComparingTo("2");
        assertThat(d.overage()).isFalse();
    }

    @Test
    void soft_limits_admit_and_count_only_the_part_beyond_the_limit_as_overage() {
        EffectiveEntitlement soft = limit("10", Enforcement.SOFT);
        Decision crossing = decide(soft, "8", "0", "5", MeteredLimit.Mode.CONSUME);
        assertThat(crossing.allowed()).isTrue();
        assertThat(crossing.overage()).isTrue();
        assertThat(crossing.overageQuantity()).isEqualByComparingTo("3");
        assertThat(crossing.remaining()).isEqualByComparingTo("0");
        Decision alreadyOver = decide(soft, "12", "0", "5", MeteredLimit.Mode.CONSUME);
        assertThat(alreadyOver.overageQuantity()).isEqualByComparingTo("5");
    }

    @Test
    void reported_usage_is_admitted_past_a_hard_limit_as_overage() {
        Decision d = decide(limit("10", Enforcement.HARD), "9", "0", "4", MeteredLimit.Mode.REPORT);
        assertThat(d.allowed()).isTrue();
        assertThat(d.overage()).isTrue();
        assertThat(d.overageQuantity()).isEqualByComparingTo("3");
        assertThat(d.used()).isEqualByComparingTo("13");
    }

    @Test
    void a_check_without_quantity_asks_whether_any_room_is_left_and_records_nothing() {
        EffectiveEntitlement hard = limit("10", Enforcement.HARD);
        assertThat(decide(hard, "9.5", "0", null, MeteredLimit.Mode.CHECK).allowed())
                .isTrue();
        assertThat(decide(hard, "10", "0", null, MeteredLimit.Mode.CHECK).allowed())
                .isFalse();
        Decision check = decide(hard, "3", "0", "2", MeteredLimit.Mode.CHECK);
        assertThat(check.used()).isEqualByComparingTo("3");
        assertThat(check.recorded()).isFalse();
    }

    @Test
    void unlimited_admits_everything_without_limit_or_remaining() {
        Decision d = decide(limit(null, Enforcement.HARD), "1000000", "0", "999999", MeteredLimit.Mode.CONSUME);
        assertThat(d.allowed()).isTrue();
        assertThat(d.unlimited()).isTrue();
        assertThat(d.limit()).isNull();
        assertThat(d.remaining()).isNull();
    }
}
