package dev.tollgate.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A local fake of the two Stripe endpoints the exporter uses, {@code POST /v1/billing/meter_events} and {@code POST
 * /v1/invoiceitems}, on a real HTTP server: it records every call (path, {@code Idempotency-Key}, form parameters,
 * the status it answered), answers as Stripe does, and can be slow and fail.
 *
 * <ul>
 *   <li>Idempotency: a key already answered with a 2xx or a 4xx is answered the same again with {@code
 *       Idempotent-Replayed: true}, and creates nothing (a 5xx or 429 is not kept: the retry is a new attempt).
 *   <li>Meter events: a second event with an {@code identifier} already taken (under another key) is refused 400.
 *   <li>Customers: {@code cus_missing} does not exist (400 {@code resource_missing}).
 *   <li>Faults: the first attempt of the 1st, 5th, 9th... distinct key answers 500; of the 2nd, 7th, 12th... 429.
 *   <li>Slowness: every call takes {@code delayMillis}.
 * </ul>
 *
 * <p>Thread-safe.
 */
final class FakeStripe implements AutoCloseable {
    /** One call as received, and the status it was answered. */
    record Call(String path, @Nullable String idempotencyKey, Map<String, String> params, int status, boolean replay) {}

    private final HttpServer server;
    private final int delayMillis;
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, Integer> keyOrder = new HashMap<>();
    private final Map<String, String[]> answered = new HashMap<>();
    private final Map<String, String> identifiers = new HashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    FakeStripe(int delayMillis) {
        this.delayMillis = delayMillis;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The calls that created something: a 2xx that was not a replay. */
    synchronized List<Call> effects() {
        return calls.stream().filter(c -> c.status() / 100 == 2 && !c.replay()).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> params = form(body);
        String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
        String path = ex.getRequestURI().getPath();
        String[] answer = answer(path, key, params);
        byte[] bytes = answer[1].getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("Request-Id", "req_" + ids.incrementAndGet());
        if ("replay".equals(answer[2])) {
            ex.getResponseHeaders().set("Idempotent-Replayed", "true");
        }
        ex.sendResponseHeaders(Integer.parseInt(answer[0]), bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Decides the answer and records the call: {status, body, "replay" or ""}. */
    private synchronized String[] answer(String path, @Nullable String key, Map<String, String> params) {
        if (key != null && answered.containsKey(key)) {
            String[] first = answered.get(key);
            calls.add(new Call(path, key, params, Integer.parseInt(first[0]), true));
            return new String[] {first[0], first[1], "replay"};
        }
        int order = key == null ? 0 : keyOrder.computeIfAbsent(key, k -> keyOrder.size() + 1);
        boolean firstAttempt = calls.stream().noneMatch(c -> key != null && key.equals(c.idempotencyKey()));
        String[] a;
        if (firstAttempt && order % 4 == 1) {
            a = error(500, "api_error", null, "fake outage");
        } else if (firstAttempt && order % 5 == 2) {
            a = error(429, "invalid_request_error", "rate_limit", "Too many requests");
        } else if (path.equals("/v1/billing/meter_events")) {
            a = meterEvent(key, params);
        } else if (path.equals("/v1/invoiceitems")) {
            a = invoiceItem(params);
        } else {
            a = error(404, "invalid_request_error", null, "Unrecognized request URL (POST: " + path + ")");
        }
        int status = Integer.parseInt(a[0]);
        calls.add(new Call(path, key, params, status, false));
        if (key != null && status != 429 && status < 500) {
            answered.put(key, a);
        }
        return new String[] {a[0], a[1], ""};
    }

    private String[] meterEvent(@Nullable String key, Map<String, String> params) {
        String customer = params.getOrDefault("payload[stripe_customer_id]", "");
        if (customer.equals("cus_missing")) {
            return error(400, "invalid_request_error", "resource_missing", "No such customer: 'cus_missing'");
        }
        String identifier = params.get("identifier");
        if (identifier != null
                && identifiers.containsKey(identifier)
                && !identifiers.get(identifier).equals(key)) {
            return error(
                    400, "invalid_request_error", null, "An event already exists with identifier " + identifier + ".");
        }
        if (identifier != null && key != null) {
            identifiers.put(identifier, key);
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("stripe_customer_id", customer);
        payload.put("value", params.getOrDefault("payload[value]", ""));
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("object", "billing.meter_event");
        event.put("created", 1_796_000_000L);
        event.put("event_name", params.getOrDefault("event_name", ""));
        event.put("identifier", identifier);
        event.put("livemode", false);
        event.put("payload", payload);
        event.put("timestamp", Long.parseLong(params.getOrDefault("timestamp", "0")));
        return new String[] {"200", dev.tollgate.core.json.Json.write(event)};
    }

    private String[] invoiceItem(Map<String, String> params) {
        String customer = params.getOrDefault("customer", "");
        if (customer.equals("cus_missing")) {
            return error(400, "invalid_request_error", "resource_missing", "No such customer: 'cus_missing'");
        }
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", "ii_" + ids.incrementAndGet());
        item.put("object", "invoiceitem");
        item.put("customer", customer);
        item.put("currency", params.getOrDefault("currency", ""));
        item.put("description", params.getOrDefault("description", ""));
        item.put("livemode", false);
        item.put("quantity", 1);
        return new String[] {"200", dev.tollgate.core.json.Json.write(item)};
    }

    private static String[] error(int status, String type, @Nullable String code, String message) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", type);
        if (code != null) {
            e.put("code", code);
        }
        e.put("message", message);
        return new String[] {Integer.toString(status), dev.tollgate.core.json.Json.write(Map.of("error", e))};
    }

    private static Map<String, String> form(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return params;
        }
        for (String pair : body.split("&", -1)) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
        return params;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
