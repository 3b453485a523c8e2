package dev.tollgate.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.store.Ownership;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

final class RequestTargetTest {

    private static RequestTarget target(String method, String path, String body) {
        return target(method, path, Map.of(), body);
    }

    private static RequestTarget target(String method, String path, Map<String, String> query, String body) {
        return RequestTarget.of(
                method, path, name -> (@Nullable String) query.get(name), body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void a_customer_is_read_from_the_path_percent_decoded() {
        assertThat(target("GET", "/v1/customers/acme%2Feu/entitlements", ""))
                .isEqualTo(new RequestTarget.Customer("acme/eu"));
        assertThat(target("PUT", "/v1/customers/acme", "{}")).isEqualTo(new RequestTarget.Customer("acme"));
        assertThat(target("GET", "/v1/customers/a%40b:c.d-e_f/balance", ""))
                .isEqualTo(new RequestTarget.Customer("a@b:c.d-e_f"));
    }

    @Test
    void a_session_belongs_to_the_customer_its_id_names() {
        assertThat(target("POST", "/v1/sessions/acme%40eu@s12/close", "{}"))
                .isEqualTo(new RequestTarget.Customer("acme@eu"));
        assertThat(target("GET", "/v1/sessions/nonsense", "")).isEqualTo(RequestTarget.HERE);
    }

    @Test
    void check_consume_and_open_session_read_the_customer_from_the_body() {
        String body = "{\"customerId\":\"acme\",\"feature\":\"q\",\"quantity\":1}";
        assertThat(target("POST", "/v1/check", body)).isEqualTo(new RequestTarget.Customer("acme"));
        assertThat(target("POST", "/v1/consume", body)).isEqualTo(new RequestTarget.Customer("acme"));
        assertThat(target("POST", "/v1/sessions", body)).isEqualTo(new RequestTarget.Customer("acme"));
    }

    @Test
    void a_body_that_cannot_be_read_is_refused_where_it_arrived() {
        assertThat(target("POST", "/v1/consume", "{not json")).isEqualTo(RequestTarget.HERE);
        assertThat(target("POST", "/v1/consume", "{\"customerId\": 7}")).isEqualTo(RequestTarget.HERE);
        assertThat(target("POST", "/v1/events", "{\"events\": []}")).isEqualTo(RequestTarget.HERE);
    }

    @Test
    void the_catalog_and_the_webhooks_belong_to_the_global_owner() {
        assertThat(target("PUT", "/v1/catalog", "features: []"))
                .isEqualTo(new RequestTarget.Customer(Ownership.GLOBAL));
        assertThat(target("GET", "/v1/catalog/versions", "")).isEqualTo(new RequestTarget.Customer(Ownership.GLOBAL));
        assertThat(target("DELETE", "/v1/webhooks/w1", "")).isEqualTo(new RequestTarget.Customer(Ownership.GLOBAL));
    }

    @Test
    void lists_span_every_node_and_operations_are_served_here() {
        assertThat(target("GET", "/v1/customers", "")).isInstanceOf(RequestTarget.Everyone.class);
        assertThat(target("GET", "/v1/events/log", "")).isInstanceOf(RequestTarget.Everyone.class);
        assertThat(target("GET", "/v1/events/log", Map.of("customerId", "acme"), ""))
                .isEqualTo(new RequestTarget.Customer("acme"));
        assertThat(target("GET", "/health", "")).isEqualTo(RequestTarget.HERE);
        assertThat(target("GET", "/metrics", "")).isEqualTo(RequestTarget.HERE);
    }

    @Test
    void the_feed_of_any_customers_is_merged_from_every_node() {
        assertThat(target("GET", "/v1/stream", Map.of("customers", "acme"), "")).isEqualTo(new RequestTarget.Stream());
        assertThat(target("GET", "/v1/stream", Map.of("customers", "a,b"), "")).isEqualTo(new RequestTarget.Stream());
        assertThat(target("GET", "/v1/stream", "")).isEqualTo(new RequestTarget.Stream());
        assertThat(target("POST", "/v1/stream", "")).isEqualTo(RequestTarget.HERE);
    }

    @Test
    void a_batch_of_events_keeps_its_items() {
        RequestTarget t =
                target("POST", "/v1/events", "{\"events\":[{\"customerId\":\"a\"},{\"customerId\":\"b\"},\"junk\"]}");
        assertThat(t).isInstanceOf(RequestTarget.Events.class);
        RequestTarget.Events e = (RequestTarget.Events) t;
        assertThat(e.items()).hasSize(3);
        assertThat(e.customers()).containsExactly("a", "b", RequestTarget.NO_CUSTOMER);
    }

    /**
     * One item with a duplicate field (which the recording server refuses alone) does not make the whole batch served
     * where it arrived: Issue16IT on PostgreSQL saw the batch's other customers refused NOT_OWNER there.
     */
    @Test
    void a_batch_with_a_malformed_item_still_goes_to_its_customers_owners() {
        RequestTarget t = target(
                "POST",
                "/v1/events",
                "{\"events\":[{\"customerId\":\"ghost\",\"quantity\":1},"
                        + "{\"customerId\":\"acme\",\"feature\":\"q\",\"customerId\":\"acme\"},{\"customerId\":7}]}");
        assertThat(t).isInstanceOf(RequestTarget.Events.class);
        assertThat(((RequestTarget.Events) t).customers()).containsExactly("ghost", "acme", RequestTarget.NO_CUSTOMER);
        assertThat(target("POST", "/v1/events", "{\"events\":[{\"customerId\":\"a\"}"))
                .isEqualTo(RequestTarget.HERE);
        assertThat(target("POST", "/v1/events", "{\"events\":[]}")).isEqualTo(RequestTarget.HERE);
        assertThat(target("POST", "/v1/events", "{\"events\":[{\"customerId\":\"a\"}],\"events\":[]}"))
                .as("a batch named twice is refused whole where it arrived")
                .isEqualTo(RequestTarget.HERE);
    }

    @Test
    void an_id_that_is_not_one_is_refused_where_it_arrived() {
        assertThat(target("GET", "/v1/customers/a%00b/entitlements", "")).isEqualTo(RequestTarget.HERE);
        assertThat(target("GET", "/v1/customers/_system", "")).isEqualTo(RequestTarget.HERE);
        assertThat(target("POST", "/v1/consume", "{\"customerId\":\"a b\"}")).isEqualTo(RequestTarget.HERE);
        assertThat(target("POST", "/v1/sessions/%20@s1/close", "{}")).isEqualTo(RequestTarget.HERE);
    }
}
