package dev.tollgate.bench;

import dev.tollgate.client.Decision;
import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * How long a subscription change takes to reach a connected SDK: the customer's plan is switched between one that
 * enables a boolean feature and one that disables it ({@code PUT /v1/customers/{id}/subscription}), and the time from
 * sending the change until the SDK's check of the feature, answered from its cache, says the new answer. The SDK's
 * cache TTL is far longer than the run, so only the change feed can bring the change.
 *
 * <p>Not thread-safe; one run per call.
 */
final class ChangePropagation {
    /** The longest wait for one change before it counts as lost. */
    private static final long GIVE_UP_NANOS = 10_000_000_000L;

    /**
     * What a run saw.
     *
     * @param visible from sending each change until the SDK answered it, ns
     * @param answered from sending each change until the server answered the PUT, ns
     * @param lost changes not visible within 10 s
     * @param notFromCache observations whose answer did not come from the cache
     */
    record Run(Histogram visible, Histogram answered, int lost, int notFromCache) {}

    private ChangePropagation() {}

    /**
     * Makes {@code changes} changes of {@code customer}'s plan, alternating {@code offPlan} and {@code onPlan}
     * (it starts on {@code onPlan}), one at a time, each after the last was visible.
     */
    static Run measure(
            int port,
            String apiKey,
            Tollgate sdk,
            String customer,
            String feature,
            String onPlan,
            String offPlan,
            int changes) {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        Histogram visible = new Histogram(3);
        Histogram answered = new Histogram(3);
        int lost = 0;
        int notFromCache = 0;
        for (int i = 0; i < changes; i++) {
            boolean on = i % 2 == 1;
            HttpRequest put = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/v1/customers/" + customer + "/subscription"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + apiKey)
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(
                            dev.tollgate.core.json.Json.write(Map.of("plan", on ? onPlan : offPlan))))
                    .build();
            long sent = System.nanoTime();
            long[] answeredAt = {0};
            CompletableFuture<HttpResponse<String>> reply = http.sendAsync(put, HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> answeredAt[0] = System.nanoTime());
            long seen = 0;
            while (seen == 0 && System.nanoTime() - sent < GIVE_UP_NANOS) {
                Decision d = sdk.check(customer, feature);
                if (d.source() != Source.CACHE) {
                    notFromCache++;
                }
                if (d.allowed() == on) {
                    seen = System.nanoTime();
                } else {
                    LockSupport.parkNanos(20_000);
                }
            }
            HttpResponse<String> r = reply.join();
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException("the plan change answered " + r.statusCode() + ": " + r.body());
            }
            if (seen == 0) {
                lost++;
            } else {
                visible.recordValue(Math.max(1, seen - sent));
            }
            answered.recordValue(Math.max(1, answeredAt[0] - sent));
        }
        return new Run(visible, answered, lost, notFromCache);
    }
}
