package dev.tollgate.console.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.server.auth.Cors;
import dev.tollgate.server.auth.CustomerTokens;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser client ({@code clients/js}) as a product's own page uses it: a page served from another origin than
 * Tollgate's (a small HTTP server of the test, as the vendor's web server would be), holding a publishable key and
 * the customer token its backend made, reads a real customer's usage through {@code TollgateClient} and draws it with
 * {@code <tollgate-usage-meter>}. The browser sends a CORS preflight first (the request carries {@code Authorization}
 * and {@code X-Customer-Token}): answered for the allowed origin, so the meter shows; refused for another origin, so
 * the same page there reads nothing. The preflight's headers over HTTP are {@code CorsIT}'s (module tollgate-server).
 */
final class ClientIT {
    @TempDir
    Path dir;

    private HttpServer allowed;
    private HttpServer other;
    private ConsoleServer server;
    private Browser browser;
    private String page = "";

    @BeforeEach
    void start() throws IOException {
        allowed = pageServer();
        other = pageServer();
        server = ConsoleServer.start(dir, Cors.of(List.of(origin(allowed))));
        DemoData.write(server, Instant.now());
        server.post(
                "/v1/consume",
                Map.of("customerId", "acme", "feature", "ai-queries", "quantity", 123, "idempotencyKey", "q-1"));
        Map<String, Object> key = server.post("/v1/keys", Map.of("kind", "publishable", "name", "web"))
                .body();
        String token = CustomerTokens.token((String) key.get("signingSecret"), "acme");
        page = page(server.url(), (String) key.get("key"), token);
        browser = Browser.start(1024, 768);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
        for (HttpServer s : new HttpServer[] {allowed, other}) {
            if (s != null) {
                s.stop(0);
            }
        }
    }

    @Test
    void the_usage_meter_shows_a_real_customers_usage_read_with_a_publishable_key_from_an_allowed_origin() {
        browser.open(origin(allowed) + "/");
        browser.waitFor("document.getElementById('queries').getAttribute('state') === 'ok'");
        BigDecimal used = used("acme", "ai-queries");
        assertThat(used).isEqualByComparingTo("123");
        assertThat(meterText("queries")).isEqualTo("AI queries 123 of 1,000 used");
        assertThat(browser.script("return document.getElementById('queries').shadowRoot"
                        + ".querySelector('[role=meter]').getAttribute('aria-valuenow')"))
                .isEqualTo("123");

        // more usage, read again
        server.post(
                "/v1/consume",
                Map.of("customerId", "acme", "feature", "ai-queries", "quantity", 77, "idempotencyKey", "q-2"));
        browser.script("return document.getElementById('queries').refresh();");
        browser.waitFor("document.getElementById('queries').shadowRoot.textContent.includes('200 of 1,000')");

        // the client module itself: a gated feature, and a balance
        browser.waitFor("document.getElementById('gate').textContent !== ''");
        assertThat(browser.driver()
                        .findElement(org.openqa.selenium.By.id("gate"))
                        .getText())
                .isEqualTo("sso: allowed; credits available: yes");

        // another customer with acme's token, and a write with the publishable key: refused
        browser.waitFor("document.getElementById('wrong').getAttribute('state') === 'error'");
        assertThat(meterText("wrong")).contains("X-Customer-Token");
        @SuppressWarnings("unchecked")
        List<Object> write = (List<Object>) browser.driver().executeAsyncScript("""
                        const done = arguments[arguments.length - 1];
                        const c = window.tollgateClient;
                        fetch(c.baseUrl + '/v1/customers/acme/scopes/eng/budgets/x', {method: 'PUT',
                            headers: {Authorization: 'Bearer ' + c.publishableKey,
                                'X-Customer-Token': c.customerToken, 'Content-Type': 'application/json'},
                            body: JSON.stringify({currency: 'credits', limit: 1})})
                          .then(async r => done([r.status, (await r.json()).error.code]), e => done(['failed', String(e)]));
                        """);
        assertThat(write).containsExactly(403L, "FORBIDDEN");
        assertThat(browser.problems())
                .as("only the refused requests")
                .allSatisfy(p -> assertThat(p).containsAnyOf("401", "403"));
    }

