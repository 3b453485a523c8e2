package dev.tollgate.console.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The customer's portal in a real browser against a real server: a portal link made over the API with the secret key
 * (as a vendor's backend makes it) opens its customer's portal, shows its usage by team, and changes a budget, which
 * the API then shows; what a link without the permission may not do is not offered, and the server's refusal is shown
 * when it is tried anyway; a portal token of one customer gets nothing of another from the page's own scripts; a
 * revoked link closes the portal. Every route over HTTP, for every credential, is {@code AuthorizationIT}'s (module
 * tollgate-server); CORS preflights over HTTP are {@code CorsIT}'s, and in the browser {@link ClientIT}'s.
 */
final class PortalIT {
    @TempDir
    Path dir;

    private ConsoleServer server;
    private Browser browser;

    @BeforeEach
    void start() {
        browser = Browser.start(1366, 900);
        server = ConsoleServer.start(dir);
        DemoData.write(server, Instant.now());
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void a_portal_link_opens_its_customer_shows_usage_by_team_and_changes_a_budget_seen_over_the_api() {
        String link = ScreenshotTour.portalLink(server, List.of("read", "budgets"));
        assertThat(link).startsWith(server.url() + "/portal#token=tg_pt_");
        browser.open(link);
        browser.waitForText("main h1", "Usage");
        assertThat(browser.driver().findElement(By.id("org")).getText()).isEqualTo("Acme Corp");
        assertThat((String) browser.script("return window.location.href"))
                .as("the token leaves the address bar")
                .doesNotContain("token")
                .endsWith("/portal#/usage");
        assertThat(browser.script("return sessionStorage.getItem('tollgate.portalToken')"))
                .isEqualTo(link.substring(link.indexOf("=") + 1));
        assertThat(browser.script("return localStorage.length")).isEqualTo(0L);

        // usage by team (the tree's second level), credits spent over the last 30 days: every demo usage is in them
        assertThat(browser.visible("select[name=groupBy] option:checked").getText())
                .isEqualTo("Team");
        browser.visible("main .uplot");
        browser.waitFor("document.querySelectorAll('main [data-total]').length === 4");
        browser.printFirstView("portal usage with data (chart and totals)", "tollgate:first-view");
        Map<String, Double> shown = new LinkedHashMap<>();
        for (WebElement row : browser.driver().findElements(By.cssSelector("main .table-wrap tbody tr"))) {
            String team = row.findElement(By.cssSelector("th")).getText();
            String total = row.findElement(By.cssSelector("[data-total]")).getAttribute("data-total");
            shown.put(team, Double.parseDouble(total));
        }
        Map<String, String> names =
                Map.of("platform", "Platform", "ml", "Machine learning", "sdr", "Sales development", "tier1", "Tier 1");
        Map<String, Double> api = new LinkedHashMap<>();
        for (Map<String, Object> r : rows(server.get("/v1/customers/acme/usage?groupBy=scope&depth=2"))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> credits = (Map<String, Object>) r.get("credits");
            api.put(names.get((String) r.get("scope")), ((BigDecimal) credits.get("credits")).doubleValue());
        }
        assertThat(shown.keySet()).containsExactlyInAnyOrderElementsOf(api.keySet());
        api.forEach((team, credits) -> assertThat(shown.get(team)).as(team).isCloseTo(credits, within(0.0001)));
        Pages.assertAccessible(browser, "portal usage");

        // by model: the two models of the demo
        new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.name("groupBy")))
                .selectByVisibleText("Model");
        browser.waitForText("main h2", "by model");
        assertThat(browser.driver().findElements(By.cssSelector("main .table-wrap tbody th")))
                .extracting(WebElement::getText)
                .containsExactlyInAnyOrder("gpt-4o", "gpt-4o-mini");

        // a budget changed by keyboard: the form opens on its first field it may change, Enter saves
        browser.driver().findElement(By.linkText("Budgets")).click();
        browser.waitForText("main h1", "Budgets");
        Pages.assertAccessible(browser, "portal budgets");
        browser.visible("button[aria-label='Change budget monthly-credits of Engineering']")
                .sendKeys(Keys.ENTER);
        WebElement limit = browser.visible("form.budget-form input[name=limit]");
        assertThat(browser.focused()).as("focus on the limit").isEqualTo(limit);
        Pages.assertAccessible(browser, "portal budget form");
        limit.clear();
        limit.sendKeys("3500");
        WebElement alerts = browser.driver().findElement(By.name("alerts"));
        alerts.clear();
        alerts.sendKeys("60, 90", Keys.ENTER);
        browser.waitForText("main .form-ok", "monthly-credits of Engineering saved");
        browser.waitForText("[data-budget='eng/monthly-credits'] [data-field=limit]", "3,500");
        assertThat(browser.driver()
                        .findElement(By.cssSelector("[data-budget='eng/monthly-credits'] [data-field=alerts]"))
                        .getText())
                .isEqualTo("60 %, 90 %");

