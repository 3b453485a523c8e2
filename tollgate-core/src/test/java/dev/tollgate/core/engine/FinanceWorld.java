package dev.tollgate.core.engine;

import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.EventResult;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.api.UsageEvent;
import dev.tollgate.core.decision.Decision;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real engine on a {@link ListStore} with a clock the test moves, and the short verbs the finance tests speak in:
 * publish, subscribe, grant, consume, report.
 */
final class FinanceWorld implements AutoCloseable {
    final AtomicReference<Instant> now;
    final ListStore store = new ListStore();
    final Engine engine;

    FinanceWorld(Instant start) throws Exception {
        this.now = new AtomicReference<>(start);
        this.engine = Engine.start(store, now::get, null);
    }

    void at(String instant) {
        now.set(Instant.parse(instant));
    }

    void publish(Object document) throws Exception {
        engine.publishCatalog(document, "test").get();
    }

    void customer(String id, String plan) throws Exception {
        engine.upsertCustomer(id, new CustomerUpdate(id, Map.of(), null), null).get();
        engine.subscribe(id, new SubscriptionRequest(plan, List.of(), null, now.get(), null))
                .get();
    }

    void grant(String customer, String currency, String amount, boolean promotional, String costBasis, String key)
            throws Exception {
        engine.grant(
                        customer,
                        new GrantRequest(
                                currency,
                                new BigDecimal(amount),
                                promotional,
                                new BigDecimal(costBasis),
                                0,
                                null,
                                null,
                                key))
                .get();
    }

    Decision consume(String customer, String feature, String quantity, String key, Map<String, String> dimensions)
            throws Exception {
        return engine.consume(new ConsumeRequest(customer, feature, new BigDecimal(quantity), key, null, dimensions))
                .get()
                .value();
    }

    Decision consume(String customer, String feature, String quantity, String key) throws Exception {
        return consume(customer, feature, quantity, key, Map.of());
    }

    EventResult report(String customer, String feature, String quantity, String key, Map<String, String> dimensions)
            throws Exception {
        return engine.report(List.of(
                        new UsageEvent(key, customer, feature, new BigDecimal(quantity), null, dimensions, null, null)))
                .get()
                .get(0);
    }

    /** Metered features of the given keys, as a catalog document lists them. */
    static List<Object> metered(String... keys) {
        List<Object> out = new java.util.ArrayList<>();
        for (String k : keys) {
            out.add(Map.of("key", k, "type", "metered"));
        }
        return out;
    }

    /**
     * A rate card in credits per 1000 units of {@code feature}, by model.
     *
     * @param rate the rate of the models not listed, or {@code null} for none (they are unpriced)
     */
    static Map<String, Object> perThousandByModel(
            String feature, @org.jspecify.annotations.Nullable Object rate, Map<String, Object> byModel) {
        Map<String, Object> card = new java.util.LinkedHashMap<>();
        card.put("feature", feature);
        card.put("currency", "credits");
        card.put("per", 1000);
        if (rate != null) {
            card.put("rate", rate);
        }
        card.put("byDimension", Map.of("model", byModel));
        return card;
    }

    @Override
    public void close() {
        engine.close();
    }
}
