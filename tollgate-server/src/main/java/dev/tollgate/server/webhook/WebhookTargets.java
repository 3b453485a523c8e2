package dev.tollgate.server.webhook;

import dev.tollgate.server.http.ApiException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Where webhooks may be delivered: an absolute {@code http} or {@code https} URL and, unless the operator allows any
 * address ({@link WebhookAddresses#ANY}), a public one.
 *
 * <p>Why: whoever holds the API key could otherwise make the server post to its own host or network (a cloud metadata
 * service at 169.254.169.254, an admin port on 127.0.0.1, a database on 10.0.0.5) and probe it through the delivery
 * log. A non-public address is loopback, unspecified (0.0.0.0/8, ::), link-local, private (10/8, 172.16/12,
 * 192.168/16), unique-local (fc00::/7), shared (100.64/10), multicast or reserved (240/4).
 *
 * <p>Two checks: when a webhook is set, its URL's scheme and, for an IP literal or a {@code localhost} name, its
 * address ({@link #requireAllowed}); the request path does no DNS look-up. At each delivery every address the host
 * resolves to then ({@link #refusalAtDelivery}), since DNS may change after the webhook was set. The HTTP client
 * resolves the name once more to connect, so a name whose answers change between the two look-ups (DNS rebinding) can
 * still reach a private address; redirects are not followed.
 *
 * <p>Thread-safe: stateless.
 */
public final class WebhookTargets {
    private WebhookTargets() {}

    /**
     * Refuses a webhook URL that is not an absolute http(s) URL with a host, or that names a non-public address or
     * {@code localhost} when only public ones are allowed.
     *
     * @throws ApiException {@code 400 INVALID_URL} on field {@code url}
     */
    public static void requireAllowed(String url, WebhookAddresses allowed) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null
                || uri.getHost() == null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw ApiException.badRequest("INVALID_URL", "url must be an absolute http(s) URL", "url");
        }
        if (allowed == WebhookAddresses.PUBLIC) {
            String host = uri.getHost().toLowerCase(Locale.ROOT);
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
            InetAddress literal = literal(host);
            if (host.equals("localhost") || host.endsWith(".localhost") || (literal != null && !isPublic(literal))) {
                throw ApiException.badRequest(
                        "INVALID_URL",
                        "url must not reach a loopback, link-local or private address"
                                + " (an operator may allow them with TOLLGATE_WEBHOOK_ALLOW_PRIVATE=true)",
                        "url");
            }
        }
    }

    /**
     * Why a delivery to {@code uri} may not be sent now, or {@code null} if it may: when only public addresses are
     * allowed, every address its host resolves to must be public. Blocks on DNS.
     */
    static @Nullable String refusalAtDelivery(URI uri, WebhookAddresses allowed) {
        if (allowed == WebhookAddresses.ANY || uri.getHost() == null) {
            return null;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            return null; // the delivery fails on its own and is retried
        }
        for (InetAddress a : addresses) {
            if (!isPublic(a)) {
                return "host " + uri.getHost() + " resolves to the non-public address " + a.getHostAddress()
                        + " (allowed only with TOLLGATE_WEBHOOK_ALLOW_PRIVATE=true)";
            }
        }
        return null;
    }

    /** Whether {@code a} is a public unicast address: see the class comment for what is not. */
    static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress()
                || a.isLoopbackAddress()
                || a.isLinkLocalAddress()
                || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first != 0 && first < 240 && !(first == 100 && (second & 0xc0) == 64);
        }
        if ((b[0] & 0xfe) == 0xfc) {
            return false;
        }
        if (a instanceof Inet6Address v6 && v6.isIPv4CompatibleAddress()) {
            try {
                return isPublic(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
            } catch (UnknownHostException e) {
                throw new IllegalStateException("four bytes are an IPv4 address", e);
            }
        }
        return true;
    }

    /**
     * The address of an IP literal host, or {@code null} for a name; no DNS. IPv4 literals are read as Java reads
     * them to connect: one to four decimal parts, the last filling the remaining bytes ({@code 2130706433} and
     * {@code 127.1} are 127.0.0.1).
     */
    private static @Nullable InetAddress literal(String host) {
        try {
            if (host.startsWith("[")) {
                return InetAddress.getByName(host);
            }
            String[] parts = host.split("\\.", -1);
            if (parts.length > 4) {
                return null;
            }
            long value = 0;
            for (int i = 0; i < parts.length; i++) {
                String part = parts[i];
                if (part.isEmpty() || part.length() > 10 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return null;
                }
                long n = Long.parseLong(part);
                boolean last = i == parts.length - 1;
                long max = last ? (1L << (8 * (4 - i))) - 1 : 255;
                if (n > max) {
                    return null;
                }
                value = last ? (value << (8 * (4 - i))) | n : (value << 8) | n;
            }
            return InetAddress.getByAddress(
                    new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
