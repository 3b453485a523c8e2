package dev.tollgate.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.Reason;
import dev.tollgate.core.decision.Decision;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private final Metrics metrics = new Metrics();

    @Test
    void each_outcome_and_reason_is_counted_under_its_own_tags() {
        Metrics.DecisionMeters checks = metrics.decisions("check");
        Metrics.DecisionMeters consumes = metrics.decisions("consume");

        checks.count(Decision.plain(true, null, null, null));
        checks.count(Decision.plain(true, null, null, null));
        checks.count(Decision.denied(Reason.LIMIT_EXCEEDED));
        checks.count(Decision.plain(true, Reason.LIMIT_EXCEEDED, null, null));
        checks.count(Decision.denied(Reason.NOT_ENTITLED));
        consumes.count(Decision.denied(Reason.LIMIT_EXCEEDED));

        assertThat(metrics.scrape())
                .contains("tollgate_decisions_total{endpoint=\"check\",outcome=\"allowed\",reason=\"NONE\"} 2")
                .contains("tollgate_decisions_total{endpoint=\"check\",outcome=\"denied\",reason=\"LIMIT_EXCEEDED\"} 1")
                .contains(
                        "tollgate_decisions_total{endpoint=\"check\",outcome=\"allowed\",reason=\"LIMIT_EXCEEDED\"} 1")
                .contains("tollgate_decisions_total{endpoint=\"check\",outcome=\"denied\",reason=\"NOT_ENTITLED\"} 1")
                .contains(
                        "tollgate_decisions_total{endpoint=\"consume\",outcome=\"denied\",reason=\"LIMIT_EXCEEDED\"} 1")
                .doesNotContain("outcome=\"denied\",reason=\"NONE\"");
    }

    @Test
    void each_status_of_a_route_is_timed_under_its_own_tags() {
        Metrics.RouteMeters check = metrics.route("POST", "/v1/check");
        Metrics.RouteMeters customer = metrics.route("GET", "/v1/customers/{customerId}");

        check.record(200, 1_000);
        check.record(200, 1_000);
        check.record(400, 1_000);
        customer.record(404, 1_000);

        assertThat(metrics.scrape())
                .contains("tollgate_http_requests_seconds_count{method=\"POST\",route=\"/v1/check\",status=\"200\"} 2")
                .contains("tollgate_http_requests_seconds_count{method=\"POST\",route=\"/v1/check\",status=\"400\"} 1")
                .contains("tollgate_http_requests_seconds_count{method=\"GET\",route=\"/v1/customers/{customerId}\","
                        + "status=\"404\"} 1");
    }

    @Test
    void two_meters_of_the_same_route_count_into_one_series() {
        metrics.route("POST", "/v1/check").record(200, 1_000);
        metrics.route("POST", "/v1/check").record(200, 1_000);

        assertThat(metrics.scrape())
                .contains("tollgate_http_requests_seconds_count{method=\"POST\",route=\"/v1/check\",status=\"200\"} 2");
    }

    @Test
    void a_status_outside_the_kept_range_is_counted_too() {
        Metrics.RouteMeters check = metrics.route("POST", "/v1/check");

        check.record(600, 1_000);
        check.record(600, 1_000);

        assertThat(metrics.scrape())
                .contains("tollgate_http_requests_seconds_count{method=\"POST\",route=\"/v1/check\",status=\"600\"} 2");
    }
}
