package dev.tollgate.core.alert;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An alert: something a customer's operator or billing should hear about.
 *
 * @param id unique ({@code <customerId>#a<n>})
 * @param customerId the customer
 * @param type {@code limit.threshold}, {@code budget.threshold}, {@code balance.low}, {@code balance.depleted},
 *     {@code credits.recharged} or {@code credits.expired}
 * @param dedupKey what makes it once per threshold per period (two alerts never share one)
 * @param at when it was raised
 * @param data the details, in the JSON tree model (strings and exact decimals)
 * @param webhooks the webhooks it is to be delivered to, decided when raised
 */
public record Alert(
        String id,
        String customerId,
        String type,
        String dedupKey,
        Instant at,
        Map<String, Object> data,
        List<String> webhooks) {

    public Alert {
        data = Map.copyOf(data);
        webhooks = List.copyOf(webhooks);
    }
}