        Map<String, Object> budget = budget("eng", "monthly-credits");
        assertThat((BigDecimal) budget.get("limit")).isEqualByComparingTo("3500");
        assertThat(alerts(budget))
                .extracting(a -> a.stripTrailingZeros().toPlainString())
                .containsExactly("0.6", "0.9");
        assertThat(budget).containsEntry("enforcement", "hard").containsEntry("period", "month");

        // a new budget on a team
        browser.visible("button[aria-label='Add a budget to Machine learning']").click();
        browser.visible("form.budget-form input[name=budgetKey]").sendKeys("weekly-credits");
        new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.name("counts")))
                .selectByValue("currency:credits");
        browser.driver()
                .findElement(By.cssSelector("form.budget-form input[name=limit]"))
                .sendKeys("250");
        new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.name("period")))
                .selectByValue("week");
        browser.driver()
                .findElement(By.cssSelector("form.budget-form button[type=submit]"))
                .click();
        browser.visible("[data-budget='ml/weekly-credits']");
        assertThat((BigDecimal) budget("ml", "weekly-credits").get("limit")).isEqualByComparingTo("250");
        assertThat(browser.problems()).isEmpty();
    }

    @Test
    void a_link_without_the_permission_is_offered_no_change_and_the_servers_refusal_shows_when_tried_anyway() {
        browser.open(ScreenshotTour.portalLink(server, List.of("read")));
        browser.waitForText("main h1", "Usage");
        browser.printFirstView("portal usage with data (chart and totals)", "tollgate:first-view");
        browser.open(server.url() + "/portal#/budgets");
        browser.waitForText("#budget-rights", "may not change them");
        assertThat(browser.driver().findElements(By.cssSelector("main button[aria-label^='Change budget']")))
                .isEmpty();
        assertThat(browser.driver().findElements(By.cssSelector("main button[aria-label^='Add a budget']")))
                .isEmpty();
        Pages.assertAccessible(browser, "read-only budgets");

        browser.script("sessionStorage.clear()");
        browser.open(ScreenshotTour.portalLink(server, List.of("alerts")));
        browser.waitForText("main h1", "Usage");
        browser.open(server.url() + "/portal#/budgets");
        browser.waitForText("#budget-rights", "alert thresholds");
        assertThat(browser.driver().findElements(By.cssSelector("main button[aria-label^='Add a budget']")))
                .isEmpty();
        browser.visible("button[aria-label='Change budget monthly-credits of Sales']")
                .click();
        WebElement alerts = browser.visible("form.budget-form input[name=alerts]");
        assertThat(browser.focused()).as("the one field it may change").isEqualTo(alerts);
        WebElement limit = browser.driver().findElement(By.cssSelector("form.budget-form input[name=limit]"));
        assertThat(limit.isEnabled()).isFalse();

        // a page tampered with (the limit enabled and changed): the server refuses, and the page says why
        browser.script("const l = document.querySelector('form.budget-form input[name=limit]');"
                + " l.disabled = false; l.value = '999999';");
        browser.driver()
                .findElement(By.cssSelector("form.budget-form button[type=submit]"))
                .click();
        browser.waitForText("form.budget-form .form-error", "Not allowed");
        WebElement error = browser.driver().findElement(By.cssSelector("form.budget-form .form-error"));
        assertThat(error.getText()).contains("PERMISSION_REQUIRED").contains("(limit)");
        assertThat(error.getAttribute("role")).isEqualTo("alert");
        assertThat((BigDecimal) budget("sales", "monthly-credits").get("limit")).isEqualByComparingTo("2500");
        assertThat(browser.problems())
                .as("only the refused request")
                .allSatisfy(p -> assertThat(p).contains("403"));

        // what it may do: the thresholds
        browser.script("const l = document.querySelector('form.budget-form input[name=limit]');"
                + " l.value = '2500'; l.disabled = true;");
        alerts.clear();
        alerts.sendKeys("70, 100", Keys.ENTER);
        browser.waitForText("[data-budget='sales/monthly-credits'] [data-field=alerts]", "70 %, 100 %");
        assertThat(alerts(budget("sales", "monthly-credits")))
                .extracting(a -> a.stripTrailingZeros().toPlainString())
                .containsExactly("0.7", "1");
    }

    @Test
    void a_portal_token_of_one_customer_gets_nothing_of_another_from_the_page() {
        browser.open(ScreenshotTour.portalLink(server, List.of("read", "budgets", "alerts")));
        browser.waitForText("main h1", "Usage");
        browser.printFirstView("portal usage with data (chart and totals)", "tollgate:first-view");
        // the page's own scripts, holding acme's token, ask for globex: every portal route is refused
        @SuppressWarnings("unchecked")
        List<String> answers = (List<String>) browser.driver().executeAsyncScript("""
                        const done = arguments[arguments.length - 1];
                        const token = sessionStorage.getItem('tollgate.portalToken');
                        const base = '/v1/customers/globex';
                        const calls = [['GET', base], ['GET', base + '/scopes'], ['GET', base + '/usage'],
                            ['GET', base + '/sessions'], ['GET', base + '/balance'], ['GET', base + '/grants'],
                            ['GET', base + '/entitlements'], ['GET', base + '/ledger'],
                            ['GET', '/v1/events/log?customerId=globex'],
                            ['PUT', base + '/scopes/eng/budgets/b1', {currency: 'credits', limit: 1}]];
                        Promise.all(calls.map(([method, path, body]) => fetch(path, {method,
                                headers: {Authorization: 'Bearer ' + token, 'Content-Type': 'application/json'},
                                body: body ? JSON.stringify(body) : undefined})
                            .then(async r => method + ' ' + path + ' ' + r.status + ' ' + (await r.json()).error.code)))
                            .then(done, e => done(['failed: ' + e]));
                        """);
        assertThat(answers).hasSize(10).allSatisfy(a -> assertThat(a).endsWith(" 403 FORBIDDEN"));
        browser.problems(); // the refused requests, on purpose

        // globex's own link shows globex, not acme
        browser.script("sessionStorage.clear()");
        String globex = (String) server.post("/v1/portal-sessions", Map.of("customerId", "globex"))
                .body()
                .get("url");
        browser.open(globex);
        browser.waitForText("#org", "Globex");
        browser.open(server.url() + "/portal#/budgets");
        browser.waitForText("main h1", "Budgets");
        assertThat(browser.driver().findElement(By.tagName("main")).getText())
                .doesNotContain("Engineering")
                .contains("no scope yet");

        // revoked by the vendor: the next request closes the portal
        Map<String, Object> session =
                server.post("/v1/portal-sessions", Map.of("customerId", "acme")).body();
        browser.open((String) session.get("url"));
        browser.waitForText("#org", "Acme Corp");
        browser.waitForText("main h1", "Usage");
        ConsoleServer.Answer revoked =
                server.send("DELETE", "/v1/portal-sessions/" + session.get("id"), null, ConsoleServer.KEY);
        assertThat(revoked.status()).isEqualTo(200);
        browser.driver().findElement(By.linkText("Budgets")).click();
        browser.waitForText("main h1", "This link has expired");
        assertThat(browser.script("return sessionStorage.getItem('tollgate.portalToken')"))
                .isNull();
        assertThat(browser.driver().findElement(By.id("nav")).isDisplayed()).isFalse();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(ConsoleServer.Answer a) {
        return (List<Map<String, Object>>) a.body().get("rows");
    }

    @SuppressWarnings("unchecked")
    private static List<BigDecimal> alerts(Map<String, Object> budget) {
        return (List<BigDecimal>) budget.get("alerts");
    }

    /** A budget of acme as the API shows it. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> budget(String scope, String key) {
        List<Map<String, Object>> pending = new java.util.ArrayList<>((List<Map<String, Object>>)
                server.get("/v1/customers/acme/scopes").body().get("scopes"));
        while (!pending.isEmpty()) {
            Map<String, Object> node = pending.remove(0);
            if (scope.equals(node.get("id"))) {
                for (Map<String, Object> b : (List<Map<String, Object>>) node.get("budgets")) {
                    if (key.equals(b.get("key"))) {
                        return b;
                    }
                }
            }
            pending.addAll((List<Map<String, Object>>) node.get("children"));
        }
        throw new AssertionError("no budget " + key + " at " + scope);
    }
}
