package dev.tollgate.client.it;

import dev.tollgate.client.EventOutcome;
import dev.tollgate.client.Tollgate;
import dev.tollgate.client.UsageEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An application that reports {@code count} events of one unit each to a server that is down, prints {@code SPOOLED
 * <n>} once every report's outcome is known, and then waits to be killed. Arguments: base URL, spool directory, count.
 */
public final class SpoolingApp {
    private SpoolingApp() {}

    public static void main(String[] args) throws InterruptedException {
        Tollgate tollgate = Tollgate.builder()
                .baseUrl(args[0])
                .apiKey(ServerUnderTest.KEY)
                .timeout(Duration.ofMillis(500))
                .changeFeed(false)
                .spoolDirectory(Path.of(args[1]))
                .reportBatchSize(100)
                .build();
        int count = Integer.parseInt(args[2]);
        List<CompletableFuture<EventOutcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            outcomes.add(tollgate.report(UsageEvent.of("e-" + i, "acme", "reports", 1)));
        }
        long spooled = outcomes.stream()
                .filter(f -> f.join().status() == EventOutcome.Status.SPOOLED)
                .count();
        System.out.println("SPOOLED " + spooled);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
