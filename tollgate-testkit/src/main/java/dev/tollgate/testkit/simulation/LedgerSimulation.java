package dev.tollgate.testkit.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.BalanceView;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.GrantView;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.engine.Verifier;
import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.MutableClock;
import dev.tollgate.testkit.reference.ReferenceLedger;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Drives the real engine on a real store with seeded random grants, consumptions, voids, refunds, expiries and clock
 * moves, and after every step compares each currency's available balance, overdraft and every grant's remainder with
 * a {@link ReferenceLedger}. A hard currency ({@code credits}) and a soft one ({@code tokens}) run side by side.
 * Every 500 steps, and at the end, the engine restarts from the store and {@link Verifier} checks the ledger
 * invariants.
 *
 * <p>A failure says {@code seed=…} and the step; {@code -Dtollgate.seed=…} replays it exactly (the clock is simulated).
 */
public final class LedgerSimulation {
    private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
    private static final Map<String, Object> CATALOG = Map.of(
            "currencies",
            List.of(Map.of("key", "credits", "depletion", "hard"), Map.of("key", "tokens", "depletion", "soft")),
            "features",
            List.of(
                    Map.of("key", "h", "type", "metered", "reset", "never"),
                    Map.of("key", "s", "type", "metered", "reset", "never")),
            "rateCards",
            List.of(
                    Map.of("feature", "h", "currency", "credits", "per", 1, "rate", 1),
                    Map.of("feature", "s", "currency", "tokens", "per", 1, "rate", 1)),
            "plans",
            List.of(Map.of(
                    "key",
                    "p",
                    "entitlements",
                    Map.of("h", Map.of("limit", "unlimited"), "s", Map.of("limit", "unlimited")))));

    private final Supplier<Store> stores;
    private final long seed;
    private final Random random;
    private final MutableClock clock = MutableClock.at(START);
    private final Map<String, ReferenceLedger> models = new HashMap<>();
    private final Map<String, String> currencyOfGrant = new HashMap<>();
    private final List<String> refundable = new ArrayList<>();
    private final java.util.Set<String> voided = new java.util.HashSet<>();
    private Store store;
    private Engine engine;
    private int step;

    /**
     * @param stores opens the store of this simulation; called again to restart on the same data
     * @param seed the seed of every random choice
     */
    public LedgerSimulation(Supplier<Store> stores, long seed) {
        this.stores = stores;
        this.seed = seed;
        this.random = new Random(seed);
        this.store = stores.get();
        this.engine = Engine.start(store, clock, null);
        models.put("credits", new ReferenceLedger(true));
        models.put("tokens", new ReferenceLedger(false));
    }

