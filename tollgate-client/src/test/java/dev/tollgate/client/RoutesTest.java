package dev.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutesTest {
    private static final URI BASE = URI.create("http://lb:8080");
    private static final URI N1 = URI.create("http://10.0.0.1:8081");
    private static final URI N2 = URI.create("http://10.0.0.2:8081");

    @Test
    void the_customer_of_a_call_is_read_as_the_server_reads_it() {
        assertThat(Routes.customerOf("/v1/customers/acme/entitlements", null)).isEqualTo("acme");
        assertThat(Routes.customerOf("/v1/customers/a%40b", null)).isEqualTo("a@b");
        assertThat(Routes.customerOf("/v1/sessions/acme@s12/close", Map.of())).isEqualTo("acme");
        assertThat(Routes.customerOf("/v1/sessions/nosession/close", Map.of())).isNull();
        assertThat(Routes.customerOf("/v1/consume", Map.of("customerId", "globex")))
                .isEqualTo("globex");
        assertThat(Routes.customerOf("/v1/events", Map.of("events", List.of()))).isNull();
        assertThat(Routes.customerOf("/v1/cluster", null)).isNull();
    }

    @Test
    void a_call_goes_to_the_owner_an_answer_named_once_it_is_known() {
        Routes routes = new Routes(BASE, true);
        assertThat(routes.target("acme")).isEqualTo(BASE);
        routes.answered(BASE, "acme", "http://10.0.0.1:8081/");
        assertThat(routes.target("acme")).isEqualTo(N1);
        assertThat(routes.target("globex"))
                .as("another customer: the entry node")
                .isEqualTo(BASE);
        assertThat(routes.target(null)).isEqualTo(BASE);
        routes.answered(N1, "acme", "ftp://elsewhere");
        assertThat(routes.target("acme")).as("not an http URL: ignored").isEqualTo(N1);
    }

    @Test
    void without_direct_routing_every_call_goes_to_the_entry_node() {
        Routes routes = new Routes(BASE, false);
        routes.answered(BASE, "acme", N1.toString());
        assertThat(routes.target("acme")).isEqualTo(BASE);
    }

    @Test
    void a_node_that_cannot_be_connected_to_is_avoided_and_the_next_live_one_is_tried() {
        Routes routes = new Routes(BASE, true);
        routes.members(List.of(N1, N2));
        routes.answered(BASE, "acme", N1.toString());

        routes.unreachable(N1);
        assertThat(routes.target("acme"))
                .as("its owner avoided: the entry node")
                .isEqualTo(BASE);
        assertThat(routes.after(N1)).isEqualTo(BASE);

        routes.unreachable(BASE);
        assertThat(routes.entry()).as("the base avoided: a live node").isEqualTo(N2);
        assertThat(routes.after(BASE)).isEqualTo(N2);
        routes.unreachable(N2);
        assertThat(routes.after(N2)).as("none left").isNull();

        routes.answered(BASE, null, null);
        assertThat(routes.entry()).as("an answer makes a node usable again").isEqualTo(BASE);
    }

    @Test
    void the_live_members_are_read_from_the_cluster_view() {
        var view = Wire.read("{\"members\":[{\"nodeId\":\"n1\",\"url\":\"http://10.0.0.1:8081/\",\"alive\":true},"
                + "{\"nodeId\":\"n2\",\"url\":\"http://10.0.0.2:8081\",\"alive\":false},"
                + "{\"nodeId\":\"n3\",\"url\":\"\",\"alive\":true}]}");
        assertThat(Routes.liveMembers(view)).containsExactly(N1);
    }
}
