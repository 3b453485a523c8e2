package dev.tollgate.client.it;

import dev.tollgate.client.Source;
import dev.tollgate.client.Tollgate;
import java.time.Duration;

/**
 * An application process that consumes one feature through leases with 32 threads until each is refused, closes its
 * client (which returns its leases) and prints {@code ADMITTED <total> CACHE <n> SERVER <n> FALLBACK <n> CREDITS
 * <credits told> REFUSALS <SOURCE:REASON=count,...>}. Arguments: base URL, customer, key prefix, and the feature
 * ({@code queries} if absent).
 */
public final class LeaseApp {
    private LeaseApp() {}

    public static void main(String[] args) throws InterruptedException {
        String feature = args.length > 3 ? args[3] : "queries";
        ConsumeUntilRefused.Tally tally;
        try (Tollgate tollgate = Tollgate.builder()
                .baseUrl(args[0])
                .apiKey(ServerUnderTest.KEY)
                .timeout(Duration.ofSeconds(10))
                .changeFeed(false)
                .build()) {
            tally = ConsumeUntilRefused.run(tollgate, args[1], feature, null, args[2], 32);
        }
        StringBuilder refusals = new StringBuilder();
        tally.refusalCounts()
                .forEach((r, n) -> refusals.append(refusals.length() == 0 ? "" : ",")
                        .append(r)
                        .append('=')
                        .append(n));
        System.out.println(
                "ADMITTED " + tally.total() + " CACHE " + tally.admitted().get(Source.CACHE) + " SERVER "
                        + tally.admitted().get(Source.SERVER) + " FALLBACK "
                        + tally.admitted().get(Source.FALLBACK)
                        + " CREDITS " + tally.credits().toPlainString() + " REFUSALS " + refusals);
        System.out.flush();
    }
}
