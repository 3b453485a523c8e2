package dev.tollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.store.CommitInDoubtException;
import dev.tollgate.core.store.StoreException;
import dev.tollgate.server.http.Response;
import dev.tollgate.server.http.RouteTable;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** How a failed write is answered: 503 only when it is known not to be stored. */
final class RefusalTest {
    private static final RouteTable.Route CONSUME = new RouteTable.Route(
            "POST", "/v1/consume", RouteTable.Mode.ASYNC, ctx -> CompletableFuture.completedFuture(null));

    @Test
    void a_write_whose_commit_wait_timed_out_is_in_doubt_not_unavailable() {
        Response answer = HttpApi.refusal(CONSUME, new CompletionException(new TimeoutException()));

        assertThat(answer.status())
                .as("the commit may still happen: 503 would say it was not stored")
                .isEqualTo(504);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).contains("COMMIT_IN_DOUBT");
    }

    @Test
    void a_store_failure_is_unavailable_and_a_doubt_is_in_doubt() {
        assertThat(HttpApi.refusal(CONSUME, new CompletionException(new StoreException("down")))
                        .status())
                .isEqualTo(503);
        assertThat(HttpApi.refusal(CONSUME, new CommitInDoubtException("cannot tell", null))
                        .status())
                .isEqualTo(504);
    }
}
