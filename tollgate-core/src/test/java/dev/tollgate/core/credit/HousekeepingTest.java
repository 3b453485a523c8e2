package dev.tollgate.core.credit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.catalog.CreditAllotment;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class HousekeepingTest {
    private static final Instant START = Instant.parse("2026-01-31T00:00:00Z");

    private static Allotment monthly(String amount) {
        return new Allotment(
                "plan:p@1#0",
                new CreditAllotment("credits", new BigDecimal(amount), ResetPeriod.MONTH, true, true, 0),
                BigDecimal.ONE,
                START,
                null,
                START,
                ZoneOffset.UTC);
    }

    @Test
    void missed_periods_are_issued_and_expired_in_time_order_and_the_accounts_passed_in_stay_unchanged() {
        Map<String, CreditAccount> accounts = Map.of();
        List<LedgerChange> due =
                Housekeeping.due(accounts, List.of(monthly("100")), Instant.parse("2026-03-05T00:00:00Z"));

        assertThat(due)
                .extracting(c -> c instanceof LedgerChange.NewGrant g
                        ? "GRANT " + g.grant().effectiveAt()
                        : "EXPIRE " + ((LedgerChange.Moves) c).time())
                .containsExactly(
                        "GRANT 2026-01-31T00:00:00Z", "EXPIRE 2026-02-28T00:00:00Z", "GRANT 2026-02-28T00:00:00Z");
        assertThat(accounts).isEmpty();
    }

    @Test
    void an_issued_period_is_not_issued_again_and_nothing_is_due_between_boundaries() {
        CreditAccount account = new CreditAccount("credits");
        for (LedgerChange c : Housekeeping.due(Map.of(), List.of(monthly("100")), START)) {
            account.add(((LedgerChange.NewGrant) c).grant());
        }
        assertThat(Housekeeping.due(Map.of("credits", account), List.of(monthly("100")), START.plusSeconds(86_400)))
                .isEmpty();
        assertThat(Housekeeping.due(Map.of("credits", account), List.of(monthly("0")), START))
                .isEmpty();
    }

    @Test
    void a_grant_that_becomes_effective_pays_back_the_overdraft_at_its_start() {
        CreditAccount account = new CreditAccount("tokens");
        Instant later = START.plusSeconds(3600);
        account.add(
                new Grant("g1", "tokens", new BigDecimal("10"), false, BigDecimal.ZERO, 0, later, null, "api", null));
        account.move(EntryType.CONSUME, List.of(new Movement(null, new BigDecimal("-4"))));
        account.advance(START);

        assertThat(Housekeeping.due(Map.of("tokens", account), List.of(), later.minusNanos(1)))
                .isEmpty();
        List<LedgerChange> due = Housekeeping.due(Map.of("tokens", account), List.of(), later.plusSeconds(60));
        assertThat(due).singleElement().satisfies(c -> {
            LedgerChange.Moves m = (LedgerChange.Moves) c;
            assertThat(m.type()).isEqualTo(EntryType.OVERDRAFT_REPAID);
            assertThat(m.time()).isEqualTo(later);
            assertThat(m.movements())
                    .containsExactly(new Movement("g1", new BigDecimal("-4")), new Movement(null, new BigDecimal("4")));
        });
    }
}
