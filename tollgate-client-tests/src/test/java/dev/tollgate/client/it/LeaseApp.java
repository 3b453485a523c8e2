package dev.tollgate.client.it;

import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import java.time.Duration;

/**
 * An application process that consumes through leases with 32 threads until each is refused, closes its client (which
 * returns its leases) and prints {@code ADMITTED <total> CACHE <n> SERVER <n> FALLBACK <n>}. Arguments: base URL,
 * customer, key prefix.
 */
public final class LeaseApp {
    private LeaseApp() {}

    public static void main(String[] args) throws InterruptedException {
        ConsumeUntilRefused.Tally tally;
        try (Tollgate tollgate = Tollgate.builder()
                .baseUrl(args[0])
                .apiKey(ServerUnderTest.KEY)
                .timeout(Duration.ofSeconds(10))
                .changeFeed(false)
                .build()) {
            tally = ConsumeUntilRefused.run(tollgate, args[1], null, args[2], 32);
        }
        System.out.println(
                "ADMITTED " + tally.total() + " CACHE " + tally.admitted().get(Source.CACHE) + " SERVER "
                        + tally.admitted().get(Source.SERVER) + " FALLBACK "
                        + tally.admitted().get(Source.FALLBACK)
                        + " REFUSALS " + tally.refusals().size());
        System.out.flush();
    }
}
