package dev.tollgate.server.api;

import static dev.tollgate.server.http.Requests.cursorAfter;
import static dev.tollgate.server.http.Requests.exportFormat;
import static dev.tollgate.server.http.Requests.pageAfter;
import static dev.tollgate.server.http.Requests.pageLimit;
import static dev.tollgate.server.http.Requests.pathId;

import dev.tollgate.core.billing.BillingPeriod;
import dev.tollgate.core.billing.OutboxEntry;
import dev.tollgate.core.billing.PeriodFormat;
import dev.tollgate.core.billing.PeriodLines;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Body;
import dev.tollgate.server.http.ChunkedBody;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.RouteTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Billing: {@code GET /v1/billing/periods/{yyyy-mm}}, a month's invoice-ready lines for every customer, in JSON or CSV,
 * and {@code GET /v1/billing/exports}, the export outbox: what the Stripe exporter sent, what waits, what failed and why
 * ({@code docs/finance.md}).
 *
 * <p>Streamed: the answer's head goes out at once and the body follows customer by customer as the store is read
 * ({@link ChunkedBody}), so neither the fleet nor a page is ever held in memory. Paginated with {@code limit} (1 to
 * 10 000 customers; without it, every customer in one answer) and {@code cursor} (the JSON answer's {@code
 * nextCursor}) or {@code after} (a customer id: the last one of a CSV page). Served by whichever server receives it:
 * it reads the store, not a server's memory.
 *
 * <p>Thread-safe: holds only the engine and the workers.
 */
final class BillingRoutes {
    static final int MAX_PAGE = 10_000;

    private final Engine engine;
    private final Executor workers;

    BillingRoutes(Engine engine, Executor workers) {
        this.engine = engine;
        this.workers = workers;
    }

    /** Adds this family's routes to {@code table}. */
    void register(RouteTable table) {
        table.route("GET", "/v1/billing/periods/{period}", true, RouteTable.Mode.BLOCKING, this::period);
        table.route("GET", "/v1/billing/exports", true, RouteTable.Mode.BLOCKING, this::exports);
    }

    /** The export outbox, by item id: what was sent to the billing provider, what waits, what failed and why. */
    private Reply exports(ApiRequest ctx) {
        String rawStatus = ctx.queryParam("status");
        OutboxEntry.Status status = null;
        if (rawStatus != null) {
            try {
                status = OutboxEntry.Status.ofWire(rawStatus);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(
                        "INVALID_QUERY", "status must be pending, sent, failed or skipped", "status");
            }
        }
        int limit = pageLimit(ctx);
        String cursor = ctx.queryParam("cursor");
        String after = null;
        if (cursor != null) {
            try {
                after = new String(java.util.Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("INVALID_CURSOR", "cursor is not one this server gave", "cursor");
            }
        }
        List<OutboxEntry> page = engine.exports(status, after, limit + 1);
        List<Object> items = new ArrayList<>();
        for (OutboxEntry e : page.subList(0, Math.min(limit, page.size()))) {
            items.add(exportView(e));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put(
                "nextCursor",
                page.size() > limit
                        ? java.util.Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(page.get(limit - 1).item().id().getBytes(StandardCharsets.UTF_8))
                        : null);
        return Reply.ok(body);
    }

    private static Map<String, Object> exportView(OutboxEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.item().id());
        m.put("kind", e.item().kind().name().toLowerCase(java.util.Locale.ROOT));
        m.put("customerId", e.item().customerId());
        m.put("period", e.item().period());
        m.put("key", e.item().key());
        m.put(
                "fields",
                new LinkedHashMap<String, Object>(
                        new java.util.TreeMap<>(e.item().fields())));
        m.put("status", e.status().wire());
        m.put("attempts", e.attempts());
        m.put(
                "nextAttemptAt",
                e.status() == OutboxEntry.Status.PENDING ? e.nextAttemptAt().toString() : null);
        m.put("error", e.error());
        m.put("result", e.result());
        m.put("createdAt", e.createdAt().toString());
        m.put("doneAt", e.doneAt() == null ? null : e.doneAt().toString());
        return m;
    }

    private Reply period(ApiRequest ctx) {
        BillingPeriod period = BillingPeriod.parse(pathId(ctx, "period"));
        String format = exportFormat(ctx);
        Integer limit = limit(ctx);
        String after = after(ctx);
        boolean closed = period.closedAt(engine.now());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Tollgate-Period-Closed", Boolean.toString(closed));
        headers.put("Cache-Control", "no-store");
        ChunkedBody body;
        if (format.equals("json")) {
            body = new ChunkedBody(workers, "billing period " + period, out -> {
                out.write(PeriodFormat.jsonHead(period, closed));
                String next = read(period, after, limit, new Writer() {
                    boolean first = true;

                    @Override
                    public void customer(PeriodLines lines) {
                        out.write((first ? "" : ",") + PeriodFormat.jsonCustomer(lines));
                        first = false;
                    }
                });
                out.write(PeriodFormat.jsonTail(next == null ? null : cursorAfter(next)));
            });
            return Reply.ok(new Reply.Chunked("application/json", headers, body));
        }
        headers.put("Content-Disposition", "attachment; filename=\"billing-" + period + ".csv\"");
        body = new ChunkedBody(workers, "billing period " + period, out -> {
            out.write(PeriodFormat.CSV_HEADER);
            read(period, after, limit, lines -> out.write(PeriodFormat.csvRows(period, lines)));
        });
        return Reply.ok(new Reply.Chunked("text/csv; charset=utf-8", headers, body));
    }

    /** Writes one customer's lines. */
    @FunctionalInterface
    private interface Writer {
        void customer(PeriodLines lines);
    }

    /**
     * Writes the customers after {@code after}, at most {@code limit} of them.
     *
     * @return the last customer written if more follow (a next page), else {@code null}
     */
    private @Nullable String read(
            BillingPeriod period, @Nullable String after, @Nullable Integer limit, Writer writer) {
        int[] written = {0};
        String[] last = {null};
        boolean ranOut = engine.readPeriod(period, after, lines -> {
            if (limit != null && written[0] == limit) {
                return false; // one more exists: the page ends before it
            }
            writer.customer(lines);
            written[0]++;
            last[0] = lines.customerId();
            return true;
        });
        return ranOut ? null : last[0];
    }

    private static @Nullable Integer limit(ApiRequest ctx) {
        String raw = ctx.queryParam("limit");
        if (raw == null) {
            return null;
        }
        int limit;
        try {
            limit = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_PAGE) {
            throw ApiException.badRequest("INVALID_QUERY", "limit must be a whole number in 1.." + MAX_PAGE, "limit");
        }
        return limit;
    }

    private static @Nullable String after(ApiRequest ctx) {
        String after = ctx.queryParam("after");
        String cursor = ctx.queryParam("cursor");
        if (after != null && cursor != null) {
            throw ApiException.badRequest("INVALID_QUERY", "give cursor or after, not both", "after");
        }
        if (after != null) {
            Body.checkId(after, "after");
            return after;
        }
        return pageAfter(ctx);
    }
}