    @Test
    void the_same_page_from_an_origin_not_allowed_reads_nothing() {
        browser.open(origin(other) + "/");
        browser.waitFor("document.getElementById('queries').getAttribute('state') === 'error'");
        assertThat(meterText("queries")).contains("unavailable").contains("CORS");
        assertThat(browser.problems())
                .as("the browser says why")
                .anySatisfy(p -> assertThat(p).contains("CORS"));
    }

    /** What a meter says: its label, then its figures. */
    private String meterText(String id) {
        return (String) browser.script(
                "return [...document.getElementById(arguments[0]).shadowRoot.querySelectorAll('[part=label] span')]"
                        + ".map(s => s.textContent).join(' ')",
                id);
    }

    @SuppressWarnings("unchecked")
    private BigDecimal used(String customer, String feature) {
        List<Map<String, Object>> entitlements = (List<Map<String, Object>>)
                server.get("/v1/customers/" + customer + "/entitlements").body().get("entitlements");
        return entitlements.stream()
                .filter(e -> feature.equals(e.get("feature")))
                .map(e -> (BigDecimal) e.get("used"))
                .findFirst()
                .orElseThrow();
    }

    /** A product's page: two meters (one for another customer, with acme's token) and a gated feature. */
    private static String page(String tollgate, String publishableKey, String token) {
        String attrs = "base-url=\"" + tollgate + "\" publishable-key=\"" + publishableKey + "\" customer-token=\""
                + token + "\" feature=\"ai-queries\"";
        return """
                <!doctype html>
                <html lang="en">
                <head><meta charset="utf-8"><title>A product</title><link rel="icon" href="data:,">
                <script type="module" src="/usage-meter.js"></script></head>
                <body>
                <h1>Your plan</h1>
                <tollgate-usage-meter id="queries" customer="acme" label="AI queries" %s></tollgate-usage-meter>
                <tollgate-usage-meter id="wrong" customer="globex" label="Globex" %s></tollgate-usage-meter>
                <p id="gate"></p>
                <script type="module">
                import { TollgateClient } from '/tollgate.js';
                const client = new TollgateClient({ baseUrl: '%s', publishableKey: '%s', customerId: 'acme',
                    customerToken: '%s' });
                window.tollgateClient = client;
                const sso = await client.allows('sso');
                const credits = await client.balance('credits');
                document.getElementById('gate').textContent =
                    `sso: ${sso ? 'allowed' : 'not allowed'}; credits available: ${Number(credits.available) > 0 ? 'yes' : 'no'}`;
                </script>
                </body>
                </html>
                """.formatted(attrs, attrs, tollgate, publishableKey, token);
    }

    /** A web server of the product: {@code /} is the page, {@code /<file>.js} the files of {@code clients/js}. */
    private HttpServer pageServer() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        Path clients = repository().resolve("clients/js");
        s.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/")) {
                send(exchange, 200, "text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8));
            } else if (path.matches("/[a-z-]+\\.js")) {
                Path file = clients.resolve(path.substring(1));
                if (Files.isRegularFile(file)) {
                    send(exchange, 200, "text/javascript; charset=utf-8", Files.readAllBytes(file));
                } else {
                    send(exchange, 404, "text/plain", new byte[0]);
                }
            } else {
                send(exchange, 404, "text/plain", new byte[0]);
            }
        });
        s.start();
        return s;
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String origin(HttpServer s) {
        return "http://127.0.0.1:" + s.getAddress().getPort();
    }

    private static Path repository() {
        Path here = Path.of("").toAbsolutePath();
        Path root = Files.isDirectory(here.resolve("clients")) ? here : here.getParent();
        if (!Files.isDirectory(root.resolve("clients/js"))) {
            throw new UncheckedIOException(new IOException("clients/js not found from " + here));
        }
        return root;
    }
}