    /**
     * Runs the steps, then closes the engine and the store.
     *
     * @throws AssertionError naming the seed and step at the first disagreement
     */
    public void run(int steps) {
        try {
            engine.publishCatalog(CATALOG, "simulation").get();
            engine.upsertCustomer("sim", new CustomerUpdate("sim", Map.of(), null), null)
                    .get();
            engine.subscribe("sim", new SubscriptionRequest("p", List.of(), null, null, null))
                    .get();
            for (step = 1; step <= steps; step++) {
                one();
                compare();
                if (step % 500 == 0) {
                    restart();
                    compare();
                }
            }
            restart();
            compare();
        } catch (AssertionError e) {
            throw new AssertionError("LedgerSimulation seed=" + seed + " step=" + step + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new AssertionError("LedgerSimulation seed=" + seed + " step=" + step + ": " + e, e);
        } finally {
            engine.close();
            store.close();
        }
    }

    private void restart() {
        engine.close();
        assertThat(Verifier.verify(store).differences()).as("verify").isEmpty();
        store.close();
        store = stores.get();
        engine = Engine.start(store, clock, null);
    }

    private void one() throws Exception {
        int dice = random.nextInt(100);
        if (dice < 15) {
            clock.advance(Duration.ofMinutes(1 + random.nextInt(3 * 24 * 60)));
        }
        Instant now = clock.instant();
        models.values().forEach(m -> m.at(now));
        String currency = random.nextBoolean() ? "credits" : "tokens";
        ReferenceLedger model = model(currency);
        if (dice < 40) {
            BigDecimal amount = BigDecimal.valueOf(1 + random.nextInt(100), random.nextInt(2));
            boolean promotional = random.nextBoolean();
            int priority = random.nextInt(3);
            Instant effectiveAt = random.nextInt(5) == 0 ? now.plus(Duration.ofHours(1 + random.nextInt(72))) : now;
            Instant expiresAt = random.nextInt(5) < 3
                    ? effectiveAt.plus(Duration.ofMinutes(30 + random.nextInt(10 * 24 * 60)))
                    : null;
            GrantView g = engine.grant(
                            "sim",
                            new GrantRequest(
                                    currency,
                                    amount,
                                    promotional,
                                    BigDecimal.ZERO,
                                    priority,
                                    effectiveAt,
                                    expiresAt,
                                    "grant-" + step))
                    .get()
                    .value();
            model.grant(g.grant().id(), amount, promotional, priority, effectiveAt, expiresAt);
            currencyOfGrant.put(g.grant().id(), currency);
        } else if (dice < 80) {
            BigDecimal quantity = BigDecimal.valueOf(1 + random.nextInt(60), random.nextInt(2));
            String key = "use-" + step;
            Decision d = engine.consume(new ConsumeRequest(
                            "sim", currency.equals("credits") ? "h" : "s", quantity, key, null, Map.of()))
                    .get()
                    .value();
            boolean admitted = model.consume(key, quantity);
            assertThat(d.allowed()).as("admission of %s %s", quantity, currency).isEqualTo(admitted);
            if (!admitted) {
                assertThat(d.reason()).isEqualTo(Reason.INSUFFICIENT_CREDITS);
            } else {
                refundable.add(currency + ":" + key);
            }
        } else if (dice < 90) {
            if (currencyOfGrant.isEmpty()) {
                return;
            }
            List<String> ids = new ArrayList<>(currencyOfGrant.keySet());
            ids.sort(null);
            String id = ids.get(random.nextInt(ids.size()));
            ReferenceLedger owner = model(Objects.requireNonNull(currencyOfGrant.get(id)));
            if (voided.contains(id)) {
                assertThat(engine.voidGrant("sim", id).get().replayed())
                        .as("a second void of %s answers the first", id)
                        .isTrue();
            } else if (owner.expired(id)) {
                try {
                    engine.voidGrant("sim", id);
                    throw new AssertionError("void of expired grant " + id + " was accepted");
                } catch (TollgateException e) {
                    assertThat(e.code()).isEqualTo("GRANT_EXPIRED");
                }
            } else {
                engine.voidGrant("sim", id).get();
                owner.voidGrant(id);
                voided.add(id);
            }
        } else if (!refundable.isEmpty()) {
            String pick = refundable.get(random.nextInt(refundable.size()));
            String[] parts = pick.split(":", 2);
            engine.refund("sim", parts[1]).get();
            model(parts[0]).refund(parts[1]);
        }
    }

    private ReferenceLedger model(String currency) {
        return Objects.requireNonNull(models.get(currency), currency);
    }

    private void compare() {
        for (BalanceView b : engine.balances("sim")) {
            ReferenceLedger model = model(b.currency());
            assertThat(b.available()).as("%s available", b.currency()).isEqualByComparingTo(model.available());
            assertThat(b.overdraft()).as("%s overdraft", b.currency()).isEqualByComparingTo(model.overdraft());
        }
        for (GrantView g : engine.grants("sim", null, false)) {
            ReferenceLedger model = model(g.grant().currency());
            assertThat(g.remaining())
                    .as("remaining of %s (%s)", g.grant().id(), g.status())
                    .isEqualByComparingTo(model.remaining(g.grant().id()));
        }
    }
}
