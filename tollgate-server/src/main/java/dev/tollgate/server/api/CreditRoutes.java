package dev.tollgate.server.api;

import static dev.tollgate.server.http.Requests.await;
import static dev.tollgate.server.http.Requests.body;
import static dev.tollgate.server.http.Requests.customerId;
import static dev.tollgate.server.http.Requests.exportFormat;
import static dev.tollgate.server.http.Requests.pageLimit;

import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.GrantView;
import dev.tollgate.core.api.LedgerLine;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.RefundView;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Body;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.RouteTable;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Credits: a customer's {@code grants} (grant, list, void), {@code balance}, {@code ledger} (and its export),
 * {@code refunds} and {@code auto-recharge}.
 *
 * <p>Thread-safe: holds only the engine.
 */
final class CreditRoutes {
    private final Engine engine;

    CreditRoutes(Engine engine) {
        this.engine = engine;
    }

    /** Adds this family's routes to {@code table}. */
    void register(RouteTable table) {
        table.route("POST", "/v1/customers/{customerId}/grants", true, RouteTable.Mode.BLOCKING, this::postGrant);
        table.route("GET", "/v1/customers/{customerId}/grants", true, RouteTable.Mode.BLOCKING, this::getGrants);
        table.route(
                "POST",
                "/v1/customers/{customerId}/grants/{grantId}/void",
                true,
                RouteTable.Mode.BLOCKING,
                this::voidGrant);
        table.route("GET", "/v1/customers/{customerId}/balance", true, RouteTable.Mode.BLOCKING, this::getBalance);
        table.route("GET", "/v1/customers/{customerId}/ledger", true, RouteTable.Mode.BLOCKING, this::getLedger);
        table.route(
                "GET", "/v1/customers/{customerId}/ledger/export", true, RouteTable.Mode.BLOCKING, this::exportLedger);
        table.route("POST", "/v1/customers/{customerId}/refunds", true, RouteTable.Mode.BLOCKING, this::postRefund);
        table.route(
                "PUT",
                "/v1/customers/{customerId}/auto-recharge",
                true,
                RouteTable.Mode.BLOCKING,
                this::putAutoRecharge);
    }

    private Reply postGrant(ApiRequest ctx) {
        String id = customerId(ctx);
        Body b = body(ctx)
                .allowOnly(
                        "currency",
                        "amount",
                        "category",
                        "costBasis",
                        "priority",
                        "effectiveAt",
                        "expiresAt",
                        "idempotencyKey");
        String category = b.requireString("category");
        if (!category.equals("paid") && !category.equals("promotional")) {
            throw ApiException.badRequest("INVALID_CATEGORY", "category must be 'paid' or 'promotional'", "category");
        }
        BigDecimal costBasis = b.optQuantity("costBasis", false);
        Integer priority = b.optInt("priority", -1_000_000, 1_000_000);
        GrantRequest request = new GrantRequest(
                b.requireId("currency"),
                b.requireQuantity("amount"),
                category.equals("promotional"),
                costBasis == null ? BigDecimal.ZERO : costBasis,
                priority == null ? 0 : priority,
                b.optInstant("effectiveAt"),
                b.optInstant("expiresAt"),
                b.requireIdempotencyKey(ctx.header("Idempotency-Key")));
        Outcome<GrantView> outcome = await(engine.grant(id, request));
        return new Reply(outcome.replayed() ? 200 : 201, CreditViews.grant(outcome.value()), outcome.replayed());
    }

    private Reply getGrants(ApiRequest ctx) {
        String id = customerId(ctx);
        String currency = ctx.queryParam("currency");
        if (currency != null) {
            Body.checkId(currency, "currency");
        }
        String active = ctx.queryParam("active");
        if (active != null && !active.equals("true") && !active.equals("false")) {
            throw ApiException.badRequest("INVALID_QUERY", "active must be 'true' or 'false'", "active");
        }
        List<Object> list = new ArrayList<>();
        engine.grants(id, currency, "true".equals(active)).forEach(g -> list.add(CreditViews.grant(g)));
        return Reply.ok(Map.of("customerId", id, "grants", list));
    }

