package dev.tollgate.server.api;

import static dev.tollgate.core.mapping.Fields.instant;
import static dev.tollgate.core.mapping.Fields.instantOrNull;
import static dev.tollgate.core.mapping.Fields.putPresent;

import dev.tollgate.core.api.CustomerView;
import dev.tollgate.core.api.EntitlementView;
import dev.tollgate.core.api.PriceView;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.mapping.CustomerJson;
import dev.tollgate.core.mapping.Form;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON of customers' answers: a customer with its subscription and promotions (written by the shared mapping,
 * {@link CustomerJson}, in its {@link Form#ANSWER} form), and the effective entitlements with their usage.
 *
 * <p>Thread-safe: stateless.
 */
final class CustomerViews {
    private CustomerViews() {}

    static Map<String, Object> customer(CustomerView c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        putPresent(m, "name", c.name());
        m.put("metadata", c.metadata());
        putPresent(m, "timeZone", c.timeZone());
        m.put("createdAt", instant(c.createdAt()));
        m.put("status", c.status());
        m.put(
                "subscription",
                c.subscription() == null ? null : CustomerJson.subscription(c.subscription(), Form.ANSWER));
        List<Object> promotions = new ArrayList<>();
        c.promotions().forEach(p -> promotions.add(promotion(p)));
        m.put("promotions", promotions);
        return m;
    }

    static Map<String, Object> promotion(Promotion p) {
        return CustomerJson.promotion(p, Form.ANSWER);
    }

    /**
     * An effective entitlement: its value, or for a metered feature its limit, usage, window and, with a rate card,
     * {@code price: {currency, unitPrice}} ({@code unitPrice} only when every unit costs the same).
     */
    static Map<String, Object> effective(EntitlementView v) {
        EffectiveEntitlement e = v.entitlement();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("feature", e.feature());
        m.put("type", lower(e.type().name()));
        m.put("source", e.source());
        switch (e.type()) {
            case BOOLEAN -> m.put("enabled", e.enabled());
            case CONFIG -> m.put("value", e.value());
            case METERED -> {
                putPresent(m, "limit", e.limit());
                m.put("unlimited", e.unlimited());
                m.put("used", v.used());
                m.put("held", v.held());
                putPresent(m, "remaining", v.remaining());
                m.put("overage", v.overage());
                m.put("enforcement", lower(e.enforcement().name()));
                m.put("reset", e.reset().wireName());
                putPresent(m, "resetsAt", instantOrNull(v.resetsAt()));
                PriceView p = v.price();
                if (p != null) {
                    Map<String, Object> price = new LinkedHashMap<>();
                    price.put("currency", p.currency());
                    putPresent(price, "unitPrice", p.unitPrice());
                    m.put("price", price);
                }
            }
        }
        return m;
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
