package dev.tollgate.server.cluster;

import dev.tollgate.core.store.Ownership;
import dev.tollgate.server.http.Body;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.json.JsonFactory;

/**
 * Which customer a request is for, and so which server of a cluster must answer it: from the path ({@code
 * /v1/customers/{id}/...}, {@code /v1/public/customers/{id}/...}, a session id {@code <customerId>@s<n>}), from the
 * body ({@code customerId} of a check, a consume, a session's open, a portal session's creation), or none (operations, served by any server). The catalog and the webhooks belong to
 * {@link Ownership#GLOBAL}. A batch of events may name several customers; the list of customers and the alert log
 * span them all.
 *
 * <p>A body that cannot be read is {@link Here}: the server that received it refuses it as a single server would.
 *
 * <p>Pure and thread-safe.
 */
sealed interface RequestTarget {

    /** Served by the server that received it. */
    record Here() implements RequestTarget {}

    /** For one customer (or {@link Ownership#GLOBAL}): served by its owner. */
    record Customer(String id) implements RequestTarget {}

    /**
     * A batch of events, split by owner: each item's bytes as sent and the customer it names, {@link #NO_CUSTOMER}
     * where it names none that is an id (the server that records the batch refuses that item alone). Read leniently
     * (an item's first customer field; a duplicate field or a bad one is left for the recording server to refuse per
     * item), so that a batch with one malformed item still goes to its customers' owners.
     */
    @SuppressWarnings("ArrayRecordComponent") // the items are relayed as sent, never compared
    record Events(List<byte[]> items, List<String> customers) implements RequestTarget {}

    /** In {@link Events#customers}: the item names no customer. */
    String NO_CUSTOMER = "";

    /** Spans every customer: asked of every server and merged ({@code GET /v1/customers}, the alert log). */
    record Everyone(String kind) implements RequestTarget {}

    /** The change feed: every node's merged ({@link ClusterFeed}). */
    record Stream() implements RequestTarget {}

    RequestTarget HERE = new Here();

    /** The streaming parser's factory (thread-safe). */
    TokenStreamFactory JSON = new JsonFactory();

    /**
     * The target of a request.
     *
     * @param method the HTTP method
     * @param path the path, still percent-encoded
     * @param query a query parameter's decoded value by name
     * @param body the request's body
     */
    static RequestTarget of(
            String method, String path, java.util.function.Function<String, @Nullable String> query, byte[] body) {
        if (!path.startsWith("/v1/")) {
            return HERE;
        }
        if (path.startsWith("/v1/catalog") || path.startsWith("/v1/webhooks")) {
            return new Customer(Ownership.GLOBAL);
        }
        if (path.equals("/v1/customers")) {
            return method.equals("GET") ? new Everyone("customers") : HERE;
        }
        if (path.startsWith("/v1/customers/")) {
            return customer(decode(segment(path, "/v1/customers/".length())));
        }
        if (path.startsWith("/v1/public/customers/")) {
            return customer(decode(segment(path, "/v1/public/customers/".length())));
        }
        if (path.startsWith("/v1/sessions/")) {
            String sessionId = decode(segment(path, "/v1/sessions/".length()));
            int at = sessionId.lastIndexOf('@');
            return at <= 0 ? HERE : customer(sessionId.substring(0, at));
        }
        if (path.equals("/v1/events/log")) {
            String customer = query.apply("customerId");
            return customer == null ? new Everyone("alerts") : customer(customer);
        }
        if (path.equals("/v1/stream")) {
            return method.equals("GET") ? new Stream() : HERE;
        }
        if (method.equals("POST")
                && (path.equals("/v1/check")
                        || path.equals("/v1/consume")
                        || path.equals("/v1/sessions")
                        || path.equals("/v1/portal-sessions"))) {
            return customerField(body);
        }
        if (method.equals("POST") && path.equals("/v1/events")) {
            return events(body);
        }
        return HERE;
    }

    /** A customer's target if {@code id} is a valid id; else {@link #HERE}, where it is refused {@code 400}. */
    static RequestTarget customer(String id) {
        return Body.isId(id) ? new Customer(id) : HERE;
    }

    private static String segment(String path, int from) {
        int slash = path.indexOf('/', from);
        return slash < 0 ? path.substring(from) : path.substring(from, slash);
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw; // refused as malformed by the server that receives it
        }
    }

    /** The top-level {@code customerId}, read with a streaming parser that stops at it (the request path's cost). */
    private static RequestTarget customerField(byte[] body) {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return HERE;
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("customerId".equals(name)) {
                    String id = value == JsonToken.VALUE_STRING ? p.getString() : null;
                    return id == null ? HERE : customer(id);
                }
                p.skipChildren();
            }
            return HERE;
        } catch (JacksonException e) {
            return HERE;
        }
    }

    private static RequestTarget events(byte[] body) {
        List<byte[]> items = EventSlices.items(body);
        if (items == null || items.isEmpty()) {
            return HERE; // not a batch: refused where it arrived, as a server alone refuses it
        }
        List<String> customers = new ArrayList<>(items.size());
        for (byte[] item : items) {
            customers.add(customerField(item) instanceof Customer c ? c.id() : NO_CUSTOMER);
        }
        return new Events(List.copyOf(items), List.copyOf(customers));
    }
}