    private Reply voidGrant(ApiRequest ctx) {
        String id = customerId(ctx);
        String grantId = ctx.pathParam("grantId");
        Body.checkId(grantId, "grantId");
        Outcome<GrantView> outcome = await(engine.voidGrant(id, grantId));
        return new Reply(200, CreditViews.grant(outcome.value()), outcome.replayed());
    }

    private Reply getBalance(ApiRequest ctx) {
        String id = customerId(ctx);
        List<Object> list = new ArrayList<>();
        engine.balances(id).forEach(v -> list.add(CreditViews.balance(v)));
        return Reply.ok(Map.of("customerId", id, "balances", list));
    }

    private Reply getLedger(ApiRequest ctx) {
        String id = customerId(ctx);
        String currency = ctx.queryParam("currency");
        if (currency != null) {
            Body.checkId(currency, "currency");
        }
        int limit = pageLimit(ctx);
        long after = 0;
        String cursor = ctx.queryParam("cursor");
        if (cursor != null) {
            try {
                after = Long.parseLong(
                        new String(java.util.Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8)
                                .substring("after:".length()));
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw ApiException.badRequest("INVALID_CURSOR", "cursor is not one this server gave", "cursor");
            }
        }
        List<LedgerLine> lines = engine.ledger(id, currency, after, limit + 1);
        List<Object> entries = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, lines.size()); i++) {
            entries.add(CreditViews.ledgerLine(lines.get(i)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customerId", id);
        body.put("entries", entries);
        if (lines.size() > limit) {
            long last = lines.get(limit - 1).seq();
            body.put(
                    "nextCursor",
                    java.util.Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(("after:" + last).getBytes(StandardCharsets.UTF_8)));
        }
        return Reply.ok(body);
    }

    private Reply exportLedger(ApiRequest ctx) {
        String id = customerId(ctx);
        String format = exportFormat(ctx);
        List<LedgerLine> lines = engine.ledger(id, null, 0, Integer.MAX_VALUE);
        List<Map<String, Object>> entries = new ArrayList<>();
        lines.forEach(l -> entries.add(CreditViews.ledgerLine(l)));
        if (format.equals("json")) {
            return Reply.ok(Map.of("customerId", id, "entries", entries));
        }
        return Reply.csv("ledger-" + id + ".csv", CreditViews.LEDGER_COLUMNS, entries);
    }

    private Reply postRefund(ApiRequest ctx) {
        String id = customerId(ctx);
        Body b = body(ctx).allowOnly("idempotencyKey");
        Outcome<RefundView> outcome = await(engine.refund(id, b.requireIdempotencyKey(null)));
        return new Reply(outcome.replayed() ? 200 : 201, CreditViews.refund(outcome.value()), outcome.replayed());
    }

    private Reply putAutoRecharge(ApiRequest ctx) {
        String id = customerId(ctx);
        Body b = body(ctx)
                .allowOnly(
                        "currency",
                        "enabled",
                        "threshold",
                        "target",
                        "amount",
                        "costBasis",
                        "maxPerPeriod",
                        "maxMoneyPerPeriod");
        String currency = b.requireId("currency");
        Boolean enabled = b.optBoolean("enabled");
        AutoRecharge config = null;
        if (enabled == null || enabled) {
            BigDecimal threshold = b.optQuantity("threshold", false);
            if (threshold == null) {
                throw b.missing("threshold");
            }
            BigDecimal target = b.optQuantity("target", false);
            if (target != null && target.compareTo(threshold) < 0) {
                throw ApiException.badRequest("INVALID_AUTO_RECHARGE", "target must be >= threshold", "target");
            }
            BigDecimal costBasis = b.optQuantity("costBasis", false);
            config = new AutoRecharge(
                    currency,
                    threshold,
                    target,
                    b.requireQuantity("amount"),
                    costBasis == null ? BigDecimal.ZERO : costBasis,
                    b.optInt("maxPerPeriod", 1, 1_000_000),
                    b.optQuantity("maxMoneyPerPeriod", false));
        }
        return Reply.ok(CreditViews.balance(await(engine.setAutoRecharge(id, currency, config))));
    }
}
