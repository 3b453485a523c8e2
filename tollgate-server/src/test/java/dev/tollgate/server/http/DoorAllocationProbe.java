package dev.tollgate.server.http;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Bytes allocated at the door per request body, counted with {@link com.sun.management.ThreadMXBean}: the parse
 * ({@link Trees}) and the typed reads ({@link Body}) of a {@code /v1/check} body and of a {@code /v1/events} batch of
 * 1000 events, as {@code MeteringRoutes} reads them, on this thread only. Run by hand (not a test: nothing here is timed or
 * asserted); the figures are in {@code docs/benchmarks.md}.
 *
 * <p>Usage, after {@code mvn -B -q -pl tollgate-server -am test-compile}: {@code java -cp
 * "tollgate-core/target/classes:tollgate-server/target/classes:tollgate-server/target/test-classes:$(cat
 * /tmp/server-cp.txt)" dev.tollgate.server.http.DoorAllocationProbe}, with the third-party class path from {@code mvn -B
 * -q -pl tollgate-server dependency:build-classpath -Dmdep.outputFile=/tmp/server-cp.txt}.
 */
final class DoorAllocationProbe {
    private static final int EVENTS = 1000;

    private DoorAllocationProbe() {}

    public static void main(String[] args) {
        byte[] check = ("{\"customerId\":\"chk\",\"feature\":\"q\",\"quantity\":1,\"scope\":\"agent\","
                        + "\"dimensions\":{\"model\":\"m1\"}}")
                .getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder("{\"events\":[");
        for (int j = 0; j < EVENTS; j++) {
            sb.append(j == 0 ? "" : ",")
                    .append("{\"idempotencyKey\":\"p0-")
                    .append(j)
                    .append("\",\"customerId\":\"ev")
                    .append(j % 10)
                    .append("\",\"feature\":\"q\",\"quantity\":1}");
        }
        byte[] events = sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        for (int round = 0; round < 5; round++) {
            long sink = 0;
            long before = threads.getThreadAllocatedBytes(tid);
            int checks = 200_000;
            for (int i = 0; i < checks; i++) {
                sink += check(check);
            }
            long perCheck = (threads.getThreadAllocatedBytes(tid) - before) / checks;
            before = threads.getThreadAllocatedBytes(tid);
            int batches = 300;
            for (int i = 0; i < batches; i++) {
                sink += events(events);
            }
            long perBatch = (threads.getThreadAllocatedBytes(tid) - before) / batches;
            System.out.printf(
                    Locale.ROOT,
                    "round %d: check body %d B, events batch of %d %d B (%d B/event) [%d]%n",
                    round,
                    perCheck,
                    EVENTS,
                    perBatch,
                    perBatch / EVENTS,
                    sink % 10);
        }
    }

    /** What {@code MeteringRoutes.check} reads. */
    private static int check(byte[] body) {
        Body b = Body.of(Trees.json(body))
                .allowOnly("customerId", "feature", "quantity", "scope", "sessionId", "dimensions");
        String customer = b.requireId("customerId");
        String feature = b.requireId("feature");
        BigDecimal quantity = b.optQuantity("quantity", false);
        String scope = b.optId("scope");
        Map<String, String> dimensions = b.dimensions("dimensions");
        String session = b.optId("sessionId");
        return customer.length()
                + feature.length()
                + (quantity == null ? 0 : 1)
                + (scope == null ? 0 : 1)
                + dimensions.size()
                + (session == null ? 0 : 1);
    }

    /** What {@code MeteringRoutes.events} reads, without the engine. */
    private static int events(byte[] body) {
        Body b = Body.of(Trees.jsonItems(body)).allowOnly("events");
        List<Object> raw = b.optList("events", 10_000);
        int n = 0;
        for (int i = 0; i < raw.size(); i++) {
            Body e = Body.object(raw.get(i), "events[" + i + "]")
                    .allowOnly(
                            "idempotencyKey",
                            "customerId",
                            "feature",
                            "quantity",
                            "scope",
                            "sessionId",
                            "dimensions",
                            "timestamp");
            n += e.requireIdempotencyKey(null).length()
                    + e.requireId("customerId").length()
                    + e.requireId("feature").length()
                    + e.requireQuantity("quantity").signum()
                    + (e.optId("scope") == null ? 0 : 1)
                    + e.dimensions("dimensions").size()
                    + (e.optInstant("timestamp") == null ? 0 : 1)
                    + (e.optId("sessionId") == null ? 0 : 1);
        }
        return n;
    }
}
