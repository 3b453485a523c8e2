package dev.tollgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class RouterTest {
    private final Router<String> router = new Router<>();

    RouterTest() {
        router.add("GET", "/v1/events/{eventId}", "event");
        router.add("GET", "/v1/events/log", "log");
        router.add("POST", "/v1/customers/{customerId}/grants/{grantId}/void", "void");
        router.add("GET", "/health", "health");
    }

    @Test
    void a_literal_segment_wins_over_a_parameter() {
        assertThat(router.match("GET", "/v1/events/log")).isEqualTo(found("log", java.util.Map.of()));
        assertThat(router.match("GET", "/v1/events/e-1")).isEqualTo(found("event", java.util.Map.of("eventId", "e-1")));
    }

    @Test
    void parameters_are_taken_from_their_segments_and_a_trailing_slash_is_ignored() {
        assertThat(router.match("POST", "/v1/customers/acme/grants/g-7/void/"))
                .isEqualTo(found("void", java.util.Map.of("customerId", "acme", "grantId", "g-7")));
        assertThat(router.match("GET", "/health/")).isEqualTo(found("health", java.util.Map.of()));
    }

    /** Only a path matches: {@code Xv1/events/log} once matched {@code /v1/events/log} (the first character dropped). */
    @Test
    void what_does_not_start_with_a_slash_matches_nothing() {
        assertThat(router.match("GET", "Xv1/events/log")).isInstanceOf(Router.NotFound.class);
        assertThat(router.match("GET", "v1/events/log")).isInstanceOf(Router.NotFound.class);
        assertThat(router.match("GET", "health")).isInstanceOf(Router.NotFound.class);
        assertThat(router.match("GET", "")).isInstanceOf(Router.NotFound.class);
    }

    @Test
    void another_method_on_a_known_path_differs_from_an_unknown_path() {
        assertThat(router.match("DELETE", "/health")).isInstanceOf(Router.WrongMethod.class);
        assertThat(router.match("GET", "/v1/customers/acme/grants/g-7/void")).isInstanceOf(Router.WrongMethod.class);
        assertThat(router.match("GET", "/v1/nothing")).isInstanceOf(Router.NotFound.class);
        assertThat(router.match("GET", "/v1/events//")).isInstanceOf(Router.NotFound.class);
        assertThat(router.match("POST", "/v1/customers//grants/g/void")).isInstanceOf(Router.NotFound.class);
    }

    private static Router.Result<String> found(String route, java.util.Map<String, String> params) {
        return new Router.Found<>(new Router.Match<>(route, params));
    }
}
